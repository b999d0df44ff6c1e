"""Recording dues payments for a branch in one batch (a month, a quarter, up to six months), and voiding one.

One payment per member per month, even when two secretaries submit the same batch at once: rows are inserted
with ``ON CONFLICT DO NOTHING`` against the unique constraint ``one_payment_per_member_month``, then read back
by the batch's id, so whatever another submission recorded first is reported as skipped, never doubled.
"""

import uuid
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction
from yinfa.dues.ledger import PAID, ZERO
from yinfa.dues.models import DuesPayment, PaymentMethod
from yinfa.dues.rules import FEN, MAX_MONTHS_AT_ONCE, add_months, month_key, month_start, months_after
from yinfa.dues.selectors import load_ledgers, members_between, sorted_ledgers
from yinfa.dues.services.common import require_branch, today

PAYMENT_AUDIT_FIELDS = ["person", "month", "branch", "base", "amount_due", "amount_paid", "paid_on", "method",
                        "note", "batch"]
MAX_AMOUNT = Decimal("99999999.99")


@dataclass(frozen=True)
class PaymentEntry:
    """What the secretary ticked for one member: ``amount`` is the total paid for the member's months still
    unpaid in the batch (None: exactly what is due)."""

    person_id: int
    amount: Decimal | None = None
    method: str = PaymentMethod.CASH
    note: str = ""


@dataclass
class BatchMember:
    """One member on the batch screen: each month of the batch as the branch sees it."""

    ledger: object
    cells: list  # MonthState per month of the batch
    to_pay: list = field(default_factory=list)  # months owed, something due, not yet paid
    paid: list = field(default_factory=list)  # months already paid

    @property
    def person_id(self):
        return self.ledger.person_id

    @property
    def name(self):
        return self.ledger.name

    @property
    def due(self):
        return sum((cell.due for cell in self.cells if cell.month in self.to_pay), ZERO)

    @property
    def payable(self):
        return bool(self.to_pay)


@dataclass
class BatchResult:
    batch: uuid.UUID
    created: list = field(default_factory=list)  # (person id, name, month, amount paid)
    skipped: list = field(default_factory=list)  # (person id, name, month): paid already
    total: Decimal = ZERO


def check_window(first_month, months, day=None):
    """The six-month limits: at most six months in one payment, none more than six months ahead."""
    day = day or today()
    errors = []
    if not 1 <= months <= MAX_MONTHS_AT_ONCE:
        errors.append(_("A payment covers 1 to %(max)s months.") % {"max": MAX_MONTHS_AT_ONCE})
    latest = add_months(month_start(day), MAX_MONTHS_AT_ONCE)
    if add_months(month_start(first_month), max(months, 1) - 1) > latest:
        errors.append(_("Dues can be paid at most %(max)s months ahead (until %(month)s).") % {
            "max": MAX_MONTHS_AT_ONCE, "month": month_key(latest)})
    if errors:
        raise ValidationError(errors)


def batch_members(branch, first_month, months, day=None):
    """The members of the branch in the batch's months, each month's amount due and what is paid (four
    queries)."""
    day = day or today()
    window = months_after(first_month, months)
    people = members_between([branch.pk], window[0], window[-1]).values("person_id")
    rows = []
    for ledger in sorted_ledgers(load_ledgers(people).values()):
        cells = [ledger.state(month, day, branch.pk) for month in window]
        if all(not ledger.is_member(month, branch.pk) for month in window):
            continue
        member = BatchMember(ledger, cells)
        for cell in cells:
            if cell.status == PAID:
                member.paid.append(cell.month)
            elif cell.due is not None and cell.due > ZERO and ledger.is_member(cell.month, branch.pk):
                member.to_pay.append(cell.month)
        rows.append(member)
    return rows


def split(amount, dues):
    """``amount`` spread over months in proportion to what each owes, to the fen; the rest on the last month."""
    total = sum(dues, ZERO)
    if amount == total:
        return list(dues)
    parts = [(amount * due / total).quantize(FEN, rounding=ROUND_HALF_UP) for due in dues[:-1]]
    return [*parts, amount - sum(parts, ZERO)]


