"""The meeting services: the roster on the meeting day, voting, quorum, the attendance rules, the cached counts,
qualification, make-up months, roster refresh, copy, delete, files and compliance kept current."""

import calendar
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yinfa.core import uploads
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.partylife.models import Attendance, BranchCompliance, Meeting, MeetingFile, MeetingKind, Membership, Standing
from yinfa.partylife.services import meeting_files
from yinfa.partylife.services import meetings as services
from yinfa.partylife.tests.factories import make_group, make_member, make_membership
from yinfa.partylife.tests.meeting_fixtures import DAY, party_fixture, present_all, record, scope_of  # noqa: F401
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def statuses(meeting):
    return {row.person_id: row.status for row in Attendance.objects.filter(meeting=meeting)}


# --- the roster -----------------------------------------------------------------------------------------------

def test_the_roster_holds_the_members_on_the_meeting_day_only(party):
    left_before = make_member(party.branch, name="早退党员")
    Membership.objects.filter(person=left_before).update(ended_on=DAY - datetime.timedelta(days=1), left_by="died")
    joined_after = make_member(party.branch, name="新转入党员", started_on=DAY + datetime.timedelta(days=1))
    left_that_day = make_member(party.branch, name="当天转出党员")
    Membership.objects.filter(person=left_that_day).update(ended_on=DAY, left_by="transfer")
    meeting = record(party)
    on_roster = set(statuses(meeting))
    assert on_roster == {p.pk for p in party.members}
    assert left_before.pk not in on_roster and joined_after.pk not in on_roster and left_that_day.pk not in on_roster
    assert meeting.expected_count == 3


def test_probationary_members_are_on_the_roster_but_do_not_vote(party):
    probationer = make_member(party.branch, name="预备党员", standing=Standing.PROBATIONARY,
                              started_on=datetime.date(2025, 1, 1))
    meeting = record(party)
    voting = {row.person_id: row.is_voting for row in Attendance.objects.filter(meeting=meeting)}
    assert voting[probationer.pk] is False
    assert all(voting[p.pk] for p in party.members)
    assert (meeting.expected_count, meeting.voting_count) == (4, 3)


def test_a_member_whose_probation_ended_before_the_meeting_votes(party):
    converted = make_member(party.branch, name="已转正党员")
    Membership.objects.filter(person=converted).update(probation_from=datetime.date(2024, 1, 1),
                                                       probation_until=datetime.date(2025, 1, 1))
    meeting = record(party)
    assert Attendance.objects.get(meeting=meeting, person=converted).is_voting is True


def test_a_party_group_meeting_has_only_the_group_on_its_roster(party):
    group = make_group(party.branch, name="甲县财政局第一党小组")
    Membership.objects.filter(person=party.members[0]).update(party_group=group)
    meeting = record(party, kind=MeetingKind.GROUP, party_group=group)
    assert set(statuses(meeting)) == {party.members[0].pk}


def test_a_party_group_meeting_needs_a_group_of_its_own_branch(party):
    with pytest.raises(ValidationError) as missing:
        record(party, kind=MeetingKind.GROUP, party_group=None)
    assert "party_group" in missing.value.message_dict
    foreign = make_group(party.other_branch, name="甲县财政局第二党小组")
    with pytest.raises(ValidationError) as wrong:
        record(party, kind=MeetingKind.GROUP, party_group=foreign)
    assert "party_group" in wrong.value.message_dict


def test_the_group_is_dropped_from_meetings_of_other_kinds(party):
    group = make_group(party.branch)
    meeting = record(party, kind=MeetingKind.LECTURE, party_group=group)
    assert meeting.party_group_id is None and meeting.expected_count == 3


def test_refreshing_the_roster_adds_late_members_and_keeps_recorded_statuses(party):
    meeting = record(party)
    first = party.members[0]
    present_all(party, meeting, {first.pk: {"status": "leave", "leave_reason": "住院"}})
    late = make_member(party.branch, name="补录党员", started_on=datetime.date(2025, 5, 1))
    added, removed = services.refresh_roster(actor=party.secretary, scope=party.scope, meeting=meeting)
    assert (added, removed) == (1, 0)
    rows = statuses(meeting)
    assert rows[late.pk] == "absent" and rows[first.pk] == "leave"
    meeting.refresh_from_db()
    assert (meeting.expected_count, meeting.present_count, meeting.leave_count, meeting.absent_count) == (4, 2, 1, 1)


def test_a_new_date_rebuilds_the_roster_for_that_day(party):
    meeting = record(party)
    late = make_member(party.branch, name="七月转入", started_on=datetime.date(2025, 7, 1))
    values = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    values["held_on"] = datetime.date(2025, 7, 5)
    meeting = services.update_meeting(actor=party.secretary, scope=party.scope, meeting=meeting, values=values)
    assert late.pk in statuses(meeting) and meeting.expected_count == 4


