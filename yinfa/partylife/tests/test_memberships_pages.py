"""Membership pages: adding a member (person picker, transfer in), transferring out, conversion, party groups,
functional branches, a person's party page, and community registration (list, export, register, end)."""

import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.permissions import Role
from yinfa.core.testing import login, make_user
from yinfa.partylife.models import (
    BranchKind,
    CommunityRegistration,
    JoinedBy,
    LeftBy,
    Membership,
    Relation,
    Standing,
)
from yinfa.partylife.services import memberships as services
from yinfa.partylife.tests.factories import make_branch, make_group, make_member, scope_of
from yinfa.people.models import Person, PoliticalStatus
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db

DAY = "2025-05-01"


@pytest.fixture
def county(world):
    branch = make_branch(world.unit_a, "甲县财政局离退休干部党支部")
    other = make_branch(world.unit_a, "甲县财政局第二党支部")
    member = make_member(branch, name="甲县老同志", community=world.community_a)
    newcomer = make_person(world.unit_a, name="甲县新来党员", political_status=PoliticalStatus.PARTY_MEMBER)
    return SimpleNamespace(world=world, branch=branch, other=other, member=member, newcomer=newcomer,
                           admin=world.county_a_admin)


def url(name, *args):
    return reverse(f"partylife:{name}", args=args)


def body(response):
    return response.content.decode()


def open_membership(person):
    return Membership.objects.get(person=person, relation=Relation.ORGANISATIONAL, ended_on__isnull=True)


# --- adding a member ----------------------------------------------------------------------------------------------

def test_the_add_member_page_finds_party_members_of_the_scope_only(county):
    make_person(county.world.unit_a, name="甲县新来群众", political_status=PoliticalStatus.MASSES)
    make_person(county.world.unit_b, name="甲县新来乙县人", political_status=PoliticalStatus.PARTY_MEMBER)
    page = body(login(county.admin).get(url("member_add", county.branch.pk), {"q": "甲县新来"}))
    assert page.count('data-testid="candidate-row"') == 1 and "甲县新来党员" in page


def test_adding_a_member_from_outside_through_the_form(county):
    client = login(county.admin)
    target = url("member_add", county.branch.pk)
    assert 'data-testid="membership-form"' in body(client.get(target, {"person": county.newcomer.pk}))
    response = client.post(target, {"person": county.newcomer.pk, "origin": "outside", "from_outside": "乙省机关党委",
                                    "started_on": DAY, "standing": Standing.FULL})
    assert response.status_code == 302
    membership = open_membership(county.newcomer)
    assert (membership.branch_id, membership.joined_by) == (county.branch.pk, JoinedBy.TRANSFER_IN)
    assert Person.objects.get(pk=county.newcomer.pk).branch_id == county.branch.pk


def test_the_form_says_when_the_person_is_already_held_elsewhere(county):
    response = login(county.admin).post(url("member_add", county.other.pk), {
        "person": county.member.pk, "origin": "first", "started_on": DAY, "standing": Standing.FULL})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert open_membership(county.member).branch_id == county.branch.pk


def test_a_transfer_from_a_branch_of_the_scope_through_the_form(county):
    response = login(county.admin).post(url("member_add", county.other.pk), {
        "person": county.member.pk, "origin": "branch", "from_branch": county.branch.pk, "started_on": DAY,
        "standing": Standing.FULL})
    assert response.status_code == 302
    assert open_membership(county.member).branch_id == county.other.pk


def test_a_person_outside_the_scope_answers_404_on_the_add_page(county):
    theirs = make_person(county.world.unit_b, name="乙县党员", political_status=PoliticalStatus.PARTY_MEMBER)
    assert login(county.admin).get(url("member_add", county.branch.pk), {"person": theirs.pk}).status_code == 404


def test_the_person_page_offers_the_branches_of_the_scope(county):
    page = body(login(county.admin).get(url("person_branch_pick", county.newcomer.pk)))
    assert "甲县财政局第二党支部" in page
    assert f"{url('member_add', county.other.pk)}?person={county.newcomer.pk}" in page


