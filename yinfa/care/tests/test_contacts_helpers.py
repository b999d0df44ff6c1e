"""Shared data of the care contact tests (no tests here): county A's vulnerable people in 东门社区, the community's
staff and a volunteer as carers, a second community of the same street, and a county-B person living alone.

Use it with ``from yinfa.care.tests.test_contacts_helpers import care_fixture  # noqa: F401`` and a ``care``
argument."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from yinfa.care.services import contacts as services
from yinfa.core.middleware import SCOPE_SESSION_KEY
from yinfa.core.models import OrgKind, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import login, make_node, make_user
from yinfa.people.models import LivingStatus, SelfCare
from yinfa.people.tests.factories import make_person

TODAY = datetime.date(2026, 3, 10)


def scope_of(user, role=None):
    grants = RoleGrant.objects.select_related("node").filter(user=user)
    if role:
        grants = grants.filter(role=role)
    return Scope.from_grant(grants.order_by("pk").first())


def born_years_ago(years, today=None, days=0):
    today = today or timezone.localdate()
    return today.replace(year=today.year - years) + datetime.timedelta(days=days)


@pytest.fixture(name="care")
def care_fixture(world):
    w = world
    west = make_node(w.street_a, OrgKind.COMMUNITY, "西门社区")
    c = SimpleNamespace(world=w, west=west)
    c.volunteer = make_user("a_vol", role=Role.VOLUNTEER, node=w.community_a, full_name="东门志愿者")
    c.other_volunteer = make_user("a_vol2", role=Role.VOLUNTEER, node=w.community_a, full_name="东门志愿者二")
    c.west_volunteer = make_user("west_vol", role=Role.VOLUNTEER, node=west, full_name="西门志愿者")
    c.street_admin = make_user("a_street", role=Role.COMMUNITY_ADMIN, node=w.street_a, full_name="城关镇干部")
    c.b_volunteer = make_user("b_vol", role=Role.VOLUNTEER, node=w.community_b, full_name="南湖志愿者")
    born = datetime.date(1950, 5, 1)
    c.alone = make_person(w.unit_a, name="独居老人", community=w.community_a, living_status=LivingStatus.ALONE,
                          born=born)
    c.dependent = make_person(w.unit_a, name="失能老人", community=w.community_a, self_care=SelfCare.DEPENDENT,
                              born=born)
    c.aged = make_person(w.unit_a, name="高龄老人", community=w.community_a, born=born_years_ago(92),
                         living_status=LivingStatus.WITH_CHILDREN)
    c.empty_nest = make_person(w.unit_a, name="空巢老人", community=w.community_a,
                               living_status=LivingStatus.EMPTY_NEST, born=born)
    c.ordinary = make_person(w.unit_a, name="普通老人", community=w.community_a,
                             living_status=LivingStatus.WITH_SPOUSE, born=born)
    c.dead = make_person(w.unit_a, name="已故老人", community=w.community_a, living_status=LivingStatus.ALONE,
                         born=born, deceased_on=datetime.date(2025, 1, 1))
    c.west_person = make_person(w.unit_a, name="西门空巢", community=west, living_status=LivingStatus.EMPTY_NEST,
                                born=born)
    c.no_community = make_person(w.unit_a, name="无社区独居", living_status=LivingStatus.ALONE, born=born)
    c.b_person = make_person(w.unit_b, name="乙县独居", community=w.community_b, living_status=LivingStatus.ALONE,
                             born=born)
    c.staff = w.community_a_admin
    c.staff_scope = scope_of(w.community_a_admin)
    c.county_scope = scope_of(w.county_a_admin)
    c.unit_scope = scope_of(w.unit_a_admin)
    return c


def assign(care, person=None, carer=None, *, actor=None, started_on=None, today=None, replace=False):
    actor = actor or care.staff
    return services.assign(actor=actor, scope=scope_of(actor), person=person or care.alone,
                           carer=carer or care.volunteer, started_on=started_on, today=today, replace=replace)


def log(care, assignment, outcome, *, actor=None, note="", method="phone", contacted_at=None):
    actor = actor or assignment.carer
    contact, opened = services.log_contact(actor=actor, scope=scope_of(actor), assignment=assignment, method=method,
                                           outcome=outcome, note=note, contacted_at=contacted_at)
    assignment.refresh_from_db()
    return contact, opened


def moved_carer(care):
    """A volunteer of 西门社区 (their role in use, which does not see 东门社区's people) who also volunteers in
    东门社区: a carer there who reaches 东门社区's rows only as the carer. Returns (user, logged-in client)."""
    user = make_user("moved_vol", role=Role.VOLUNTEER, node=care.west, full_name="两边志愿者")
    RoleGrant.objects.create(user=user, role=Role.VOLUNTEER, node=care.world.community_a)
    client = login(user)
    session = client.session
    session[SCOPE_SESSION_KEY] = RoleGrant.objects.get(user=user, node=care.west).pk
    session.save()
    return user, client
