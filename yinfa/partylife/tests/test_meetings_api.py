"""The meetings API: list with filters and cursor, detail with attendance, create, update, attendance rows;
scoped like the pages (out of scope → 404)."""

import datetime

import pytest
from django.urls import reverse

from yinfa.core.testing import login
from yinfa.partylife.models import Meeting, MeetingKind
from yinfa.partylife.tests.meeting_fixtures import DAY, party_fixture, present_all, record  # noqa: F401

pytestmark = pytest.mark.django_db
LIST = "/api/party/meetings/"


def detail(pk):
    return reverse("party-meeting-detail", kwargs={"pk": pk})


def test_the_list_is_scoped_filtered_and_paged(party):
    for day in (1, 2, 3):
        record(party, held_on=datetime.date(2025, 4, day), topic=f"四月{day}日")
    record(party, kind=MeetingKind.LECTURE, held_on=datetime.date(2025, 5, 1), topic="五月党课")
    record(party, branch=party.other_branch, actor=party.world.county_a_admin, topic="第二支部")
    client = login(party.secretary)
    first = client.get(LIST, {"page_size": 2}).json()
    assert [row["topic"] for row in first["results"]] == ["五月党课", "四月3日"]
    second = client.get(first["next"]).json()
    assert [row["topic"] for row in second["results"]] == ["四月2日", "四月1日"] and second["next"] is None
    lectures = client.get(LIST, {"kind": "lecture"}).json()["results"]
    assert [row["topic"] for row in lectures] == ["五月党课"]
    april = client.get(LIST, {"date_from": "2025-04-02", "date_to": "2025-04-30"}).json()["results"]
    assert {row["topic"] for row in april} == {"四月2日", "四月3日"}
    assert client.get(LIST, {"branch": party.other_branch.pk}).status_code == 400
    assert login(party.world.county_b_admin).get(LIST).json()["results"] == []


def test_the_detail_holds_the_attendance_rows(party):
    meeting = present_all(party, record(party), {party.members[1].pk: {
        "status": "delivered", "delivered_by": "李委员", "delivered_on": DAY}})
    data = login(party.secretary).get(detail(meeting.pk)).json()
    assert data["quorum_met"] is True and data["delivered_count"] == 1 and data["branch"]["id"] == party.branch.pk
    rows = {row["person"]: row for row in data["attendance"]}
    delivered = rows[party.members[1].pk]
    assert (delivered["name"], delivered["status"], delivered["delivered_by"], delivered["delivered_on"]) == (
        party.members[1].name, "delivered", "李委员", "2025-06-10")
    assert login(party.world.county_b_admin).get(detail(meeting.pk)).status_code == 404


def test_create_update_and_attendance_through_the_api(party):
    client = login(party.secretary)
    created = client.post(LIST, {"branch": party.branch.pk, "kind": "general", "held_on": "2025-06-10",
                                 "topic": "接口录入的大会", "minutes": "记录"}, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created["Location"] == detail(pk) and created.json()["expected_count"] == 3
    changed = client.patch(detail(pk), {"place": "活动室", "counts_month": 5}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["place"] == "活动室" and changed.json()["counts_month"] == 5
    rows = [{"person": p.pk, "status": "present"} for p in party.members]
    rows[0] = {"person": party.members[0].pk, "status": "leave"}
    refused = client.put(detail(pk) + "attendance/", rows, content_type="application/json")
    assert refused.status_code == 400 and str(party.members[0].pk) in refused.json()["rows"]
    rows[0]["leave_reason"] = "住院"
    saved = client.put(detail(pk) + "attendance/", rows, content_type="application/json")
    assert saved.status_code == 200
    assert (saved.json()["present_count"], saved.json()["leave_count"], saved.json()["qualifies"]) == (2, 1, True)
    listed = client.get(detail(pk) + "attendance/").json()
    assert {row["status"] for row in listed} == {"present", "leave"}


def test_the_api_refuses_a_branch_outside_the_scope_and_viewers_cannot_write(party):
    client = login(party.secretary)
    response = client.post(LIST, {"branch": party.other_branch.pk, "kind": "general", "held_on": "2025-06-10",
                                  "topic": "越权"}, content_type="application/json")
    assert response.status_code == 400 and "branch" in response.json()
    meeting = record(party)
    viewer = login(party.world.unit_a_admin)
    assert viewer.get(detail(meeting.pk)).status_code == 200
    assert viewer.patch(detail(meeting.pk), {"topic": "改"}, content_type="application/json").status_code == 403
    assert viewer.put(detail(meeting.pk) + "attendance/", [], content_type="application/json").status_code == 403
    assert not Meeting.objects.filter(topic="越权").exists()


def test_a_service_refusal_is_a_400_with_the_field(party):
    response = login(party.secretary).post(LIST, {
        "branch": party.branch.pk, "kind": "group", "held_on": "2025-06-10", "topic": "小组会"},
        content_type="application/json")
    assert response.status_code == 400 and "party_group" in response.json()
