"""The JSON API of branches and memberships: scoped lists and details, warnings and the committee in office,
adding a member and the transfer action, and the OpenAPI schema."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from yinfa.core.permissions import Role
from yinfa.core.testing import make_user
from yinfa.partylife.models import CommitteePost, LeftBy, Membership, Relation
from yinfa.partylife.services import branches as branch_services
from yinfa.partylife.tests.factories import make_branch, make_group, make_member, scope_of
from yinfa.people.models import Person, PoliticalStatus
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def county(world):
    branch = make_branch(world.unit_a, "甲县财政局离退休干部党支部")
    other = make_branch(world.unit_a, "甲县财政局第二党支部")
    members = [make_member(branch, name=f"甲县老同志{i}") for i in range(3)]
    theirs = make_branch(world.unit_b, "乙县教育局离退休党支部")
    make_member(theirs, name="乙县党员")
    return type("County", (), {"world": world, "branch": branch, "other": other, "members": members,
                               "theirs": theirs, "admin": world.county_a_admin})


def test_the_branch_list_is_scoped_and_filtered(county):
    client = api(county.admin)
    rows = client.get("/api/party/branches/").json()["results"]
    assert {r["name"] for r in rows} == {"甲县财政局离退休干部党支部", "甲县财政局第二党支部"}
    warned = client.get("/api/party/branches/", {"warnings": "yes"}).json()["results"]
    assert [r["name"] for r in warned] == ["甲县财政局第二党支部"]  # no member at all
    assert warned[0]["warnings"][0]["code"] == "too_few"
    assert client.get("/api/party/branches/", {"kind": "nonsense"}).status_code == 400


def test_the_branch_detail_has_warnings_committee_and_groups(county):
    make_group(county.branch)
    branch_services.elect_committee(actor=county.admin, scope=scope_of(county.admin), branch=county.branch,
                                    elected_on=datetime.date(2025, 1, 10),
                                    posts={CommitteePost.SECRETARY: county.members[0]})
    data = api(county.admin).get(f"/api/party/branches/{county.branch.pk}/").json()
    assert data["committee"]["ends_on"] == "2028-01-10"
    assert data["committee"]["posts"] == [{"post": "secretary", "person": {
        "id": county.members[0].pk, "name": "甲县老同志0"}, "started_on": "2025-01-10"}]
    assert data["secretary"] == "甲县老同志0" and data["party_groups"][0]["name"] == "甲县财政局第一党小组"
    assert data["full_members"] == 3 and data["warnings"] == []


def test_out_of_scope_objects_answer_404(county):
    client = api(county.world.county_b_admin)
    membership = Membership.objects.filter(branch=county.branch).first()
    assert client.get(f"/api/party/branches/{county.branch.pk}/").status_code == 404
    assert client.get(f"/api/party/memberships/{membership.pk}/").status_code == 404
    assert client.post(f"/api/party/memberships/{membership.pk}/transfer/",
                       {"how": "died", "on_date": "2025-05-01"}, format="json").status_code == 404


def test_memberships_are_listed_by_branch_and_person(county):
    client = api(county.admin)
    by_branch = client.get("/api/party/memberships/", {"branch": county.branch.pk}).json()["results"]
    assert len(by_branch) == 3 and by_branch[0]["branch"]["name"] == "甲县财政局离退休干部党支部"
    by_person = client.get("/api/party/memberships/", {"person": county.members[1].pk}).json()["results"]
    assert [r["person"]["name"] for r in by_person] == ["甲县老同志1"]
    assert client.get("/api/party/memberships/", {"branch": county.theirs.pk}).json()["results"] == []


def test_adding_a_member_through_the_api(county):
    newcomer = make_person(county.world.unit_a, name="甲县新党员", political_status=PoliticalStatus.PARTY_MEMBER)
    client = api(county.admin)
    response = client.post("/api/party/memberships/", {
        "person": newcomer.pk, "branch": county.other.pk, "started_on": "2025-05-01",
        "from_outside": "乙省机关党委"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["joined_by"] == "transfer_in"
    assert Person.objects.get(pk=newcomer.pk).branch_id == county.other.pk
    again = client.post("/api/party/memberships/", {
        "person": newcomer.pk, "branch": county.branch.pk, "started_on": "2025-05-01",
        "joined_by": "founding"}, format="json")
    assert again.status_code == 400 and "person" in again.json()


def test_the_api_refuses_out_of_scope_ids_and_viewers(county):
    theirs = make_person(county.world.unit_b, name="乙县人", political_status=PoliticalStatus.PARTY_MEMBER)
    response = api(county.admin).post("/api/party/memberships/", {
        "person": theirs.pk, "branch": county.branch.pk, "started_on": "2025-05-01"}, format="json")
    assert response.status_code == 400 and "person" in response.json()
    viewer = make_user("unit_viewer", role=Role.UNIT_ADMIN, node=county.world.unit_a)
    assert api(viewer).post("/api/party/memberships/", {}, format="json").status_code == 403


def test_the_transfer_action_moves_the_member(county):
    membership = Membership.objects.get(person=county.members[2], relation=Relation.ORGANISATIONAL)
    response = api(county.admin).post(f"/api/party/memberships/{membership.pk}/transfer/", {
        "how": LeftBy.TRANSFER, "on_date": "2025-05-01", "to_branch": county.other.pk}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["ended"]["left_by"] == "transfer" and data["new"]["branch"]["id"] == county.other.pk
    assert Person.objects.get(pk=county.members[2].pk).branch_id == county.other.pk


def test_a_transfer_without_its_target_is_refused(county):
    membership = Membership.objects.get(person=county.members[2], relation=Relation.ORGANISATIONAL)
    response = api(county.admin).post(f"/api/party/memberships/{membership.pk}/transfer/", {
        "how": LeftBy.TRANSFER_OUT, "on_date": "2025-05-01"}, format="json")
    assert response.status_code == 400 and "to_outside" in response.json()


def test_the_schema_documents_the_party_api(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = target.read_text()
    assert "/api/party/branches/{node}/:" in schema and "/api/party/memberships/{id}/transfer/:" in schema
    assert "PartyBranchDetail" in schema and "PartyMembershipCreate" in schema
    assert reverse("party-branch-list") == "/api/party/branches/"
