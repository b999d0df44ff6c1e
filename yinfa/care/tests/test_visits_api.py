"""The visits API: the list of the scope with the page's filters and a cursor, the detail, recording, correcting
(PATCH) and deleting (DELETE with a reason) a visit through the same services (their checks answered as 400); out of
scope → 404 or not listed."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from yinfa.care.models import Visit, VisitKind
from yinfa.care.services.visits import create_visit
from yinfa.core.models import AuditEvent, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import login, make_user
from yinfa.people.models import LifeEvent, LifeEventKind
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
LIST = "/api/care/visits/"


def detail(pk):
    return reverse("visit-detail", kwargs={"pk": pk})


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def person(world):
    return make_person(world.unit_a, name="张德明", community=world.community_a)


def visit(world, person, user=None, task=None, **values):
    user = user or world.unit_a_admin
    scope = Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))
    values = {"kind": VisitKind.ROUTINE, "visited_on": days_ago(0), "visitors": "王科长", **values}
    return create_visit(actor=user, scope=scope, person=person, values=values, task=task)


def test_the_list_is_scoped_filtered_and_paged(world, person):
    for n in (1, 2, 3):
        visit(world, person, visited_on=days_ago(n), visitors=f"走访人{n}")
    visit(world, person, kind=VisitKind.BIRTHDAY, visited_on=days_ago(0), visitors="生日走访")
    visit(world, make_person(world.unit_b, name="乙县老同志"), user=world.county_b_admin, visitors="乙县")
    client = login(world.community_a_admin)
    first = client.get(LIST, {"page_size": 2}).json()
    assert [row["visitors"] for row in first["results"]] == ["生日走访", "走访人1"]
    second = client.get(first["next"]).json()
    assert [row["visitors"] for row in second["results"]] == ["走访人2", "走访人3"] and second["next"] is None
    assert [r["visitors"] for r in client.get(LIST, {"kind": "birthday"}).json()["results"]] == ["生日走访"]
    assert len(client.get(LIST, {"date_from": days_ago(2).isoformat()}).json()["results"]) == 3
    assert len(client.get(LIST, {"name": "zdm"}).json()["results"]) == 4
    assert client.get(LIST, {"organisation": world.unit_b.pk}).status_code == 400
    assert [r["visitors"] for r in login(world.county_b_admin).get(LIST).json()["results"]] == ["乙县"]


def test_the_detail_holds_the_visit_and_is_not_found_outside_the_scope(world, person):
    visited = visit(world, person, gift="花篮", money=Decimal("200"), needs="送餐")
    data = login(world.community_a_admin).get(detail(visited.pk)).json()
    assert (data["person"]["name"], data["person"]["unit"], data["kind"], data["gift"], data["money"],
            data["needs"], data["organisation"]["name"]) == ("张德明", "甲县财政局", "routine", "花篮", "200.00",
                                                             "送餐", "甲县财政局")
    assert login(world.county_b_admin).get(detail(visited.pk)).status_code == 404


def test_a_visit_is_recorded_through_the_api_with_the_services_checks(world, person):
    stay = LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, starts_on=days_ago(2), place="医院")
    client = login(world.community_a_admin)
    created = client.post(LIST, {"person": person.pk, "kind": "hospital", "visited_on": days_ago(0).isoformat(),
                                 "visitors": "社区主任", "money": "300.00", "hospital_stay": stay.pk},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert created["Location"] == detail(data["id"]) and data["hospital_stay"] == stay.pk
    assert data["organisation"]["name"] == "东门社区"
    assert AuditEvent.objects.filter(object_type="care.visit", object_id=str(data["id"])).exists()
    future = client.post(LIST, {"person": person.pk, "kind": "routine", "visitors": "王",
                                "visited_on": days_ago(-3).isoformat()}, content_type="application/json")
    assert future.status_code == 400 and "visited_on" in future.json()
    fen = client.post(LIST, {"person": person.pk, "kind": "routine", "visitors": "王", "money": "1.005",
                             "visited_on": days_ago(0).isoformat()}, content_type="application/json")
    assert fen.status_code == 400 and "money" in fen.json()
    assert Visit.objects.count() == 1


def test_a_person_outside_the_scope_is_unknown_to_the_api(world):
    stranger = make_person(world.unit_b, name="乙县老同志")
    response = login(world.unit_a_admin).post(LIST, {"person": stranger.pk, "kind": "routine", "visitors": "王",
                                                     "visited_on": days_ago(0).isoformat()},
                                              content_type="application/json")
    assert response.status_code == 400 and "person" in response.json() and not Visit.objects.exists()


def test_a_role_without_care_cannot_use_the_visits_api(world, person):
    secretary = make_user("secretary", role=Role.BRANCH_SECRETARY, node=world.unit_a)
    client = login(secretary)
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, {"person": person.pk}, content_type="application/json").status_code == 403


# --- corrections ---------------------------------------------------------------------------------------------------

def test_a_visit_is_corrected_with_patch_through_the_service(world, person):
    visited = visit(world, person, gift="米", money=Decimal("100"))
    client = login(world.community_a_admin)
    response = client.patch(detail(visited.pk), {"gift": "米和油", "money": "150.50"},
                            content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["gift"], data["money"], data["visitors"], data["organisation"]["name"]) == (
        "米和油", "150.50", "王科长", "甲县财政局")
    event = AuditEvent.objects.get(action="update", object_type="care.visit")
    assert event.changes == {"gift": ["米", "米和油"], "money": ["100.00", "150.50"]} and event.personal_data
    future = client.patch(detail(visited.pk), {"visited_on": days_ago(-2).isoformat()},
                          content_type="application/json")
    assert future.status_code == 400 and "visited_on" in future.json()
    other = make_person(world.unit_a, name="李秀英")
    moved = client.patch(detail(visited.pk), {"person": other.pk}, content_type="application/json")
    assert moved.status_code == 400 and "person" in moved.json()
    assert Visit.objects.get().person == person


def test_a_visit_is_deleted_with_a_reason_in_the_body(world, person):
    visited = visit(world, person)
    client = login(world.unit_a_admin)
    assert client.delete(detail(visited.pk), {}, content_type="application/json").status_code == 400
    blank = client.delete(detail(visited.pk), {"reason": " "}, content_type="application/json")
    assert blank.status_code == 400 and "reason" in blank.json()
    assert Visit.objects.exists()
    done = client.delete(detail(visited.pk), {"reason": "重复录入"}, content_type="application/json")
    assert done.status_code == 204 and not Visit.objects.exists()
    assert AuditEvent.objects.get(action="delete", object_type="care.visit").detail["reason"] == "重复录入"


def test_the_api_refuses_to_delete_the_visit_of_a_closed_campaign(world, person):
    from yinfa.care.models import CampaignStatus, CampaignTask, VisitCampaign

    campaign = VisitCampaign.objects.create(title="春节慰问", year=2026, node=world.county_a, due_on=days_ago(0),
                                            scope_path=world.county_a.path, status=CampaignStatus.OPEN)
    task = CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.unit_a,
                                       assignee_path=world.unit_a.path)
    visited = visit(world, person, task=task, kind=VisitKind.FESTIVAL)
    VisitCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    refused = login(world.unit_a_admin).delete(detail(visited.pk), {"reason": "录错"},
                                               content_type="application/json")
    assert refused.status_code == 400 and "closed" in " ".join(refused.json()["non_field_errors"])
    assert Visit.objects.filter(pk=visited.pk).exists()


def test_corrections_through_the_api_are_not_found_outside_the_scope_and_refused_without_care(world, person):
    visited = visit(world, person)
    outsider = login(world.county_b_admin)
    assert outsider.patch(detail(visited.pk), {"gift": "乙"}, content_type="application/json").status_code == 404
    assert outsider.delete(detail(visited.pk), {"reason": "乙"}, content_type="application/json").status_code == 404
    secretary = login(make_user("secretary", role=Role.BRANCH_SECRETARY, node=world.unit_a))
    assert secretary.patch(detail(visited.pk), {"gift": "x"}, content_type="application/json").status_code == 403
    assert secretary.delete(detail(visited.pk), {"reason": "x"}, content_type="application/json").status_code == 403
    assert Visit.objects.get().gift == ""
