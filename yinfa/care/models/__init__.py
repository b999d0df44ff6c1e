from yinfa.care.models.aid import AidApplication, AidAttachment, AidKind, AidStatus, AidStep, PaymentMethod
from yinfa.care.models.contacts import (
    CareAssignment,
    CareContact,
    CarePolicy,
    Condition,
    ContactMethod,
    ContactOutcome,
    Escalation,
    EscalationReason,
    EscalationStatus,
)
from yinfa.care.models.visits import (
    CampaignStatus,
    CampaignTask,
    Festival,
    TaskStatus,
    Visit,
    VisitCampaign,
    VisitKind,
    VisitPhoto,
)

__all__ = [
    "AidApplication", "AidAttachment", "AidKind", "AidStatus", "AidStep", "CampaignStatus", "CampaignTask",
    "CareAssignment", "CareContact", "CarePolicy", "Condition", "ContactMethod", "ContactOutcome", "Escalation",
    "EscalationReason", "EscalationStatus", "Festival", "PaymentMethod", "TaskStatus", "Visit", "VisitCampaign",
    "VisitKind", "VisitPhoto",
]
