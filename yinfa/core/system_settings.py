"""Settings the system administrator changes at run time (SystemSetting rows), with a small cache.

Read with ``get(key, default)`` or the named accessors; write with ``update_settings`` (audited).
All rows are read in one query and kept for CACHE_SECONDS in each process; a write clears this
process's cache at once, other processes (web workers, the task worker) see it within CACHE_SECONDS.
"""

import threading
import time

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, SystemSetting

SYSTEM_NAME = "system_name"
PASSWORD_MAX_AGE_DAYS = "password_max_age_days"
LOGIN_NOTICE = "login_notice"
WISH_CLAIM_DAYS = "wish_claim_days"

DEFAULT_WISH_CLAIM_DAYS = 14

LABELS = {
    SYSTEM_NAME: _("Deployment display name"),
    PASSWORD_MAX_AGE_DAYS: _("Password maximum age (days)"),
    LOGIN_NOTICE: _("Login page notice"),
    WISH_CLAIM_DAYS: _("Days to fulfil a claimed wish"),
}

CACHE_SECONDS = 30
_cache = {"values": None, "loaded_at": 0.0}
_lock = threading.Lock()


def clear_cache():
    with _lock:
        _cache["values"] = None
        _cache["loaded_at"] = 0.0


def prime(values):
    """Set the cached values without reading the database (tests start from "nothing set")."""
    with _lock:
        _cache["values"] = dict(values)
        _cache["loaded_at"] = time.monotonic()


def _values():
    with _lock:
        values = _cache["values"]
        if values is not None and time.monotonic() - _cache["loaded_at"] < CACHE_SECONDS:
            return values
    values = dict(SystemSetting.objects.values_list("key", "value"))
    with _lock:
        _cache["values"] = values
        _cache["loaded_at"] = time.monotonic()
    return values


def get(key, default=None):
    """The stored value of ``key``, or ``default`` when the administrator has not set it."""
    return _values().get(key, default)


def system_name():
    """The deployment's display name, if one is set here or in the environment ('' otherwise)."""
    return get(SYSTEM_NAME) or settings.YINFA_SYSTEM_NAME


def password_max_age_days():
    """Days a password may be used before it must be changed; 0 means never."""
    value = get(PASSWORD_MAX_AGE_DAYS)
    return settings.YINFA_PASSWORD_MAX_AGE_DAYS if value is None else int(value)


def login_notice():
    return get(LOGIN_NOTICE) or ""


def wish_claim_days():
    """Days a claimant has to fulfil a micro-wish before it returns to the wall."""
    value = get(WISH_CLAIM_DAYS)
    return DEFAULT_WISH_CLAIM_DAYS if value is None else int(value)


def current_values():
    """The effective value of every editable setting (for the settings form)."""
    return {
        SYSTEM_NAME: get(SYSTEM_NAME) or "",
        PASSWORD_MAX_AGE_DAYS: password_max_age_days(),
        LOGIN_NOTICE: login_notice(),
        WISH_CLAIM_DAYS: wish_claim_days(),
    }


@transaction.atomic
def update_settings(*, actor, values):
    """Store the changed settings; each change is audited with its old and new value.

    Returns the keys that changed.
    """
    unknown = set(values) - set(LABELS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    stored = {row.key: row for row in SystemSetting.objects.select_for_update().filter(key__in=list(values))}
    effective = current_values()
    changed = []
    for key, new in values.items():
        old = stored[key].value if key in stored else effective[key]
        if old == new:
            continue
        if key in stored:
            row = stored[key]
            row.value = new
            row.updated_by = actor
            row.save(update_fields=["value", "updated_by", "updated_at"])
        else:
            SystemSetting.objects.create(key=key, value=new, updated_by=actor)
        audit.record(AuditAction.UPDATE, actor=actor, object_type="core.systemsetting", object_id=key,
                     object_repr=str(LABELS[key]), changes={key: [old, new]})
        changed.append(key)
    if changed:
        clear_cache()
        transaction.on_commit(clear_cache)
    return changed