# --- attendance and counts ------------------------------------------------------------------------------------

def test_saving_attendance_caches_the_counts_and_qualifies_the_meeting(party):
    meeting = record(party)
    a, b, c = party.members
    extra = make_member(party.branch, name="甲县党员3")
    services.refresh_roster(actor=party.secretary, scope=party.scope, meeting=meeting)
    meeting = present_all(party, meeting, {
        b.pk: {"status": "leave", "leave_reason": "外出"},
        c.pk: {"status": "delivered", "delivered_by": "李委员", "delivered_on": DAY + datetime.timedelta(days=2)},
        extra.pk: {"status": "absent"},
    })
    stored = Meeting.objects.get(pk=meeting.pk)
    assert (stored.expected_count, stored.present_count, stored.delivered_count, stored.leave_count,
            stored.absent_count) == (4, 1, 1, 1, 1)
    assert (stored.voting_count, stored.voting_present) == (4, 1)
    assert stored.attendance_recorded and stored.qualifies
    assert stored.participation_rate == 0.5
    row = Attendance.objects.get(meeting=meeting, person=c)
    assert (row.delivered_by, row.delivered_on) == ("李委员", DAY + datetime.timedelta(days=2))


def test_a_meeting_without_minutes_does_not_qualify_until_they_are_written(party):
    meeting = record(party, minutes="   ")
    meeting = present_all(party, meeting)
    assert meeting.attendance_recorded and not Meeting.objects.get(pk=meeting.pk).qualifies
    values = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    values["minutes"] = "补写的会议记录"
    services.update_meeting(actor=party.secretary, scope=party.scope, meeting=meeting, values=values)
    assert Meeting.objects.get(pk=meeting.pk).qualifies


def test_minutes_alone_do_not_qualify_a_meeting(party):
    meeting = record(party)
    stored = Meeting.objects.get(pk=meeting.pk)
    assert stored.minutes and not stored.attendance_recorded and not stored.qualifies


def test_leave_needs_a_reason(party):
    meeting = record(party)
    person = party.members[0]
    with pytest.raises(services.AttendanceErrors) as refused:
        present_all(party, meeting, {person.pk: {"status": "leave", "leave_reason": "  "}})
    assert set(refused.value.by_person) == {person.pk}
    assert "leave_reason" in refused.value.by_person[person.pk]
    assert not Meeting.objects.get(pk=meeting.pk).attendance_recorded  # nothing saved
    assert set(statuses(meeting).values()) == {"absent"}


@pytest.mark.parametrize("row, field", [
    ({"delivered_by": "", "delivered_on": DAY}, "delivered_by"),
    ({"delivered_by": "李委员", "delivered_on": None}, "delivered_on"),
    ({"delivered_by": "李委员", "delivered_on": DAY - datetime.timedelta(days=1)}, "delivered_on"),
])
def test_study_delivered_at_home_needs_who_and_when_on_or_after_the_meeting(party, row, field):
    meeting = record(party)
    person = party.members[1]
    with pytest.raises(services.AttendanceErrors) as refused:
        present_all(party, meeting, {person.pk: {"status": "delivered", **row}})
    assert field in refused.value.by_person[person.pk]


def test_delivery_on_the_meeting_day_is_accepted(party):
    meeting = record(party)
    person = party.members[1]
    meeting = present_all(party, meeting, {person.pk: {"status": "delivered", "delivered_by": "李委员",
                                                         "delivered_on": DAY}})
    assert meeting.delivered_count == 1


def test_fields_that_do_not_belong_to_the_status_are_cleared(party):
    meeting = record(party)
    person = party.members[0]
    present_all(party, meeting, {person.pk: {"status": "present", "leave_reason": "不该保存",
                                               "delivered_by": "不该保存", "delivered_on": DAY}})
    row = Attendance.objects.get(meeting=meeting, person=person)
    assert (row.leave_reason, row.delivered_by, row.delivered_on) == ("", "", None)


def test_a_person_not_on_the_roster_is_refused(party):
    meeting = record(party)
    stranger = make_person(party.world.unit_a, name="非本支部人员")
    with pytest.raises(services.AttendanceErrors) as refused:
        services.save_attendance(actor=party.secretary, scope=party.scope, meeting=meeting,
                                 rows=[{"person": stranger.pk, "status": "present"}])
    assert stranger.pk in refused.value.by_person


def test_attendance_of_a_future_meeting_waits_for_its_day(party):
    meeting = record(party, held_on=datetime.date.today() + datetime.timedelta(days=3))
    with pytest.raises(ValidationError):
        present_all(party, meeting)


# --- quorum ---------------------------------------------------------------------------------------------------

