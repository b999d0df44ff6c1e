"""Care contact routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a county-A person living alone
in 东门社区, assigned to the community's staff, with a contact logged, an open escalation, and a county-A policy,
asked for by county B."""


def _scope(user):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def assignment(o):
    existing = getattr(o, "care_assignment", None)
    if existing is None:
        from yinfa.care.services.contacts import assign
        from yinfa.people.models import LivingStatus
        from yinfa.people.tests.factories import make_person

        person = make_person(o.world.unit_a, name="甲县老同志", community=o.world.community_a,
                             living_status=LivingStatus.ALONE)
        existing = assign(actor=o.world.county_a_admin, scope=_scope(o.world.county_a_admin), person=person,
                          carer=o.world.community_a_admin)
        o.care_assignment = existing
    return existing


def contact(o):
    existing = getattr(o, "care_contact", None)
    if existing is None:
        from yinfa.care.services.contacts import log_contact

        carer = o.world.community_a_admin
        existing, _opened = log_contact(actor=carer, scope=_scope(carer), assignment=assignment(o), method="phone",
                                        outcome="well", note="甲县老同志一切都好")
        o.care_contact = existing
    return existing


def escalation(o):
    existing = getattr(o, "care_escalation", None)
    if existing is None:
        from yinfa.care.models import EscalationReason
        from yinfa.care.services.escalations import open_escalation

        existing, _created = open_escalation(assignment=assignment(o), reason=EscalationReason.NEEDS_HELP,
                                             note="甲县老同志需要帮助")
        o.care_escalation = existing
    return existing


def policy(o):
    existing = getattr(o, "care_policy", None)
    if existing is None:
        from yinfa.care.models import Condition
        from yinfa.care.services.contacts import set_policy

        existing = set_policy(actor=o.world.county_a_admin, scope=_scope(o.world.county_a_admin),
                              condition=Condition.EMPTY_NEST, interval_days=10)
        o.care_policy = existing
    return existing


ROUTES = {
    "care:contact_create": (lambda o: {"pk": assignment(o).pk}, "admin_b"),
    "care:assignment_end": (lambda o: {"pk": assignment(o).pk}, "admin_b"),
    "care:escalation_resolve": (lambda o: {"pk": escalation(o).pk}, "admin_b"),
}

API_ROUTES = {
    "care-assignment": assignment,
    "care-contact": contact,
    "escalation": escalation,
    "care-policy": policy,
}
