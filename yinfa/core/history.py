"""An object's change history, read from the audit trail (scoped), for the history card of detail pages."""

from django.utils.translation import gettext as _

from yinfa.core.models import AuditEvent


def is_blank(value):
    return value in (None, "", False, [], {})


def shown_value(field, value):
    """An audited value as shown in a history table (booleans as yes/no)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def object_history(scope, obj, *, labels, value_label=shown_value, skip=(), limit=20):
    """The newest audit events about ``obj`` visible in ``scope``, each with ``change_rows``
    ({label, old, new}) for the fields that changed, labelled with ``labels``."""
    events = list(
        AuditEvent.objects.visible_to(scope)
        .filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("-at", "-id")[:limit]
    )
    for event in events:
        event.change_rows = [
            {"label": labels.get(name, name), "old": value_label(name, old), "new": value_label(name, new)}
            for name, (old, new) in (event.changes or {}).items()
            if name not in skip and not (is_blank(old) and is_blank(new))
        ]
    return events
