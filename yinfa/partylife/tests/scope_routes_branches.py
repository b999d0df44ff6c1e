"""Branch and membership routes for the scope matrix (yinfa/core/tests/test_scope_matrix.py): a county-A branch
holding a county-A party member of its own, a functional membership and a community registration, asked
for by county B."""

import datetime


def member(o):
    """A county-A party member of its own (``o.person`` may be held by other parts' branches)."""
    existing = getattr(o, "party_member", None)
    if existing is None:
        from yinfa.people.models import PoliticalStatus
        from yinfa.people.tests.factories import make_person

        existing = make_person(o.world.unit_a, name="甲县老同志党员", community=o.world.community_a,
                               political_status=PoliticalStatus.PARTY_MEMBER)
        o.party_member = existing
    return existing


def branch(o):
    """County A's branch (made once per matrix) holding ``member(o)``."""
    existing = getattr(o, "party_branch", None)
    if existing is None:
        from yinfa.partylife.services import counts
        from yinfa.partylife.tests.factories import make_branch, make_membership

        existing = make_branch(o.world.unit_a, "甲县财政局离退休干部党支部")
        o.party_membership = make_membership(member(o), existing, note="甲县老同志")
        counts.recount([existing.pk])
        o.party_branch = existing
    return existing


def membership(o):
    branch(o)
    return o.party_membership


def functional_membership(o):
    existing = getattr(o, "party_functional", None)
    if existing is None:
        from yinfa.partylife.models import BranchKind, Relation
        from yinfa.partylife.tests.factories import make_branch, make_membership

        functional = make_branch(o.world.unit_a, "甲县财政局老干部志愿服务队功能型党支部", kind=BranchKind.FUNCTIONAL)
        existing = make_membership(member(o), functional, relation=Relation.FUNCTIONAL,
                                   started_on=datetime.date(2024, 1, 1))
        o.party_functional = existing
    return existing


def registration(o):
    existing = getattr(o, "party_registration", None)
    if existing is None:
        from yinfa.partylife.models import CommunityRegistration

        existing = CommunityRegistration.objects.create(
            person=member(o), community=o.world.community_a, community_path=o.world.community_a.path,
            registered_on=datetime.date(2024, 1, 1), note="东门社区报到")
        o.party_registration = existing
    return existing


def _branch_kwargs(o):
    return {"pk": branch(o).pk}


def _membership_kwargs(o):
    return {"pk": membership(o).pk}


def _person_kwargs(o):
    branch(o)
    return {"pk": member(o).pk}


ROUTES = {
    "partylife:branch_detail": (_branch_kwargs, "admin_b"),
    "partylife:branch_edit": (_branch_kwargs, "admin_b"),
    "partylife:branch_elect": (_branch_kwargs, "admin_b"),
    "partylife:branch_post_change": (_branch_kwargs, "admin_b"),
    "partylife:member_add": (_branch_kwargs, "admin_b"),
    "partylife:functional_add": (_branch_kwargs, "admin_b"),
    "partylife:membership_transfer": (_membership_kwargs, "admin_b"),
    "partylife:membership_convert": (_membership_kwargs, "admin_b"),
    "partylife:membership_group": (_membership_kwargs, "admin_b"),
    "partylife:functional_leave": (lambda o: {"pk": functional_membership(o).pk}, "admin_b"),
    "partylife:person_party": (_person_kwargs, "admin_b"),
    "partylife:person_branch_pick": (_person_kwargs, "admin_b"),
    "partylife:person_functional_join": (_person_kwargs, "admin_b"),
    "partylife:registration_end": (lambda o: {"pk": registration(o).pk}, "admin_b"),
}

API_ROUTES = {
    "party-branch": branch,
    "party-membership": membership,
}
