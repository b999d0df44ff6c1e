"""The meeting pages: list (scope, filters, load more, export), recording, editing, copying, the attendance
screen, detail, delete, files, the calendar, and constant query counts."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.partylife.models import Attendance, Meeting, MeetingFile, MeetingKind
from yinfa.partylife.tests.factories import make_member
from yinfa.partylife.tests.meeting_fixtures import DAY, party_fixture, present_all, record  # noqa: F401
from yinfa.partylife.views import meetings as views

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def url(name, *args):
    return reverse(f"partylife:meeting_{name}", args=args)


def form_data(**values):
    data = {"kind": "general", "held_on": "2025-06-10", "starts_at": "09:00", "place": "老干部活动室",
            "topic": "学习党章", "host": "张书记", "speaker": "", "party_group": "", "agenda": "学习",
            "minutes": "记录", "counts_month": ""}
    data.update(values)
    return data


# --- list -----------------------------------------------------------------------------------------------------

def test_a_secretary_sees_only_their_branch(party):
    own = record(party, topic="本支部党员大会")
    record(party, branch=party.other_branch, actor=party.world.county_a_admin, topic="第二支部党员大会")
    html = login(party.secretary).get(url("list")).content.decode()
    assert "本支部党员大会" in html and "第二支部党员大会" not in html
    other = Meeting.objects.get(topic="第二支部党员大会")
    assert login(party.secretary).get(url("detail", other.pk)).status_code == 404
    assert login(party.secretary).get(url("detail", own.pk)).status_code == 200


def test_the_county_sees_every_branch_and_the_sibling_county_none(party):
    record(party, topic="本支部党员大会")
    record(party, branch=party.other_branch, actor=party.world.county_a_admin, topic="第二支部党员大会")
    county = login(party.world.county_a_admin).get(url("list")).content.decode()
    assert "本支部党员大会" in county and "第二支部党员大会" in county
    sibling = login(party.world.county_b_admin).get(url("list")).content.decode()
    assert "本支部党员大会" not in sibling and "第二支部党员大会" not in sibling
    assert 'data-testid="meeting-empty"' in sibling


def test_a_sibling_county_gets_404_for_every_meeting_page(party, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = record(party)
    client = login(party.world.county_b_admin)
    for name in ("detail", "edit", "copy", "delete", "attendance", "signin_sheet", "file_add"):
        assert client.get(url(name, meeting.pk)).status_code == 404, name
    assert client.post(url("roster_refresh", meeting.pk)).status_code == 404
    assert client.get(url("list") + f"?branch={party.branch.pk}").status_code == 200
    assert client.get(url("create") + f"?branch={party.branch.pk}").status_code == 404


def test_the_list_shows_participation_quorum_and_status(party):
    meeting = present_all(party, record(party), {party.members[2].pk: {
        "status": "delivered", "delivered_by": "李委员", "delivered_on": DAY}})
    record(party, kind=MeetingKind.LECTURE, topic="党课无记录", minutes="")
    response = login(party.secretary).get(url("list"))
    html = response.content.decode()
    rows = {m.topic: m for m in response.context["meetings"]}
    assert rows[meeting.topic].quorum_flag is True and rows[meeting.topic].missing == []
    assert len(rows["党课无记录"].missing) == 2
    assert "2 + 1 / 3" in html
    assert 'data-testid="quorum-met"' in html and 'data-testid="meeting-missing"' in html


def test_a_general_meeting_without_quorum_is_flagged_on_the_list_and_the_detail(party):
    first, second, _third = party.members
    meeting = present_all(party, record(party), {first.pk: {"status": "absent"}, second.pk: {
        "status": "delivered", "delivered_by": "李委员", "delivered_on": DAY}})
    assert meeting.quorum_met is False
    client = login(party.secretary)
    assert 'data-testid="quorum-missing"' in client.get(url("list")).content.decode()
    detail = client.get(url("detail", meeting.pk)).content.decode()
    assert 'data-testid="quorum-alert"' in detail and "送学上门" in detail


@pytest.mark.parametrize("query, expected", [
    ("kind=lecture", {"党课"}),
    ("date_from=2025-06-01&date_to=2025-06-30", {"六月大会"}),
    ("missing=attendance", {"党课", "六月大会"}),
    ("missing=minutes", {"党课"}),
    ("missing=any", {"党课", "六月大会"}),
])
def test_the_list_filters(party, query, expected):
    present_all(party, record(party, held_on=datetime.date(2025, 5, 6), topic="五月大会"))
    record(party, held_on=datetime.date(2025, 6, 10), topic="六月大会")
    record(party, kind=MeetingKind.LECTURE, held_on=datetime.date(2025, 7, 1), topic="党课", minutes="")
    response = login(party.secretary).get(url("list") + "?" + query)
    assert {m.topic for m in response.context["meetings"]} == expected


def test_the_branch_filter_and_a_branch_outside_the_scope(party):
    record(party, topic="本支部")
    record(party, branch=party.other_branch, actor=party.world.county_a_admin, topic="第二支部")
    client = login(party.world.county_a_admin)
    chosen = client.get(url("list") + f"?branch={party.other_branch.pk}")
    assert {m.topic for m in chosen.context["meetings"]} == {"第二支部"}
    outside = client.get(url("list") + f"?branch={party.b_branch.pk}")
    assert outside.context["meetings"] == [] and 'data-testid="filter-errors"' in outside.content.decode()


def test_load_more_pages_through_every_meeting_once(party, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for day in range(1, 6):
        record(party, held_on=datetime.date(2025, 3, day), topic=f"三月{day}日")
    client = login(party.secretary)
    seen, next_url = [], url("list")
    while next_url:
        response = client.get(next_url, headers={"HX-Request": "true"} if seen else {})
        seen += [m.topic for m in response.context["meetings"]]
        next_url = response.context["next_url"]
    assert seen == [f"三月{day}日" for day in range(5, 0, -1)]


def test_the_empty_list_says_how_to_record_the_first_meeting(party):
    html = login(party.secretary).get(url("list")).content.decode()
    assert 'data-testid="meeting-empty"' in html and 'data-testid="meeting-new"' in html


def test_the_export_holds_the_filtered_meetings_and_is_audited(party):
    present_all(party, record(party, topic="导出的大会"))
    record(party, kind=MeetingKind.LECTURE, topic="不导出的党课")
    response = login(party.secretary).get(url("export") + "?kind=general")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][3] == "导出的大会" and rows[1][6] == 3
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="partylife.meeting")
    assert event.detail == {"filters": {"kind": "general"}, "rows": 1}


def test_the_list_runs_a_constant_number_of_queries(party, django_assert_max_num_queries):
    def load(count):
        Meeting.objects.all().delete()
        for i in range(count):
            record(party, held_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i), topic=f"会议{i}")
        client = login(party.secretary)
        client.get(url("list"))  # warm the session and caches
        with django_assert_max_num_queries(12) as captured:
            response = client.get(url("list"))
        assert len(response.context["meetings"]) == count
        return len(captured)

    assert load(2) == load(20)


# --- record, edit, copy ---------------------------------------------------------------------------------------

def test_a_secretary_records_a_meeting_of_their_branch_without_choosing_it(party):
    client = login(party.secretary)
    page = client.get(url("create"))
    assert page.status_code == 200 and page.context["branch"].pk == party.branch.pk
    response = client.post(url("create") + f"?branch={party.branch.pk}", form_data())
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("attendance", meeting.pk)
    assert (meeting.branch_id, meeting.branch_path, meeting.created_by) == (party.branch.pk, party.branch.path,
                                                                            party.secretary)
    assert meeting.expected_count == 3 and meeting.starts_at == datetime.time(9, 0)


def test_a_county_administrator_first_chooses_the_branch(party):
    client = login(party.world.county_a_admin)
    chooser = client.get(url("create"))
    assert 'data-testid="choose-branch"' in chooser.content.decode()
    preselected = client.get(url("create") + f"?branch={party.other_branch.pk}")
    assert preselected.context["branch"].pk == party.other_branch.pk
    client.post(url("create") + f"?branch={party.other_branch.pk}", form_data())
    assert Meeting.objects.get().branch_id == party.other_branch.pk


def test_a_secretary_cannot_record_for_another_branch_by_url(party):
    response = login(party.secretary).post(url("create") + f"?branch={party.other_branch.pk}", form_data())
    assert response.status_code == 404 and not Meeting.objects.exists()


def test_a_viewer_without_manage_permission_cannot_record(party):
    response = login(party.world.unit_a_admin).get(url("create"))
    assert response.status_code == 403


def test_the_form_shows_the_services_refusals(party):
    response = login(party.secretary).post(url("create"), form_data(counts_month="1"))
    assert response.status_code == 200 and not Meeting.objects.exists()
    assert "counts_month" in response.context["form"].errors


def test_editing_changes_the_meeting(party):
    meeting = record(party)
    response = login(party.secretary).post(url("edit", meeting.pk), form_data(topic="改过的主题", counts_month="5"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.counts_month) == ("改过的主题", 5)


def test_copying_prefills_the_template_and_links_the_new_meeting(party):
    source = present_all(party, record(party, speaker="王老师", agenda="议程一"))
    client = login(party.secretary)
    page = client.get(url("copy", source.pk))
    initial = page.context["form"].initial
    assert (initial["kind"], initial["speaker"], initial["agenda"], initial["place"]) == (
        "general", "王老师", "议程一", "老干部活动室")
    assert "held_on" not in initial and "minutes" not in initial
    assert 'data-testid="copy-note"' in page.content.decode()
    client.post(url("copy", source.pk), form_data(held_on="2025-07-10", minutes=""))
    copy = Meeting.objects.exclude(pk=source.pk).get()
    assert copy.copied_from_id == source.pk and not copy.attendance_recorded and copy.minutes == ""
    assert not copy.files.exists()


# --- attendance -----------------------------------------------------------------------------------------------

def attendance_post(meeting):
    """Everybody present, as the attendance form posts it."""
    data = {}
    for row in meeting.attendance.all():
        pid = row.person_id
        data.update({f"status-{pid}": "present", f"reason-{pid}": "", f"by-{pid}": "", f"on-{pid}": ""})
    return data


def test_the_attendance_screen_saves_every_member_at_once(party):
    meeting = record(party)
    first, second, third = party.members
    data = attendance_post(meeting)
    data[f"status-{second.pk}"], data[f"reason-{second.pk}"] = "leave", "住院"
    data[f"status-{third.pk}"], data[f"by-{third.pk}"], data[f"on-{third.pk}"] = "delivered", "李委员", "2025-06-12"
    response = login(party.secretary).post(url("attendance", meeting.pk), data)
    assert response.status_code == 302 and response["Location"] == url("detail", meeting.pk)
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.leave_count, meeting.delivered_count) == (1, 1, 1)
    assert meeting.attendance_recorded and meeting.qualifies


def test_a_wrong_row_is_shown_with_its_message_and_nothing_is_saved(party):
    meeting = record(party)
    second = party.members[1]
    data = attendance_post(meeting)
    data[f"status-{second.pk}"] = "leave"
    response = login(party.secretary).post(url("attendance", meeting.pk), data)
    html = response.content.decode()
    assert response.status_code == 200 and "table-danger" in html
    assert not Meeting.objects.get(pk=meeting.pk).attendance_recorded
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {"absent"}
    row = next(r for r in response.context["rows"] if r.person_id == second.pk)
    assert "leave_reason" in row.errors and row.field_status == "leave"


def test_the_refresh_button_adds_a_late_member(party):
    meeting = record(party)
    late = make_member(party.branch, name="补录党员", started_on=datetime.date(2025, 5, 1))
    response = login(party.secretary).post(url("roster_refresh", meeting.pk))
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=meeting, person=late).exists()


@pytest.mark.parametrize("page", ["detail", "attendance"])
def test_detail_and_attendance_run_a_constant_number_of_queries(party, page, django_assert_max_num_queries,
                                                                settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def load(members):
        Meeting.objects.all().delete()
        while party.branch.memberships.count() < members:
            make_member(party.branch, name=f"甲县党员{party.branch.memberships.count()}")
        meeting = present_all(party, record(party))
        from yinfa.partylife.services.meeting_files import add_file

        add_file(actor=party.secretary, scope=party.scope, meeting=meeting, title="合影",
                 upload=SimpleUploadedFile("x.png", PNG))
        client = login(party.secretary)
        client.get(url(page, meeting.pk))
        with django_assert_max_num_queries(14) as captured:
            response = client.get(url(page, meeting.pk))
        assert response.status_code == 200
        assert meeting.expected_count == members
        return len(captured)

    assert load(3) == load(20)


# --- detail, delete, files ------------------------------------------------------------------------------------

def test_the_detail_shows_everything(party, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = present_all(party, record(party, agenda="一、学习", speaker="王老师"), {
        party.members[1].pk: {"status": "leave", "leave_reason": "住院"}})
    html = login(party.secretary).get(url("detail", meeting.pk)).content.decode()
    for text in ("学习贯彻党的二十届三中全会精神", "一、学习", "王老师", "会议记录", "住院", party.members[0].name):
        assert text in html
    assert 'data-testid="attendance-leave"' in html


def test_deleting_asks_first_and_says_what_goes(party):
    meeting = present_all(party, record(party))
    client = login(party.secretary)
    page = client.get(url("delete", meeting.pk)).content.decode()
    assert 'data-testid="delete-explain"' in page and Meeting.objects.filter(pk=meeting.pk).exists()
    response = client.post(url("delete", meeting.pk), {"confirm": "True"})
    assert response.status_code == 302 and not Meeting.objects.filter(pk=meeting.pk).exists()


def test_files_are_uploaded_served_in_scope_only_and_removed(party, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = record(party)
    client = login(party.secretary)
    response = client.post(url("file_add", meeting.pk), {"title": "合影", "file": SimpleUploadedFile("a.png", PNG)})
    assert response.status_code == 302
    photo = MeetingFile.objects.get()
    served = client.get(url("file", photo.pk))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert "no-store" in served["Cache-Control"] and "sandbox" in served["Content-Security-Policy"]
    assert b"".join(served.streaming_content) == PNG
    assert login(party.world.county_b_admin).get(url("file", photo.pk)).status_code == 404
    refused = client.post(url("file_add", meeting.pk), {"title": "", "file": SimpleUploadedFile("a.exe", b"MZ..")})
    assert refused.status_code == 200 and "file" in refused.context["form"].errors
    assert client.post(url("file_delete", photo.pk), {"confirm": "True"}).status_code == 302
    assert not MeetingFile.objects.exists()


# --- calendar -------------------------------------------------------------------------------------------------

def test_the_calendar_shows_the_month_of_the_branch_by_day(party):
    record(party, held_on=datetime.date(2025, 6, 10), topic="六月大会")
    record(party, held_on=datetime.date(2025, 7, 1), topic="七月党课", kind=MeetingKind.LECTURE)
    record(party, branch=party.other_branch, actor=party.world.county_a_admin, held_on=datetime.date(2025, 6, 12),
           topic="第二支部六月")
    client = login(party.world.county_a_admin)
    response = client.get(url("calendar") + f"?branch={party.branch.pk}&month=2025-06")
    html = response.content.decode()
    assert "六月大会" in html and "七月党课" not in html and "第二支部六月" not in html
    day = next(cell for week in response.context["weeks"] for cell in week
               if cell["day"] == datetime.date(2025, 6, 10))
    assert [m.topic for m in day["meetings"]] == ["六月大会"]
    assert response.context["previous"] == f"?month=2025-05&branch={party.branch.pk}"
    assert response.context["following"] == f"?month=2025-07&branch={party.branch.pk}"
    whole_county = client.get(url("calendar") + "?month=2025-06").content.decode()
    assert "第二支部六月" in whole_county


def test_the_calendar_crosses_the_year_and_ignores_a_bad_month(party):
    client = login(party.secretary)
    december = client.get(url("calendar") + "?month=2025-12")
    assert december.context["following"].startswith("?month=2026-01")
    assert client.get(url("calendar") + "?month=2025-13").status_code == 200
    outside = client.get(url("calendar") + f"?branch={party.b_branch.pk}&month=2025-06")
    assert outside.status_code == 404


def test_the_calendar_of_a_secretary_shows_their_branch_without_choosing_it(party):
    record(party, held_on=datetime.date(2025, 6, 10), topic="六月大会")
    response = login(party.secretary).get(url("calendar") + "?month=2025-06")
    assert response.context["branch"].pk == party.branch.pk
    assert response.context["count"] == 1
    assert response.context["following"] == f"?month=2025-07&branch={party.branch.pk}"
