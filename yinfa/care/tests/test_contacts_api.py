"""The care contacts API: assignments (list, the unassigned, create), contacts (list, log), escalations (list,
follow-up) and policies (effective policy, set, change, remove); scoped like the pages (out of scope → 404)."""

import datetime

import pytest
from django.utils import timezone

from yinfa.care.models import CareAssignment, CarePolicy, Escalation, EscalationStatus
from yinfa.care.services import contacts as services
from yinfa.care.tests.test_contacts_helpers import assign, care_fixture, log, moved_carer  # noqa: F401
from yinfa.core.testing import login

pytestmark = pytest.mark.django_db
ASSIGNMENTS = "/api/care/assignments/"
CONTACTS = "/api/care/contacts/"
ESCALATIONS = "/api/care/escalations/"
POLICIES = "/api/care/policies/"


def test_assignments_are_listed_soonest_due_first_and_paged(care):
    first = assign(care)
    second = assign(care, care.dependent)
    CareAssignment.objects.filter(pk=second.pk).update(next_due_on=timezone.localdate() - datetime.timedelta(2))
    client = login(care.staff)
    page = client.get(ASSIGNMENTS, {"page_size": 1}).json()
    assert [row["id"] for row in page["results"]] == [second.pk] and page["results"][0]["overdue"] is True
    rest = client.get(page["next"]).json()
    assert [row["id"] for row in rest["results"]] == [first.pk] and rest["next"] is None
    assert rest["results"][0]["carer"] == {"id": care.volunteer.pk, "name": "东门志愿者"}
    assert login(care.world.county_b_admin).get(ASSIGNMENTS).json()["results"] == []
    assert login(care.world.county_b_admin).get(f"{ASSIGNMENTS}{first.pk}/").status_code == 404


def test_a_volunteer_sees_only_their_own_assignments(care):
    mine = assign(care)
    assign(care, care.dependent, carer=care.other_volunteer)
    rows = login(care.volunteer).get(ASSIGNMENTS).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]


def test_the_unassigned_are_listed(care):
    assign(care)
    names = {row["name"] for row in login(care.staff).get(f"{ASSIGNMENTS}unassigned/").json()}
    assert names == {"失能老人", "高龄老人", "空巢老人"}
    assert login(care.volunteer).get(f"{ASSIGNMENTS}unassigned/").status_code == 403


