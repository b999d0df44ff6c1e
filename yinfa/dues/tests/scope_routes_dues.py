"""Party dues routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a county-A branch with the
matrix's county-A person as a member, a base, a decision and a payment, asked for by county B's administrator."""

import datetime
from decimal import Decimal


def branch(o):
    """A county-A branch where ``o.person`` held their membership until 2026-07 (made once per matrix)."""
    existing = getattr(o, "dues_branch", None)
    if existing is None:
        from yinfa.partylife.tests.factories import make_branch, make_membership

        existing = make_branch(o.world.unit_a, name="甲县财政局第二离退休干部党支部")
        # Closed, so that it never clashes with the open membership another app's builder may give o.person.
        make_membership(o.person, existing, started_on=datetime.date(2020, 1, 1), ended_on=datetime.date(2026, 7, 1),
                        left_by="transfer")
        o.dues_branch = existing
    return existing


def base(o):
    existing = getattr(o, "dues_base", None)
    if existing is None:
        from yinfa.dues.models import PensionBase

        branch(o)
        existing = PensionBase.objects.create(person=o.person, effective_month=datetime.date(2026, 1, 1),
                                              amount=Decimal("4800.00"), note="甲县老同志")
        o.dues_base = existing
    return existing


def decision(o):
    existing = getattr(o, "dues_decision", None)
    if existing is None:
        from yinfa.dues.models import DecisionKind, DuesDecision

        b = branch(o)
        existing = DuesDecision.objects.create(person=o.person, branch=b, branch_path=b.path,
                                               kind=DecisionKind.WAIVE, from_month=datetime.date(2026, 3, 1),
                                               to_month=datetime.date(2026, 4, 1),
                                               decided_on=datetime.date(2026, 2, 20),
                                               decision="甲县财政局支部委员会决定")
        o.dues_decision = existing
    return existing


def payment(o):
    existing = getattr(o, "dues_payment", None)
    if existing is None:
        from yinfa.dues.models import DuesPayment

        b = branch(o)
        existing = DuesPayment.objects.create(person=o.person, month=datetime.date(2026, 1, 1), branch=b,
                                              branch_path=b.path, base=Decimal("4800.00"),
                                              amount_due=Decimal("24.00"), amount_paid=Decimal("24.00"),
                                              paid_on=datetime.date(2026, 1, 20), note="甲县老同志")
        o.dues_payment = existing
    return existing


def _branch(o):
    return {"pk": branch(o).pk}


def _person(o):
    branch(o)
    return {"pk": o.person.pk}


ROUTES = {
    "dues:branch": (_branch, "admin_b"),
    "dues:branch_export": (_branch, "admin_b"),
    "dues:batch": (_branch, "admin_b"),
    "dues:member": (_person, "admin_b"),
    "dues:statement": (_person, "admin_b"),
    "dues:base_create": (_person, "admin_b"),
    "dues:decision_create": (_person, "admin_b"),
    "dues:base_delete": (lambda o: {"pk": base(o).pk}, "admin_b"),
    "dues:decision_delete": (lambda o: {"pk": decision(o).pk}, "admin_b"),
    "dues:payment_void": (lambda o: {"pk": payment(o).pk}, "admin_b"),
    "dues-payment-detail": (lambda o: {"pk": payment(o).pk}, "admin_b"),
}
# API detail routes by basename (for the matrix's API table).
API_ROUTES = {"dues-payment": lambda o: {"pk": payment(o).pk}}
