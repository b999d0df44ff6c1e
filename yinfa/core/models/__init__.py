from yinfa.core.models.accounts import PasswordHistory, RoleGrant, User, normalize_mobile
from yinfa.core.models.audit import AuditAction, AuditEvent, AuditOutcome
from yinfa.core.models.calendar import CalendarDay, DayKind, DaySource
from yinfa.core.models.notifications import Notification
from yinfa.core.models.org import ALLOWED_CHILD_KINDS, OrgKind, OrgNode, UnitKind
from yinfa.core.models.system import Job, JobStatus, PeriodicRun, SystemSetting, WorkerHeartbeat

__all__ = [
    "ALLOWED_CHILD_KINDS",
    "AuditAction",
    "AuditEvent",
    "AuditOutcome",
    "CalendarDay",
    "DayKind",
    "DaySource",
    "Job",
    "JobStatus",
    "Notification",
    "OrgKind",
    "OrgNode",
    "PasswordHistory",
    "PeriodicRun",
    "RoleGrant",
    "SystemSetting",
    "UnitKind",
    "User",
    "WorkerHeartbeat",
    "normalize_mobile",
]
