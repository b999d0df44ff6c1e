"""QR sign-in: the token (good, expired, tampered, for another date), the member's own page (roster check,
anonymous users sent to log in, idempotent, audited), and what secretaries see."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from yinfa.core.models import AuditEvent
from yinfa.core.testing import login, make_user
from yinfa.partylife.models import Attendance, AttendanceStatus
from yinfa.partylife.services import meetings as services
from yinfa.partylife.tests.meeting_fixtures import DAY, party_fixture, record  # noqa: F401
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MEETING_MORNING = datetime.datetime(2025, 6, 10, 9, 30, tzinfo=SHANGHAI)


def member_account(person, username="member"):
    user = make_user(username, full_name=person.name)
    person.account = user
    person.save(update_fields=["account"])
    return user


def signin_url(meeting):
    return reverse("partylife:meeting_signin", args=[services.signin_token(meeting)])


@pytest.fixture
def meeting(party):
    return record(party)


@pytest.fixture
def member(party):
    person = party.members[0]
    return person, member_account(person)


def test_a_member_on_the_roster_signs_in_with_a_good_code(party, meeting, member):
    person, user = member
    client = login(user, otp=False)
    with time_machine.travel(MEETING_MORNING, tick=False):
        url = signin_url(meeting)
        page = client.get(url)
        assert page.status_code == 200 and 'data-testid="signin-button"' in page.content.decode()
        response = client.post(url)
    assert response.status_code == 200 and 'data-testid="signin-done"' in response.content.decode()
    row = Attendance.objects.get(meeting=meeting, person=person)
    assert row.status == AttendanceStatus.PRESENT and row.signed_in_at == MEETING_MORNING
    meeting.refresh_from_db()
    assert meeting.present_count == 1 and not meeting.attendance_recorded  # the secretary still records the rest
    assert AuditEvent.objects.filter(object_type="partylife.meeting", object_id=str(meeting.pk),
                                     detail__signed_in=person.pk).count() == 1


def test_signing_in_twice_changes_nothing(party, meeting, member):
    person, user = member
    client = login(user, otp=False)
    with time_machine.travel(MEETING_MORNING, tick=False):
        url = signin_url(meeting)
        client.post(url)
    with time_machine.travel(MEETING_MORNING + datetime.timedelta(minutes=20), tick=False):
        again = client.post(url)
    assert again.status_code == 200
    row = Attendance.objects.get(meeting=meeting, person=person)
    assert row.signed_in_at == MEETING_MORNING
    assert AuditEvent.objects.filter(detail__signed_in=person.pk).count() == 1


def test_the_code_works_until_the_end_of_the_day_after_the_meeting(party, meeting, member):
    person, user = member
    client = login(user, otp=False)
    with time_machine.travel(MEETING_MORNING, tick=False):
        url = signin_url(meeting)
    with time_machine.travel(datetime.datetime(2025, 6, 11, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert client.get(url).status_code == 200
    with time_machine.travel(datetime.datetime(2025, 6, 12, 0, 0, 1, tzinfo=SHANGHAI), tick=False):
        expired = client.post(url)
    assert expired.status_code == 400
    assert 'data-testid="signin-refused"' in expired.content.decode()
    assert Attendance.objects.get(meeting=meeting, person=person).status == AttendanceStatus.ABSENT


def test_a_tampered_code_is_refused(party, meeting, member):
    _person, user = member
    token = services.signin_token(meeting)
    forged = token.replace(token[3], "A" if token[3] != "A" else "B", 1)
    with time_machine.travel(MEETING_MORNING, tick=False):
        response = login(user, otp=False).post(reverse("partylife:meeting_signin", args=[forged]))
        garbage = login(user, otp=False).get(reverse("partylife:meeting_signin", args=["not-a-token"]))
    assert response.status_code == 400 and garbage.status_code == 400
    assert not Attendance.objects.filter(meeting=meeting, signed_in_at__isnull=False).exists()


def test_a_code_made_for_another_salt_is_refused(meeting):
    from django.core import signing

    token = signing.dumps({"m": meeting.pk, "d": meeting.held_on.isoformat()}, salt="another-purpose")
    with pytest.raises(services.SignInRefused):
        services.meeting_of_token(token)


def test_a_code_of_the_old_date_stops_working_when_the_meeting_moves(party, meeting, member):
    old_token = services.signin_token(meeting)
    values = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
    values["held_on"] = DAY + datetime.timedelta(days=1)
    services.update_meeting(actor=party.secretary, scope=party.scope, meeting=meeting, values=values)
    with time_machine.travel(MEETING_MORNING + datetime.timedelta(days=1), tick=False):
        with pytest.raises(services.SignInRefused):
            services.meeting_of_token(old_token)


def test_signing_in_before_the_meeting_day_is_refused(party, meeting, member):
    _person, user = member
    with time_machine.travel(MEETING_MORNING - datetime.timedelta(days=1), tick=False):
        response = login(user, otp=False).post(signin_url(meeting))
    assert response.status_code == 400


def test_a_person_not_on_the_roster_is_told_so_and_sees_nothing_of_the_meeting(party, meeting):
    outsider = make_person(party.world.unit_a, name="非支部成员")
    user = member_account(outsider, "outsider")
    with time_machine.travel(MEETING_MORNING, tick=False):
        response = login(user, otp=False).post(signin_url(meeting))
    html = response.content.decode()
    assert response.status_code == 404 and 'data-testid="signin-refused"' in html
    assert meeting.topic not in html and party.branch.node.name not in html
    assert not Attendance.objects.filter(meeting=meeting, person=outsider).exists()


def test_an_account_without_a_person_is_not_on_the_roster(party, meeting):
    with time_machine.travel(MEETING_MORNING, tick=False):
        response = login(party.world.county_b_admin).get(signin_url(meeting))
    assert response.status_code == 404


def test_an_anonymous_user_is_sent_to_log_in_and_back(party, meeting):
    from django.test import Client

    with time_machine.travel(MEETING_MORNING, tick=False):
        url = signin_url(meeting)
        response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login")) and "next=" in response["Location"]
    assert not Attendance.objects.filter(meeting=meeting, signed_in_at__isnull=False).exists()


def test_a_member_on_leave_who_comes_after_all_is_marked_present(party, meeting, member):
    person, user = member
    with time_machine.travel(MEETING_MORNING, tick=False):
        services.save_attendance(actor=party.secretary, scope=party.scope, meeting=meeting, rows=[
            {"person": person.pk, "status": "leave", "leave_reason": "身体不适"}])
        login(user, otp=False).post(signin_url(meeting))
    row = Attendance.objects.get(meeting=meeting, person=person)
    assert (row.status, row.leave_reason) == (AttendanceStatus.PRESENT, "")
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.leave_count) == (1, 0)


def test_the_secretary_sees_the_code_and_who_signed_in(party, meeting, member):
    person, user = member
    with time_machine.travel(MEETING_MORNING, tick=False):
        login(user, otp=False).post(signin_url(meeting))
        secretary = login(party.secretary)
        detail = secretary.get(reverse("partylife:meeting_detail", args=[meeting.pk])).content.decode()
        attendance = secretary.get(reverse("partylife:meeting_attendance", args=[meeting.pk])).content.decode()
        sheet = secretary.get(reverse("partylife:meeting_signin_sheet", args=[meeting.pk]))
    assert 'data-testid="signin-qr"' in detail and "<svg" in detail
    assert 'data-testid="signed-in-list"' in attendance and person.name in attendance
    assert sheet.status_code == 200 and "<svg" in sheet.content.decode()


def test_the_code_is_not_shown_once_it_has_expired(party, meeting):
    with time_machine.travel(datetime.datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        detail = login(party.secretary).get(reverse("partylife:meeting_detail", args=[meeting.pk]))
    html = detail.content.decode()
    assert 'data-testid="signin-closed"' in html and "<svg" not in html


def test_viewers_without_the_manage_permission_get_no_code(party, meeting):
    with time_machine.travel(MEETING_MORNING, tick=False):
        html = login(party.world.unit_a_admin).get(reverse("partylife:meeting_detail", args=[meeting.pk]))
    assert html.status_code == 200
    assert 'data-testid="signin-qr"' not in html.content.decode()
