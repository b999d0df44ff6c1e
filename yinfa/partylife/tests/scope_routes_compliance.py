"""Compliance routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a county-A branch with its
compliance row, asked for by county B; the rules are edited only from a county (or higher) scope with the party
permission, so a unit administrator of county B gets 404 for a rule's edit page."""

from django.utils import timezone


def branch(o):
    """A branch of 甲县财政局 (created once per matrix) with a meeting and its stored compliance row."""
    existing = getattr(o, "compliance_branch", None)
    if existing is None:
        from yinfa.partylife.services.compliance import refresh_branch
        from yinfa.partylife.tests.compliance_factories import make_branch, make_meeting

        existing = make_branch(o.world.unit_a, "甲县财政局离退休干部党支部")
        today = timezone.localdate()
        make_meeting(existing, held_on=today.replace(day=1), topic="甲县财政局支委会")
        refresh_branch(branch=existing, year=today.year)
        o.compliance_branch = existing
    return existing


def compliance_row(o):
    from yinfa.partylife.models import BranchCompliance

    return BranchCompliance.objects.get(branch=branch(o), year=timezone.localdate().year)


def _branch_kwargs(o):
    return {"pk": branch(o).pk}


def _rule_kwargs(o):
    from yinfa.partylife.models import ComplianceRule

    return {"pk": ComplianceRule.objects.order_by("pk").first().pk}


ROUTES = {
    "partylife:compliance_branch": (_branch_kwargs, "admin_b"),
    "partylife:rule_edit": (_rule_kwargs, "unit_b"),
}

API_ROUTES = {
    "party-compliance": lambda o: {"pk": compliance_row(o).pk},
}
