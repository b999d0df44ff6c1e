"""点单式服务: a retiree (or staff or family acting for them, recorded as proxy) orders a service from the menu; the
handling organisation accepts it, assigns a provider, the provider carries it out, and the retiree confirms and
rates it (1–5). Also cancelled (by the person or staff, with a reason) and rejected (with a reason).

The working-day clock: ``accept_by`` and ``due_on`` are computed from the order's creation with the holiday table
(``core.workdays``); an order past them and not yet accepted / carried out is overdue."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.needs.querysets import OrderQuerySet


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Ordered, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, awaiting a provider")
    ASSIGNED = "assigned", _("Provider assigned")
    DONE = "done", _("Carried out, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed and rated")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


OPEN_ORDER_STATUSES = (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.DONE)


class OrderChannel(models.TextChoices):
    SELF = "self", _("By the retiree")
    FAMILY = "family", _("By family for the retiree")
    STAFF = "staff", _("By staff for the retiree")
    VISIT = "visit", _("From a visit")


class ServiceOrder(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="service_orders",
                               verbose_name=_("for"))
    item = models.ForeignKey("needs.ServiceItem", on_delete=models.PROTECT, related_name="orders",
                             verbose_name=_("service"))
    project = models.ForeignKey("needs.ServiceProject", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="orders", verbose_name=_("project"))
    details = models.TextField(_("what is needed"), blank=True)
    wanted_on = models.DateField(_("wanted on"), null=True, blank=True)
    channel = models.CharField(_("ordered"), max_length=10, choices=OrderChannel.choices, default=OrderChannel.SELF)
    ordered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                   verbose_name=_("ordered by"))
    proxy_name = models.CharField(_("acting for the retiree"), max_length=60, blank=True)
    proxy_relation = models.CharField(_("relationship"), max_length=30, blank=True)
    source_visit = models.ForeignKey("care.Visit", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="service_orders", verbose_name=_("from the visit"))
    # The organisation handling the order (the person's community, else their former unit).
    handler = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("handled by"))
    handler_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices,
                              default=OrderStatus.SUBMITTED)
    provider = models.ForeignKey("needs.Resource", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="orders", verbose_name=_("provider"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="service_orders_assigned", verbose_name=_("carried out by"))
    accept_by = models.DateField(_("to be accepted by"))
    due_on = models.DateField(_("to be carried out by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    done_at = models.DateTimeField(_("carried out at"), null=True, blank=True)
    done_note = models.TextField(_("what was done"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("comment on the service"), max_length=300, blank=True)
    confirmed_by_proxy = models.BooleanField(_("confirmed by someone acting for the retiree"), default=False)
    reason = models.CharField(_("reason for cancelling or rejecting"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("service order")
        verbose_name_plural = _("service orders")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(rating__isnull=True)
                                              | models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5")]
        indexes = [
            models.Index(fields=["status", "due_on"], name="order_status_due"),
            models.Index(fields=["handler_path"], name="order_handler_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["assignee", "status"], name="order_assignee"),
            models.Index(fields=["created_at"], name="order_created"),
        ]

    def __str__(self):
        return f"{self.item} ({self.created_at:%Y-%m-%d})" if self.created_at else str(self.item)

    @property
    def is_open(self):
        return self.status in OPEN_ORDER_STATUSES


class OrderStep(models.Model):
    """Every transition of an order (who, when, from, to, comment), beside the audit trail."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=OrderStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("order step")
        verbose_name_plural = _("order steps")
        ordering = ["order", "at", "id"]