def general_meeting_of_eight(party, present, delivered=0):
    for i in range(5):
        make_member(party.branch, name=f"甲县补充党员{i}")
    meeting = record(party)
    rows = list(Attendance.objects.filter(meeting=meeting).order_by("pk"))
    assert len(rows) == 8
    overrides = {}
    for index, row in enumerate(rows):
        if index < present:
            continue
        if index < present + delivered:
            overrides[row.person_id] = {"status": "delivered", "delivered_by": "李委员", "delivered_on": DAY}
        else:
            overrides[row.person_id] = {"status": "absent"}
    return present_all(party, meeting, overrides)


def test_four_of_eight_voting_members_present_is_no_quorum(party):
    meeting = general_meeting_of_eight(party, present=4)
    assert (meeting.voting_present, meeting.voting_count) == (4, 8)
    assert meeting.quorum_met is False


def test_five_of_eight_voting_members_present_is_a_quorum(party):
    meeting = general_meeting_of_eight(party, present=5)
    assert meeting.quorum_met is True


def test_study_delivered_at_home_does_not_count_towards_the_quorum(party):
    meeting = general_meeting_of_eight(party, present=4, delivered=3)
    assert meeting.present_count + meeting.delivered_count == 7
    assert meeting.quorum_met is False


def test_probationary_members_present_do_not_make_the_quorum(party):
    for i in range(3):
        make_member(party.branch, name=f"甲县预备党员{i}", standing=Standing.PROBATIONARY,
                    started_on=datetime.date(2025, 1, 1))
    meeting = record(party)  # 3 full + 3 probationary
    full = {p.pk for p in party.members}
    overrides = {row.person_id: {"status": "absent"} for row in meeting.attendance.all()
                 if row.person_id in full and row.person_id != party.members[0].pk}
    meeting = present_all(party, meeting, overrides)
    assert (meeting.voting_present, meeting.voting_count, meeting.present_count) == (1, 3, 4)
    assert meeting.quorum_met is False


def test_quorum_applies_only_to_general_meetings(party):
    meeting = present_all(party, record(party, kind=MeetingKind.LECTURE))
    assert meeting.quorum_met is None
    assert record(party).quorum_met is None  # before the attendance is recorded


# --- make-up months -------------------------------------------------------------------------------------------

def test_a_meeting_counts_for_the_month_held_by_default(party):
    meeting = record(party, held_on=datetime.date(2025, 3, 20))
    assert (meeting.counts_year, meeting.counts_month) == (2025, 3)


@pytest.mark.parametrize("month, allowed", [(3, True), (2, True), (1, True), (4, False)])
def test_a_make_up_meeting_counts_for_up_to_two_earlier_months(party, month, allowed):
    held_on = datetime.date(2025, 3, 20)
    if allowed:
        meeting = record(party, held_on=held_on, counts_month=month)
        assert (meeting.counts_year, meeting.counts_month) == (2025, month)
        month_end = datetime.date(2025, month, calendar.monthrange(2025, month)[1])
        assert meeting.days_after_month == (held_on - month_end).days
    else:
        with pytest.raises(ValidationError) as refused:
            record(party, held_on=held_on, counts_month=month)
        assert "counts_month" in refused.value.message_dict


def test_a_make_up_meeting_cannot_reach_into_the_previous_year(party):
    with pytest.raises(ValidationError) as refused:
        record(party, held_on=datetime.date(2025, 1, 15), counts_month=12)
    assert "counts_month" in refused.value.message_dict
    assert services.counts_month_choices(datetime.date(2025, 1, 15)) == [1]
    assert services.counts_month_choices(datetime.date(2025, 2, 15)) == [2, 1]
    assert services.counts_month_choices(datetime.date(2025, 9, 15)) == [9, 8, 7]


# --- guards, audit, compliance --------------------------------------------------------------------------------

def test_a_secretary_cannot_record_for_another_branch(party):
    with pytest.raises(PermissionDenied):
        record(party, branch=party.other_branch)


def test_a_community_administrator_cannot_record_meetings(party):
    with pytest.raises(PermissionDenied):
        record(party, actor=party.world.community_a_admin)


def test_a_meeting_on_a_day_the_branch_was_not_open_is_refused(party):
    from yinfa.core.models import OrgNode

    OrgNode.objects.filter(pk=party.branch.pk).update(opened_on=datetime.date(2025, 7, 1))
    party.branch.refresh_from_db()
    party.branch.node.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        record(party)
    assert "held_on" in refused.value.message_dict


def test_every_change_is_audited(party):
    meeting = record(party)
    present_all(party, meeting)
    services.delete_meeting(actor=party.secretary, scope=party.scope, meeting=meeting)
    actions = list(AuditEvent.objects.filter(object_type="partylife.meeting", object_id=str(meeting.pk))
                   .order_by("pk").values_list("action", flat=True))
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]


