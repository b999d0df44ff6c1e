"""Assessment routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a county-A template, an open
county-A round with the assessment of a county-A branch, and one of its item scores, asked for by county B."""

import datetime

from django.utils import timezone


def _scope_a(o):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=o.world.county_a_admin))


def template(o):
    existing = getattr(o, "assessment_template", None)
    if existing is None:
        from yinfa.partylife.services.assessment import create_template

        existing = create_template(actor=o.world.county_a_admin, scope=_scope_a(o), name="甲县老同志星级评定",
                                   preset="stars")
        o.assessment_template = existing
    return existing


def assessment_round(o):
    existing = getattr(o, "assessment_round", None)
    if existing is None:
        from yinfa.core.models import OrgKind
        from yinfa.core.testing import make_node
        from yinfa.partylife.models import RoundStatus
        from yinfa.partylife.services.assessment import create_round, transition

        make_node(o.world.unit_a, OrgKind.BRANCH, "甲县财政局离退休干部党支部")
        scope = _scope_a(o)
        existing = create_round(actor=o.world.county_a_admin, scope=scope, template=template(o),
                                node=o.world.county_a, year=timezone.localdate().year, title="甲县老同志支部评定",
                                self_due_on=timezone.localdate() + datetime.timedelta(days=30))
        existing = transition(existing, RoundStatus.SELF_ASSESSMENT, actor=o.world.county_a_admin, scope=scope)
        o.assessment_round = existing
    return existing


def assessment(o):
    return assessment_round(o).assessments.order_by("pk").first()


def item_score(o):
    score = assessment(o).scores.order_by("pk").first()
    if not score.evidence_file:
        score.evidence_file.name = f"assessment/{score.assessment.round_id}/evidence.pdf"
        score.evidence = "甲县老同志活动记录"
        score.save(update_fields=["evidence_file", "evidence"])
    return score


ROUTES = {
    "partylife:assessment_template_detail": (lambda o: {"pk": template(o).pk}, "admin_b"),
    "partylife:assessment_template_edit": (lambda o: {"pk": template(o).pk}, "admin_b"),
    "partylife:assessment_template_copy": (lambda o: {"pk": template(o).pk}, "admin_b"),
    "partylife:assessment_round_detail": (lambda o: {"pk": assessment_round(o).pk}, "admin_b"),
    "partylife:assessment_round_transition": (lambda o: {"pk": assessment_round(o).pk}, "admin_b"),
    "partylife:assessment_round_refresh": (lambda o: {"pk": assessment_round(o).pk}, "admin_b"),
    "partylife:assessment_round_export": (lambda o: {"pk": assessment_round(o).pk}, "admin_b"),
    "partylife:assessment_branch": (lambda o: {"pk": assessment(o).pk}, "admin_b"),
    "partylife:assessment_review": (lambda o: {"pk": assessment(o).pk}, "admin_b"),
    "partylife:assessment_return": (lambda o: {"pk": assessment(o).pk}, "admin_b"),
    "partylife:assessment_refresh": (lambda o: {"pk": assessment(o).pk}, "admin_b"),
    "partylife:assessment_evidence": (lambda o: {"pk": item_score(o).pk}, "admin_b"),
}
API_ROUTES = {}
