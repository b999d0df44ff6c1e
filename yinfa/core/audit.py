"""Writing to the audit trail. Services call ``record``; request details come from the context."""

import datetime
import decimal
import uuid

from django.db import models

from yinfa.core import context
from yinfa.core.models import AuditEvent, AuditOutcome

# Values of these fields never enter the audit trail, only the fact that they changed.
SECRET_FIELDS = {"password", "totp_secret"}
REDACTED = "***"


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance, fields=None, protected=()):
    """The auditable values of a model instance: {field: value}, protected fields masked."""
    values = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in ("uid",) or field.name.endswith("_index"):
            continue
        if field.name in SECRET_FIELDS:
            values[field.name] = REDACTED if getattr(instance, field.attname) else ""
            continue
        value = getattr(instance, field.attname)
        if field.name in protected:
            value = REDACTED if value else ""
        values[field.name] = _plain(value)
    return values


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed."""
    return {name: [before.get(name), after.get(name)] for name in after if before.get(name) != after.get(name)}


def record(action, *, actor=None, obj=None, changes=None, outcome=AuditOutcome.SUCCESS, detail=None,
           scope_path=None, object_type=None, object_id=None, object_repr=None, personal_data=False):
    """Append one audit event. Request id, IP and scope come from the current request if any."""
    ctx = context.current()
    actor = actor if actor is not None else ctx.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent.objects.create(
        actor=actor,
        actor_name=(actor.get_username() if actor else (detail or {}).get("username", ""))[:150],
        ip=ctx.ip,
        request_id=ctx.request_id,
        action=action,
        outcome=outcome,
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=object_repr or "",
        changes=changes or {},
        detail=detail or {},
        scope_path=ctx.scope_path if scope_path is None else scope_path,
        personal_data=personal_data,
    )
