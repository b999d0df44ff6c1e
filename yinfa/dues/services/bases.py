"""Pension bases: entered one at a time, imported from a sheet (an upsert: the same file twice changes nothing),
and removed when entered by mistake."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction
from yinfa.core.scope import scoped
from yinfa.dues.models import BaseSource, PensionBase
from yinfa.dues.rules import FEN, add_months, month_start
from yinfa.dues.services.common import member_branch_in_scope, require_dues, today
from yinfa.partylife.models import Membership, Relation
from yinfa.people.models import Person

MAX_BASE = Decimal("99999999.99")
# A base may be entered ahead of time (a pension rise announced for next January), not further than this.
MONTHS_AHEAD = 12
EARLIEST_MONTH = datetime.date(2000, 1, 1)
AUDIT_FIELDS = ["person", "effective_month", "amount", "source", "note"]


def check_base(amount, effective_month, day=None):
    """ValidationError (by field) for an amount or month a base cannot have."""
    errors = {}
    if amount is None or amount < 0:
        errors["amount"] = _("The base cannot be negative.")
    elif amount > MAX_BASE:
        errors["amount"] = _("The base is too large.")
    elif amount != amount.quantize(FEN):
        errors["amount"] = _("Give the base to the fen (two decimal places at most).")
    latest = add_months(month_start(day or today()), MONTHS_AHEAD)
    if effective_month < EARLIEST_MONTH or effective_month > latest:
        errors["effective_month"] = _("The month must lie between %(first)s and %(last)s.") % {
            "first": f"{EARLIEST_MONTH:%Y-%m}", "last": f"{latest:%Y-%m}"}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_base(*, actor, scope, person, effective_month, amount, note=""):
    """Enter (or correct) the member's base from ``effective_month`` on. Returns (base, "created" | "updated" |
    "unchanged")."""
    require_dues(scope)
    branch = member_branch_in_scope(scope, person)
    effective_month = month_start(effective_month)
    check_base(amount, effective_month)
    amount = amount.quantize(FEN)
    base = PensionBase.objects.select_for_update().filter(person=person, effective_month=effective_month).first()
    if base is None:
        base = PensionBase.objects.create(person=person, effective_month=effective_month, amount=amount, note=note,
                                          source=BaseSource.ENTERED, created_by=actor)
        audit.record(AuditAction.CREATE, actor=actor, obj=base, changes=audit.snapshot(base, AUDIT_FIELDS),
                     scope_path=branch.path, personal_data=True)
        return base, "created"
    if base.amount == amount and base.note == note:
        return base, "unchanged"
    before = audit.snapshot(base, AUDIT_FIELDS)
    base.amount, base.note, base.source = amount, note, BaseSource.ENTERED
    base.save(update_fields=["amount", "note", "source"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=base, changes=audit.diff(before, audit.snapshot(base,
                                                                                                     AUDIT_FIELDS)),
                 scope_path=branch.path, personal_data=True)
    return base, "updated"


@transaction.atomic
def delete_base(*, actor, scope, base, reason):
    """Remove a base entered by mistake (payments already recorded keep the base they were computed on)."""
    require_dues(scope)
    branch = member_branch_in_scope(scope, base.person)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the base is removed.")})
    changes = audit.snapshot(base, AUDIT_FIELDS)
    audit.record(AuditAction.DELETE, actor=actor, obj=base, changes=changes, detail={"reason": reason[:300]},
                 scope_path=branch.path, personal_data=True)
    base.delete()


@dataclass(frozen=True)
class ImportRow:
    """A checked row of a sheet of bases (see ``yinfa.dues.imports``)."""

    number: int
    person_id: int
    effective_month: datetime.date
    amount: Decimal


def members_in_scope(scope, person_ids):
    """The ids among ``person_ids`` with an organisational membership in a branch of the scope (one query)."""
    return set(scoped(Membership.objects.filter(person_id__in=list(person_ids), relation=Relation.ORGANISATIONAL),
                      scope, "branch_path").values_list("person_id", flat=True))


def plan_import(rows):
    """{(person id, month): "new" | "update" | "unchanged"} against the stored bases (one query)."""
    people = {row.person_id for row in rows}
    stored = {(p, m): a for p, m, a in PensionBase.objects.filter(person_id__in=people)
              .values_list("person_id", "effective_month", "amount")}
    plan = {}
    for row in rows:
        key = (row.person_id, row.effective_month)
        if key not in stored:
            plan[key] = "new"
        else:
            plan[key] = "unchanged" if stored[key] == row.amount else "update"
    return plan


@transaction.atomic
def import_bases(*, actor, scope, rows, file_name=""):
    """Write every row of a checked sheet, or nothing: new bases are created, changed amounts updated, equal
    ones left alone. Returns {"created": n, "updated": n, "unchanged": n}."""
    require_dues(scope)
    rows = list(rows)
    if not rows:
        raise ValidationError(_("The file holds no base to import."))
    keys = [(row.person_id, row.effective_month) for row in rows]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("The file gives the same person and month twice."))
    people = {row.person_id for row in rows}
    visible = set(Person.objects.visible_to(scope).filter(pk__in=people).values_list("pk", flat=True))
    if visible != people or members_in_scope(scope, people) != people:
        raise ValidationError(_("Some people of the file are not members of a branch in your scope any more. "
                                "Upload the file again."))
    for row in rows:
        check_base(row.amount, row.effective_month)
    stored = {(b.person_id, b.effective_month): b for b in PensionBase.objects.select_for_update()
              .filter(person_id__in=people)}
    created, updated, unchanged = [], [], 0
    for row in rows:
        amount = row.amount.quantize(FEN)
        base = stored.get((row.person_id, row.effective_month))
        if base is None:
            created.append(PensionBase(person_id=row.person_id, effective_month=row.effective_month, amount=amount,
                                       source=BaseSource.IMPORTED, created_by=actor))
        elif base.amount != amount:
            base.amount, base.source = amount, BaseSource.IMPORTED
            updated.append(base)
        else:
            unchanged += 1
    PensionBase.objects.bulk_create(created, batch_size=1000)
    PensionBase.objects.bulk_update(updated, ["amount", "source"], batch_size=1000)
    result = {"created": len(created), "updated": len(updated), "unchanged": unchanged}
    audit.record(AuditAction.IMPORT, actor=actor, object_type=PensionBase._meta.label_lower,
                 object_repr=(file_name or _("Pension bases"))[:200], personal_data=True,
                 detail={**result, "rows": len(rows), "file": file_name[:200]})
    return result