def test_an_assignment_is_created_through_the_service(care):
    client = login(care.staff)
    response = client.post(ASSIGNMENTS, {"person": care.alone.pk, "carer": care.volunteer.pk},
                           content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["interval_days"] == 7
    refused = client.post(ASSIGNMENTS, {"person": care.dependent.pk, "carer": care.west_volunteer.pk},
                          content_type="application/json")
    assert refused.status_code == 400 and "carer" in refused.json()
    outside = client.post(ASSIGNMENTS, {"person": care.b_person.pk, "carer": care.volunteer.pk},
                          content_type="application/json")
    assert outside.status_code == 400 and "person" in outside.json()
    assert login(care.volunteer).post(ASSIGNMENTS, {"person": care.dependent.pk, "carer": care.volunteer.pk},
                                      content_type="application/json").status_code == 403
    handover = {"person": care.alone.pk, "carer": care.other_volunteer.pk}
    assert client.post(ASSIGNMENTS, handover, content_type="application/json").status_code == 400
    moved = client.post(ASSIGNMENTS, {**handover, "replace": True}, content_type="application/json")
    assert moved.status_code == 201 and moved.json()["carer"]["id"] == care.other_volunteer.pk


def test_the_carer_logs_contacts_and_the_second_no_answer_escalates(care):
    assignment = assign(care)
    client = login(care.volunteer)
    for _ in range(2):
        response = client.post(CONTACTS, {"assignment": assignment.pk, "method": "phone", "outcome": "no_answer"},
                               content_type="application/json")
        assert response.status_code == 201, response.json()
    assert Escalation.objects.filter(status=EscalationStatus.OPEN).count() == 1
    rows = client.get(CONTACTS, {"outcome": "no_answer"}).json()["results"]
    assert len(rows) == 2 and rows[0]["carer"]["id"] == care.volunteer.pk
    bad = client.post(CONTACTS, {"assignment": assignment.pk, "method": "phone", "outcome": "needs_help"},
                      content_type="application/json")
    assert bad.status_code == 400 and "note" in bad.json()
    other = login(care.other_volunteer).post(CONTACTS, {"assignment": assignment.pk, "method": "phone",
                                                        "outcome": "well"}, content_type="application/json")
    assert other.status_code == 404  # not theirs, and a volunteer does not see the scope's assignments
    assert login(care.world.county_b_admin).post(CONTACTS, {"assignment": assignment.pk, "method": "phone",
                                                            "outcome": "well"},
                                                 content_type="application/json").status_code == 404


def test_escalations_are_listed_and_followed_up(care):
    assignment = assign(care)
    log(care, assignment, "no_answer")
    escalation = log(care, assignment, "no_answer")[1][0]
    client = login(care.world.unit_a_admin)
    rows = client.get(ESCALATIONS, {"status": "open"}).json()["results"]
    assert [(row["id"], row["reason"]) for row in rows] == [(escalation.pk, "no_answer")]
    empty = client.post(f"{ESCALATIONS}{escalation.pk}/resolve/", {"follow_up": ""}, content_type="application/json")
    assert empty.status_code == 400
    done = client.post(f"{ESCALATIONS}{escalation.pk}/resolve/", {"follow_up": "已电话联系子女"},
                       content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert done.json()["resolved_by"]["id"] == care.world.unit_a_admin.pk
    assert login(care.volunteer).get(ESCALATIONS).json()["results"][0]["id"] == escalation.pk
    assert login(care.volunteer).post(f"{ESCALATIONS}{escalation.pk}/resolve/", {"follow_up": "x"},
                                      content_type="application/json").status_code == 403
    assert login(care.world.county_b_admin).get(f"{ESCALATIONS}{escalation.pk}/").status_code == 404


def test_policies_are_read_and_set_for_the_own_organisation(care):
    county = login(care.world.county_a_admin)
    created = county.post(POLICIES, {"condition": "empty_nest", "interval_days": 10},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["own"] is True
    community = login(care.staff)
    listing = community.get(POLICIES).json()
    effective = {rule["condition"]: rule for rule in listing["effective"]}
    assert effective["empty_nest"]["interval_days"] == 10 and effective["empty_nest"]["source"]["name"] == "甲县"
    assert effective["alone"]["source"] is None
    row_id = created.json()["id"]
    assert community.patch(f"{POLICIES}{row_id}/", {"interval_days": 3},
                           content_type="application/json").status_code == 403  # the county's row
    assert county.patch(f"{POLICIES}{row_id}/", {"active": False}, content_type="application/json").json()[
        "active"] is False
    assert county.put(f"{POLICIES}{row_id}/", {"interval_days": 61},
                      content_type="application/json").status_code == 400
    assert login(care.world.unit_a_admin).post(POLICIES, {"condition": "alone", "interval_days": 5},
                                               content_type="application/json").status_code == 403
    assert login(care.world.county_b_admin).get(f"{POLICIES}{row_id}/").status_code == 404
    assert county.delete(f"{POLICIES}{row_id}/").status_code == 204
    assert not CarePolicy.objects.exists()


def test_a_former_carer_loses_the_assignment_its_contacts_and_escalations(care):
    """A volunteer working in 西门社区 (their role in use) who also volunteers in 东门社区 reaches 独居老人's rows only
    as the carer, and only while the assignment is open."""
    carer, client = moved_carer(care)
    assignment = assign(care, carer=carer)
    log(care, assignment, "no_answer")
    escalation = log(care, assignment, "no_answer")[1][0]
    assert [row["id"] for row in client.get(ASSIGNMENTS).json()["results"]] == [assignment.pk]
    assert len(client.get(CONTACTS).json()["results"]) == 2
    assert client.get(f"{ESCALATIONS}{escalation.pk}/").status_code == 200
    services.end_assignment(actor=care.staff, scope=care.staff_scope, assignment=assignment)
    assert client.get(ASSIGNMENTS).json()["results"] == []
    assert client.get(f"{ASSIGNMENTS}{assignment.pk}/").status_code == 404
    assert client.get(CONTACTS).json()["results"] == []
    assert client.get(ESCALATIONS).json()["results"] == []
    assert client.get(f"{ESCALATIONS}{escalation.pk}/").status_code == 404
    assert client.post(CONTACTS, {"assignment": assignment.pk, "method": "phone", "outcome": "well"},
                       content_type="application/json").status_code == 404
    staff = login(care.staff)  # the scope still sees the ended assignment and its history
    assert staff.get(f"{ASSIGNMENTS}{assignment.pk}/").json()["ended_on"] is not None
    assert len(staff.get(CONTACTS).json()["results"]) == 2