# --- transfer, conversion, groups ---------------------------------------------------------------------------------

def test_transferring_out_of_the_system_through_the_form(county):
    membership = open_membership(county.member)
    client = login(county.admin)
    assert client.get(url("membership_transfer", membership.pk)).status_code == 200
    response = client.post(url("membership_transfer", membership.pk), {
        "how": LeftBy.TRANSFER_OUT, "to_outside": "丙市机关党委", "on_date": DAY})
    assert response.status_code == 302
    assert Person.objects.get(pk=county.member.pk).branch_id is None


def test_a_transfer_needs_the_receiving_branch(county):
    membership = open_membership(county.member)
    response = login(county.admin).post(url("membership_transfer", membership.pk),
                                        {"how": LeftBy.TRANSFER, "on_date": DAY})
    assert response.status_code == 200 and "to_branch" in response.context["form"].errors


def test_converting_and_grouping_through_the_forms(county):
    probationer = make_member(county.branch, name="甲县预备党员", standing=Standing.PROBATIONARY,
                              started_on=datetime.date(2024, 5, 1))
    group = make_group(county.branch)
    membership = open_membership(probationer)
    client = login(county.admin)
    assert client.post(url("membership_convert", membership.pk), {"on_date": DAY}).status_code == 302
    assert client.post(url("membership_group", membership.pk), {"group": group.pk}).status_code == 302
    membership.refresh_from_db()
    assert membership.standing == Standing.FULL and membership.party_group == group


def test_a_secretary_cannot_touch_a_member_of_another_branch(county):
    secretary = make_user("shuji_x", role=Role.BRANCH_SECRETARY, node=county.other.node)
    client = login(secretary)
    membership = open_membership(county.member)
    assert client.get(url("membership_transfer", membership.pk)).status_code == 404
    assert client.get(url("branch_detail", county.branch.pk)).status_code == 404


# --- functional branches ------------------------------------------------------------------------------------------

def test_joining_and_leaving_a_functional_branch_through_the_pages(county):
    functional = make_branch(county.world.unit_a, "甲县老干部志愿服务队功能型党支部", kind=BranchKind.FUNCTIONAL)
    client = login(county.admin)
    response = client.post(url("person_functional_join", county.member.pk),
                           {"branch": functional.pk, "started_on": DAY})
    assert response.status_code == 302
    joined = Membership.objects.get(person=county.member, relation=Relation.FUNCTIONAL)
    page = body(client.get(url("branch_detail", functional.pk)))
    assert 'data-testid="functional-row"' in page and "甲县老同志" in page
    assert client.post(url("functional_leave", joined.pk), {"on_date": DAY}).status_code == 302
    joined.refresh_from_db()
    assert joined.ended_on is not None


def test_add_member_on_a_functional_branch_goes_to_the_functional_form(county):
    functional = make_branch(county.world.unit_a, "甲县老干部志愿服务队功能型党支部", kind=BranchKind.FUNCTIONAL)
    response = login(county.admin).get(url("member_add", functional.pk))
    assert response.status_code == 302 and response["Location"] == url("functional_add", functional.pk)


# --- the person's party page --------------------------------------------------------------------------------------

def test_the_person_page_shows_the_history_functional_branches_and_registrations(county):
    scope = scope_of(county.admin)
    services.transfer_out(actor=county.admin, scope=scope, membership=open_membership(county.member),
                          on_date=datetime.date(2025, 3, 1), how=LeftBy.TRANSFER, to_branch=county.other)
    services.register_community(actor=county.admin, scope=scope, person=county.member,
                                community=county.world.community_a, registered_on=datetime.date(2025, 4, 1))
    page = body(login(county.admin).get(url("person_party", county.member.pk)))
    assert page.count('data-testid="history-row"') == 2
    assert "甲县财政局离退休干部党支部" in page and "甲县财政局第二党支部" in page
    assert 'data-testid="registration-row"' in page and "东门社区" in page
    assert 'data-testid="transfer"' in page


def test_the_person_page_of_someone_outside_the_scope_answers_404(county):
    assert login(county.world.county_b_admin).get(url("person_party", county.member.pk)).status_code == 404


