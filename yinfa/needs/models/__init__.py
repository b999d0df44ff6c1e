from yinfa.needs.models.orders import OPEN_ORDER_STATUSES, OrderChannel, OrderStatus, OrderStep, ServiceOrder
from yinfa.needs.models.resources import (
    Frequency,
    ProviderKind,
    Resource,
    ServiceCategory,
    ServiceItem,
    ServiceProject,
)
from yinfa.needs.models.wishes import ClaimStatus, Wish, WishClaim, WishPhoto, WishStatus, WishStep

__all__ = [
    "OPEN_ORDER_STATUSES", "ClaimStatus", "Frequency", "OrderChannel", "OrderStatus", "OrderStep", "ProviderKind",
    "Resource", "ServiceCategory", "ServiceItem", "ServiceOrder", "ServiceProject", "Wish", "WishClaim",
    "WishPhoto", "WishStatus", "WishStep",
]