def test_compliance_follows_attendance_and_deletion(party):
    meeting = record(party, kind=MeetingKind.COMMITTEE, held_on=datetime.date(2025, 3, 5))
    row = BranchCompliance.objects.get(branch=party.branch, year=2025)
    held_before = row.held
    present_all(party, meeting)
    assert BranchCompliance.objects.get(branch=party.branch, year=2025).held == held_before + 1
    services.delete_meeting(actor=party.secretary, scope=party.scope, meeting=meeting)
    assert BranchCompliance.objects.get(branch=party.branch, year=2025).held == held_before
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


def test_moving_a_meeting_to_another_year_refreshes_both_years(party, monkeypatch):
    meeting = present_all(party, record(party, held_on=datetime.date(2025, 12, 20)))
    calls = []
    monkeypatch.setattr("yinfa.partylife.services.compliance.refresh_branch",
                        lambda *, branch, year: calls.append((branch.pk, year)))
    values = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    values.update(held_on=datetime.date(2026, 1, 8), counts_month=None)
    services.update_meeting(actor=party.secretary, scope=party.scope, meeting=meeting, values=values)
    assert sorted(calls) == [(party.branch.pk, 2025), (party.branch.pk, 2026)]


def test_copy_initial_takes_the_template_fields_but_not_date_minutes_or_attendance(party):
    source = present_all(party, record(party, speaker="王老师", agenda="一、学习\n二、讨论"))
    initial = services.copy_initial(source)
    assert initial == {"kind": source.kind, "place": "老干部活动室", "host": "张书记", "speaker": "王老师",
                       "agenda": "一、学习\n二、讨论", "party_group": None}


# --- files ----------------------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def test_files_are_recognised_by_content_and_size(party, settings, tmp_path):
    import io
    import zipfile

    settings.MEDIA_ROOT = tmp_path
    meeting = record(party)
    photo = meeting_files.add_file(actor=party.secretary, scope=party.scope, meeting=meeting, title="",
                                   upload=SimpleUploadedFile("x.png", PNG))
    assert photo.is_photo and photo.content_type == "image/png" and photo.file.name.endswith(".png")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    document = meeting_files.add_file(actor=party.secretary, scope=party.scope, meeting=meeting, title="学习材料",
                                      upload=SimpleUploadedFile("材料.docx", package.getvalue()))
    assert not document.is_photo and document.content_type == uploads.DOCX
    old_excel = meeting_files.add_file(actor=party.secretary, scope=party.scope, meeting=meeting, title="签到表",
                                       upload=SimpleUploadedFile("签到.xls", uploads.OLE2_MAGIC + b"\x00" * 40))
    assert old_excel.content_type == uploads.XLS
    with pytest.raises(ValidationError):
        meeting_files.add_file(actor=party.secretary, scope=party.scope, meeting=meeting, title="",
                               upload=SimpleUploadedFile("run.exe", b"MZ" + b"\x00" * 40))
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * meeting_files.MAX_FILE_BYTES)
    with pytest.raises(ValidationError):
        meeting_files.add_file(actor=party.secretary, scope=party.scope, meeting=meeting, title="", upload=big)
    assert MeetingFile.objects.filter(meeting=meeting).count() == 3


def test_deleting_a_meeting_removes_its_files(party, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    meeting = record(party)
    photo = meeting_files.add_file(actor=party.secretary, scope=party.scope, meeting=meeting, title="合影",
                                   upload=SimpleUploadedFile("x.png", PNG))
    stored = tmp_path / photo.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_meeting(actor=party.secretary, scope=party.scope, meeting=meeting)
    assert not stored.exists()
    assert not MeetingFile.objects.exists()


def test_a_membership_of_another_relation_is_not_on_the_roster(party):
    person = make_person(party.world.unit_a, name="功能型成员")
    make_membership(person, party.branch, relation="functional")
    meeting = record(party)
    assert person.pk not in statuses(meeting)


def test_a_committee_meeting_has_the_committee_on_its_roster_when_posts_are_recorded(party):
    from yinfa.partylife.models import CommitteeMember, CommitteeTerm

    term = CommitteeTerm.objects.create(branch=party.branch, elected_on=datetime.date(2024, 1, 1),
                                        ends_on=datetime.date(2027, 1, 1))
    first, second, _third = party.members
    CommitteeMember.objects.create(term=term, post="secretary", person=first, started_on=datetime.date(2024, 1, 1))
    CommitteeMember.objects.create(term=term, post="organisation", person=second, started_on=datetime.date(2024, 1, 1),
                                   ended_on=datetime.date(2025, 3, 1))
    meeting = record(party, kind=MeetingKind.COMMITTEE)
    assert set(statuses(meeting)) == {first.pk}  # the second left the committee before the meeting
    assert services.committee_roster_used(meeting)
    lecture = record(party, kind=MeetingKind.LECTURE)
    assert lecture.expected_count == 3 and not services.committee_roster_used(lecture)