def test_the_person_page_runs_a_constant_number_of_queries(county):
    client = login(county.admin)
    target = url("person_party", county.member.pk)
    client.get(target)
    with CaptureQueriesContext(connection) as small:
        client.get(target)
    scope = scope_of(county.admin)
    for day in (datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)):
        current = open_membership(county.member)
        target_branch = county.other if current.branch_id == county.branch.pk else county.branch
        services.transfer_out(actor=county.admin, scope=scope, membership=current, on_date=day,
                              how=LeftBy.TRANSFER, to_branch=target_branch)
    with CaptureQueriesContext(connection) as large:
        client.get(target)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_person_file_links_to_the_party_page(county):
    page = body(login(county.admin).get(reverse("people:person_detail", args=[county.member.pk])))
    assert url("person_party", county.member.pk) in page


# --- community registration ---------------------------------------------------------------------------------------

def register(county, person, community=None, day=datetime.date(2025, 4, 1)):
    return services.register_community(actor=county.admin, scope=scope_of(county.admin), person=person,
                                       community=community or county.world.community_a, registered_on=day)


def test_a_community_administrator_sees_the_members_registered_with_them(county):
    elsewhere = make_member(county.branch, name="甲县异地党员")
    register(county, county.member)
    register(county, elsewhere)
    services.end_registration(actor=county.admin, scope=scope_of(county.admin),
                              registration=CommunityRegistration.objects.get(person=elsewhere),
                              ended_on=datetime.date(2025, 5, 1))
    client = login(county.world.community_a_admin)
    page = body(client.get(url("registration_list")))
    assert page.count('data-testid="registration-row"') == 1 and "甲县老同志" in page
    ended = body(client.get(url("registration_list"), {"status": "ended"}))
    assert "甲县异地党员" in ended
    assert "甲县" not in body(login(county.world.county_b_admin).get(url("registration_list")))


def test_a_community_administrator_registers_and_ends_through_the_pages(county):
    client = login(county.world.community_a_admin)
    page = body(client.get(url("registration_add"), {"q": "甲县老同志"}))
    assert 'data-testid="candidate-row"' in page
    response = client.post(url("registration_add"), {"person": county.member.pk,
                                                     "community": county.world.community_a.pk,
                                                     "registered_on": DAY})
    assert response.status_code == 302
    registration = CommunityRegistration.objects.get(person=county.member)
    assert Person.objects.get(pk=county.member.pk).registered_community_id == county.world.community_a.pk
    assert client.post(url("registration_end", registration.pk), {"on_date": "2025-06-01"}).status_code == 302
    assert Person.objects.get(pk=county.member.pk).registered_community_id is None


def test_a_registration_is_ended_only_by_those_holding_the_community(county):
    registration = register(county, county.member)
    unit_admin = login(county.world.unit_a_admin)  # sees the person by their unit, not the community
    assert unit_admin.get(url("registration_end", registration.pk)).status_code == 404
    assert login(county.world.county_b_admin).get(url("registration_end", registration.pk)).status_code == 404


def test_the_registration_export_is_masked_and_audited(county):
    register(county, county.member)
    response = login(county.world.community_a_admin).get(url("registration_export"))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "甲县老同志" and rows[1][3] == "东门社区"
    assert "****" in rows[1][7]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="partylife.communityregistration")
    assert event.personal_data and event.detail["rows"] == 1


def test_a_secretary_has_no_community_to_register_with(county):
    secretary = make_user("shuji_y", role=Role.BRANCH_SECRETARY, node=county.branch.node)
    client = login(secretary)
    response = client.post(url("registration_add"), {"person": county.member.pk,
                                                     "community": county.world.community_a.pk,
                                                     "registered_on": DAY})
    assert response.status_code == 200 and "community" in response.context["form"].errors
    assert not CommunityRegistration.objects.exists()


def test_a_unit_administrator_sees_the_person_page_without_membership_buttons(county):
    page = body(login(county.world.unit_a_admin).get(url("person_party", county.member.pk)))
    assert 'data-testid="current-membership"' in page and 'data-testid="transfer"' not in page
