"""The working-day SLA of service orders: deadlines across the 2026 National Day and Spring Festival holidays and
their make-up working days (the holiday table seeded from chinese-calendar), a year the table does not know
(counted Monday–Friday and flagged), and the property that a deadline is a working day on or after the start."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from yinfa.core.models import CalendarDay, DayKind
from yinfa.core.testing import login
from yinfa.core.workdays import WorkCalendar
from yinfa.needs import sla
from yinfa.needs.models import OrderStatus
from yinfa.needs.tests.order_fixtures import make_item, order_world  # noqa: F401

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar(db):
    WorkCalendar.forget()
    return WorkCalendar.load()


def test_the_holiday_table_holds_2026_with_its_make_up_saturdays(calendar):
    assert calendar.known(2026)
    assert CalendarDay.objects.filter(day=D(2026, 10, 10), kind=DayKind.WORKDAY).exists()  # a Saturday worked
    assert CalendarDay.objects.filter(day=D(2026, 2, 14), kind=DayKind.WORKDAY).exists()


def test_an_order_on_the_eve_of_national_day_is_accepted_after_the_holiday_and_done_on_the_make_up_saturday(
        calendar):
    clock = sla.deadlines(D(2026, 9, 30), accept_days=1, complete_days=3, calendar=calendar)
    assert clock.accept_by == D(2026, 10, 8)  # 1–7 October are the National Day holiday
    assert clock.due_on == D(2026, 10, 10)  # 8th, 9th, and Saturday the 10th, a make-up working day
    assert clock.due_on.weekday() == 5
    assert clock.unknown_years == ()


def test_the_spring_festival_make_up_saturday_counts_and_the_holiday_does_not(calendar):
    clock = sla.deadlines(D(2026, 2, 13), accept_days=1, complete_days=3, calendar=calendar)
    assert clock.accept_by == D(2026, 2, 14)  # Saturday, worked before the Spring Festival
    assert clock.due_on == D(2026, 2, 25)  # 14th, then 15–23 February off, then 24th and 25th


def test_zero_working_days_to_accept_means_the_same_day(calendar):
    assert sla.deadlines(D(2026, 10, 3), accept_days=0, complete_days=1, calendar=calendar).accept_by == D(2026,
                                                                                                            10, 3)


def test_a_year_the_table_does_not_know_counts_monday_to_friday_and_says_so(calendar):
    assert not calendar.known(2027)
    clock = sla.deadlines(D(2027, 9, 30), accept_days=1, complete_days=3, calendar=calendar)
    assert clock.accept_by == D(2027, 10, 1)  # a Friday: its National Day is not known yet
    assert clock.due_on == D(2027, 10, 5)
    assert clock.unknown_years == (2027,)
    across = sla.deadlines(D(2026, 12, 30), accept_days=1, complete_days=5, calendar=calendar)
    assert across.unknown_years == (2027,)


def test_once_the_administrator_enters_the_next_year_it_counts(calendar):
    CalendarDay.objects.create(day=D(2027, 10, 1), kind=DayKind.HOLIDAY, name="国庆节")
    WorkCalendar.forget()
    clock = sla.deadlines(D(2027, 9, 30), accept_days=1, complete_days=1, calendar=WorkCalendar.load())
    assert clock.accept_by == D(2027, 10, 4) and clock.unknown_years == ()


def test_an_order_placed_over_the_new_year_tells_that_its_dates_were_counted_monday_to_friday(ow, calendar):
    item = make_item(ow.world.community_a, name="助浴", accept_days=1, complete_days=5)
    with time_machine.travel(datetime.datetime(2026, 12, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        order = ow.place(item=item)
        assert order.due_on == D(2027, 1, 6)  # 31 Dec, then 1–6 January 2027 counted Monday–Friday
        assert "2027" in order.steps.get().comment
        page = login(ow.staff).get(reverse("needs:order_detail", args=[order.pk])).content.decode()
        own = login(ow.retiree).get(reverse("needs:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="weekdays-only"' in page and "2027" in page
    assert 'data-testid="weekdays-only"' in own


def test_an_order_within_known_years_does_not_warn(ow, calendar):
    with time_machine.travel(datetime.datetime(2026, 9, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        order = ow.place()
        assert (order.accept_by, order.due_on) == (D(2026, 10, 8), D(2026, 10, 10))
        page = login(ow.staff).get(reverse("needs:order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="weekdays-only"' not in page


def test_lateness_counts_working_days_after_each_deadline(ow, calendar):
    order = ow.place(today=D(2026, 9, 28))
    order.accept_by, order.due_on = D(2026, 9, 29), D(2026, 9, 30)
    late = sla.lateness(order, D(2026, 10, 9), calendar)
    assert [(x.level, x.working_days) for x in late] == [("accept", 3), ("done", 2)]  # 30 Sep, 8 and 9 Oct
    order.status = OrderStatus.ASSIGNED
    assert [x.level for x in sla.lateness(order, D(2026, 10, 9), calendar)] == ["done"]
    order.status = OrderStatus.DONE
    assert sla.lateness(order, D(2026, 10, 9), calendar) == []


@settings(max_examples=80, deadline=None)
@given(start=st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31)),
       accept=st.integers(min_value=0, max_value=10), complete=st.integers(min_value=1, max_value=30))
def test_the_deadlines_are_working_days_on_or_after_the_order_day(start, accept, complete):
    calendar = WorkCalendar.load()
    clock = sla.deadlines(start, accept_days=accept, complete_days=complete, calendar=calendar)
    for days, deadline in ((accept, clock.accept_by), (complete, clock.due_on)):
        assert deadline >= start
        assert calendar.working_days_between(start, deadline) == days
        if days:
            assert calendar.is_workday(deadline)
    assert set(clock.unknown_years) == {y for y in range(start.year, max(clock.accept_by, clock.due_on).year + 1)
                                        if not calendar.known(y)}


# --- overdue: once a working day has passed after the deadline ------------------------------------------------

FRIDAY = D(2026, 11, 20)
EVE_OF_NATIONAL_DAY = D(2026, 9, 30)  # 1–7 October off, Saturday 10 October worked


@pytest.mark.parametrize(("deadline", "today", "late"), [
    (FRIDAY, D(2026, 11, 20), 0),  # the deadline itself
    (FRIDAY, D(2026, 11, 21), 0),  # Saturday: not yet overdue
    (FRIDAY, D(2026, 11, 22), 0),  # Sunday: not yet overdue
    (FRIDAY, D(2026, 11, 23), 1),  # Monday: one working day late
    (FRIDAY, D(2026, 11, 24), 2),
    (EVE_OF_NATIONAL_DAY, D(2026, 10, 1), 0),
    (EVE_OF_NATIONAL_DAY, D(2026, 10, 7), 0),  # the last day of the holiday
    (EVE_OF_NATIONAL_DAY, D(2026, 10, 8), 1),
    (EVE_OF_NATIONAL_DAY, D(2026, 10, 10), 3),  # the make-up Saturday counts
    (EVE_OF_NATIONAL_DAY, D(2026, 10, 11), 3),  # Sunday: still overdue, no later
    (D(2026, 10, 9), D(2026, 10, 10), 1),  # due on Friday, late on the make-up Saturday
    (D(2026, 9, 24), D(2026, 9, 27), 0),  # Mid-Autumn Festival holiday and weekend right after
    (D(2026, 9, 24), D(2026, 9, 28), 1),
])
def test_an_order_is_overdue_on_the_first_working_day_after_its_deadline(ow, calendar, deadline, today, late):
    order = ow.place(today=D(2026, 9, 1))
    order.accept_by = order.due_on = deadline
    levels = sla.lateness(order, today, calendar)
    assert [(x.level, x.working_days) for x in levels] == ([("accept", late), ("done", late)] if late else [])
    assert sla.is_overdue(order, today, calendar) is bool(late) is sla.is_past(deadline, today, calendar)


def test_the_database_filter_and_lateness_agree_on_every_day_around_a_weekend_and_the_national_day(ow, calendar):
    from yinfa.needs.models import ServiceOrder

    deadlines = [D(2026, 9, 24) + datetime.timedelta(days=n) for n in range(20)]
    deadlines += [D(2026, 11, 18) + datetime.timedelta(days=n) for n in range(6)]
    ids = {}
    for deadline in deadlines:
        order = ow.place(today=D(2026, 9, 1))
        ServiceOrder.objects.filter(pk=order.pk).update(accept_by=deadline, due_on=deadline)
        ids[order.pk] = deadline
    orders = list(ServiceOrder.objects.filter(pk__in=ids))
    for today in [D(2026, 9, 24) + datetime.timedelta(days=n) for n in range(22)] + [
            D(2026, 11, 18) + datetime.timedelta(days=n) for n in range(8)]:
        filtered = set(ServiceOrder.objects.filter(sla.overdue_condition(today, calendar)).values_list("pk", flat=True))
        late = {o.pk for o in orders if sla.lateness(o, today, calendar)}
        assert filtered == late, today
        assert all(x.working_days > 0 for o in orders for x in sla.lateness(o, today, calendar))
