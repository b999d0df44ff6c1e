"""The holiday table page: the system administrator enters a year the library does not know, and removes a day."""

import datetime

import pytest
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent, CalendarDay, DayKind
from yinfa.core.testing import login
from yinfa.core.workdays import WorkCalendar

pytestmark = pytest.mark.django_db
URL = reverse("core:holiday_table")


def test_a_year_without_data_says_it_counts_weekdays_only(world):
    page = login(world.system_admin).get(URL + "?year=2031").content.decode()
    assert 'data-testid="holiday-unknown"' in page and 'data-testid="holiday-empty"' in page


def test_the_administrator_enters_a_holiday_and_it_counts_at_once(world, django_capture_on_commit_callbacks):
    client = login(world.system_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"day": "2031-10-01", "kind": DayKind.HOLIDAY, "name": "国庆节"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(day=datetime.date(2031, 10, 1)).name == "国庆节"
    assert not WorkCalendar.load().is_workday(datetime.date(2031, 10, 1))
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.calendarday").exists()
    page = client.get(URL + "?year=2031").content.decode()
    assert page.count('data-testid="holiday-row"') == 1 and 'data-testid="holiday-unknown"' not in page


def test_a_make_up_working_day_must_be_a_weekend_day(world):
    response = login(world.system_admin).post(URL, {"day": "2031-10-01", "kind": DayKind.WORKDAY})
    assert response.status_code == 200 and not CalendarDay.objects.filter(year=2031).exists()
    assert "is-invalid" in response.content.decode() or "alert" in response.content.decode()


def test_removing_a_day_is_audited(world):
    CalendarDay.objects.create(day=datetime.date(2031, 10, 1), kind=DayKind.HOLIDAY, name="国庆节")
    login(world.system_admin).post(URL + "?year=2031", {"action": "remove", "day": "2031-10-01"})
    assert not CalendarDay.objects.filter(year=2031).exists()
    assert AuditEvent.objects.filter(action=AuditAction.DELETE, object_type="core.calendarday").exists()


def test_only_the_system_administrator_opens_the_table(world):
    assert login(world.county_a_admin).get(URL).status_code in (403, 404)
