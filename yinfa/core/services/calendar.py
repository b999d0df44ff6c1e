"""Writes to the holiday table (system administrator): set a day (public holiday or make-up working day), remove
one, seed the years the chinese-calendar library knows. Each change is audited; the cached calendar is dropped
on commit so every process counts with the new table within its cache time."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, CalendarDay, DayKind, DaySource
from yinfa.core.permissions import Perm
from yinfa.core.workdays import WorkCalendar, seed_from_library

EARLIEST, LATEST = 2000, 2100


def _require(scope):
    if scope is None or not scope.has(Perm.SYSTEM_SETTINGS):
        raise PermissionDenied


def _check_day(day):
    if not isinstance(day, datetime.date) or not EARLIEST <= day.year <= LATEST:
        raise ValidationError({"day": _("Choose a day between %(first)s and %(last)s.") % {
            "first": EARLIEST, "last": LATEST}})


@transaction.atomic
def set_day(*, actor, scope, day, kind, name=""):
    """Mark ``day`` as a public holiday or a make-up working day (replacing what the table said of it)."""
    _require(scope)
    _check_day(day)
    if kind not in DayKind.values:
        raise ValidationError({"kind": _("Choose a holiday or a make-up working day.")})
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationError({"kind": _("A make-up working day is a Saturday or a Sunday; %(day)s is a weekday.")
                               % {"day": day.isoformat()}})
    name = (name or "").strip()[:40]
    row = CalendarDay.objects.select_for_update().filter(day=day).first()
    before = [row.kind, row.name] if row else None
    if row is None:
        row = CalendarDay(day=day)
    row.kind, row.name, row.source, row.updated_by = kind, name, DaySource.ENTERED, actor
    row.save()
    audit.record(AuditAction.UPDATE if before else AuditAction.CREATE, actor=actor, obj=row,
                 changes={"day": [before, [kind, name]]})
    transaction.on_commit(WorkCalendar.forget)
    return row


@transaction.atomic
def remove_day(*, actor, scope, day):
    """Remove ``day`` from the table: it counts by the weekend rule again."""
    _require(scope)
    row = CalendarDay.objects.select_for_update().filter(day=day).first()
    if row is None:
        raise ValidationError({"day": _("This day is not in the holiday table.")})
    audit.record(AuditAction.DELETE, actor=actor, obj=row, changes={"day": [[row.kind, row.name], None]})
    row.delete()
    transaction.on_commit(WorkCalendar.forget)


@transaction.atomic
def seed(*, actor, scope):
    """Add the library's days the table does not hold yet (entered days are kept). Returns how many were added."""
    _require(scope)
    added = seed_from_library()
    audit.record(AuditAction.SYSTEM, actor=actor, object_type="core.calendarday", object_repr="holiday table",
                 detail={"event": "seeded from chinese-calendar", "added": added})
    return added