@transaction.atomic
def record_batch(*, actor, scope, branch, first_month, months, paid_on, entries):
    """Record the ticked members' payments for ``months`` months from ``first_month``: one row per member and
    month owed and not yet paid. Months paid already (before, or by a submission running at the same time) are
    skipped and reported. Returns a BatchResult."""
    require_branch(scope, branch)
    day = today()
    first_month = month_start(first_month)
    check_window(first_month, months, day)
    if paid_on is None or paid_on > day:
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    entries = list(entries)
    if not entries:
        raise ValidationError(_("Tick at least one member."))
    if len({entry.person_id for entry in entries}) != len(entries):
        raise ValidationError(_("A member appears twice in the batch."))
    members = {member.person_id: member for member in batch_members(branch, first_month, months, day)}
    batch = uuid.uuid4()
    result, rows, errors = BatchResult(batch), [], {}
    for entry in entries:
        member = members.get(entry.person_id)
        key = f"amount_{entry.person_id}"
        if member is None:
            errors[key] = [_("This person is not a member of the branch in these months.")]
            continue
        result.skipped += [(member.person_id, member.name, month) for month in member.paid]
        if not member.to_pay:
            if not member.paid:
                errors[key] = [_("%(name)s owes nothing in these months (no pension base, or waived).") % {
                    "name": member.name}]
            continue
        due = member.due
        amount = due if entry.amount is None else entry.amount
        if entry.method not in PaymentMethod.values:
            errors[key] = [_("Choose how the dues were paid.")]
        elif amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(FEN):
            errors[key] = [_("Give an amount in yuan to the fen, not negative.")]
        elif amount != due and not entry.note.strip():
            errors[key] = [_("%(name)s: the amount differs from what is due (%(due)s); say why in the note.") % {
                "name": member.name, "due": due}]
        if key in errors:
            continue
        cells = {cell.month: cell for cell in member.cells}
        for month, paid in zip(member.to_pay, split(amount, [cells[m].due for m in member.to_pay]), strict=True):
            cell = cells[month]
            rows.append(DuesPayment(person_id=member.person_id, month=month, branch=branch, branch_path=branch.path,
                                    base=cell.base, amount_due=cell.due, amount_paid=paid, paid_on=paid_on,
                                    method=entry.method, batch=batch, note=entry.note.strip()[:200],
                                    recorded_by=actor))
    if errors:
        raise ValidationError(errors)
    DuesPayment.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    inserted = set(DuesPayment.objects.filter(batch=batch).values_list("person_id", "month"))
    for row in rows:
        name = members[row.person_id].name
        if (row.person_id, row.month) in inserted:
            result.created.append((row.person_id, name, row.month, row.amount_paid))
            result.total += row.amount_paid
        else:
            result.skipped.append((row.person_id, name, row.month))
    result.skipped.sort(key=lambda item: (item[1], item[0], item[2]))
    if result.created:
        audit.record(AuditAction.CREATE, actor=actor, object_type=DuesPayment._meta.label_lower,
                     object_id=str(batch), object_repr=_("Dues of %(branch)s, %(first)s, %(months)s months") % {
                         "branch": branch.node.name, "first": month_key(first_month), "months": months},
                     scope_path=branch.path, personal_data=True,
                     detail={"batch": str(batch), "branch": branch.pk, "first_month": month_key(first_month),
                             "months": months, "paid_on": paid_on.isoformat(), "total": str(result.total),
                             "payments": [[p, month_key(m), str(a)] for p, _n, m, a in result.created],
                             "skipped": [[p, month_key(m)] for p, _n, m in result.skipped]})
    return result


@transaction.atomic
def void_payment(*, actor, scope, payment, reason):
    """Delete a payment recorded by mistake, with the reason (audited with the whole row)."""
    require_branch(scope, payment.branch)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the payment is voided.")})
    audit.record(AuditAction.DELETE, actor=actor, obj=payment, changes=audit.snapshot(payment, PAYMENT_AUDIT_FIELDS),
                 detail={"reason": reason[:300], "void": True}, scope_path=payment.branch_path, personal_data=True)
    payment.delete()
