"""Branch decisions to reduce or waive a member's dues (real hardship): recorded with the decision's text and
date, never implied."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction
from yinfa.dues.models import DecisionKind, DuesDecision
from yinfa.dues.rules import FEN, month_start
from yinfa.dues.services.common import member_branch_in_scope, require_branch, require_dues, today

AUDIT_FIELDS = ["person", "branch", "kind", "monthly_amount", "from_month", "to_month", "decided_on", "decision"]


def check_decision(*, kind, monthly_amount, from_month, to_month, decided_on, decision):
    errors = {}
    if kind not in DecisionKind.values:
        errors["kind"] = _("Choose to reduce or to waive.")
    if kind == DecisionKind.REDUCE:
        if monthly_amount is None:
            errors["monthly_amount"] = _("Give the reduced monthly amount.")
        elif monthly_amount < 0 or monthly_amount != monthly_amount.quantize(FEN):
            errors["monthly_amount"] = _("Give an amount in yuan to the fen, not negative.")
    if to_month is not None and to_month < from_month:
        errors["to_month"] = _("The last month cannot come before the first.")
    if decided_on is None:
        errors["decided_on"] = _("Give the date of the branch decision.")
    elif decided_on > today():
        errors["decided_on"] = _("The decision cannot be dated in the future.")
    if not (decision or "").strip():
        errors["decision"] = _("Record the branch decision: the meeting and what it resolved.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_decision(*, actor, scope, person, kind, from_month, decided_on, decision, to_month=None,
                    monthly_amount=None):
    """Record the branch's decision to reduce (a fixed monthly amount) or waive (nothing due) the member's dues
    for ``from_month``..``to_month`` (open-ended when None)."""
    require_dues(scope)
    branch = member_branch_in_scope(scope, person)
    require_branch(scope, branch)
    from_month = month_start(from_month)
    to_month = month_start(to_month) if to_month else None
    check_decision(kind=kind, monthly_amount=monthly_amount, from_month=from_month, to_month=to_month,
                   decided_on=decided_on, decision=decision)
    amount = monthly_amount.quantize(FEN) if kind == DecisionKind.REDUCE else None
    row = DuesDecision.objects.create(person=person, branch=branch, branch_path=branch.path, kind=kind,
                                      monthly_amount=amount, from_month=from_month, to_month=to_month,
                                      decided_on=decided_on, decision=decision.strip(), created_by=actor)
    audit.record(AuditAction.CREATE, actor=actor, obj=row, changes=audit.snapshot(row, AUDIT_FIELDS),
                 scope_path=branch.path, personal_data=True)
    return row


@transaction.atomic
def delete_decision(*, actor, scope, decision, reason):
    """Remove a decision recorded by mistake (audited with the reason)."""
    require_branch(scope, decision.branch)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the decision is removed.")})
    audit.record(AuditAction.DELETE, actor=actor, obj=decision, changes=audit.snapshot(decision, AUDIT_FIELDS),
                 detail={"reason": reason[:300]}, scope_path=decision.branch_path, personal_data=True)
    decision.delete()

