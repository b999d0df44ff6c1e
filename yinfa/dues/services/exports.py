"""Auditing the dues exports (the files are written by ``yinfa.dues.exports`` while the request waits)."""

from yinfa.core import audit
from yinfa.core.models import AuditAction
from yinfa.dues.services.common import require_dues


def record_export(*, actor, scope, title, object_type, filters, rows, personal_data):
    """One EXPORT audit row: what was exported, with which filter, how many rows."""
    require_dues(scope)
    audit.record(AuditAction.EXPORT, actor=actor, object_type=object_type, object_repr=str(title)[:200],
                 detail={"filters": filters, "rows": rows}, personal_data=personal_data)
