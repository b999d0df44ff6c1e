"""Working days (the holiday table over the weekend rule) and lunar dates."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yinfa.core import lunar
from yinfa.core.models import CalendarDay, DayKind
from yinfa.core.workdays import WorkCalendar, library_days, library_years, seed_from_library

D = datetime.date


@pytest.fixture
def calendar(db):
    WorkCalendar.forget()
    return WorkCalendar.load()


def test_the_table_is_seeded_from_the_library_for_the_years_it_knows(calendar):
    years = library_years()
    assert calendar.known(2026) and 2026 in years
    assert CalendarDay.objects.filter(year=2026, kind=DayKind.HOLIDAY).count() >= 20
    assert seed_from_library() == 0  # everything is there already


def test_national_day_is_a_holiday_and_a_make_up_saturday_is_a_working_day(calendar):
    assert not calendar.is_workday(D(2026, 10, 1))
    assert CalendarDay.objects.get(day=D(2026, 10, 1)).name == "国庆节"
    worked_weekends = [day for day, kind, _name in library_days({2026}) if kind == DayKind.WORKDAY]
    assert worked_weekends and all(calendar.is_workday(day) for day in worked_weekends)


def test_three_working_days_after_the_eve_of_national_day_skip_the_whole_holiday(calendar):
    eve = D(2026, 9, 30)
    deadline = calendar.add_working_days(eve, 3)
    assert deadline > D(2026, 10, 8)
    assert calendar.working_days_between(eve, deadline) == 3


def test_a_year_the_table_does_not_know_falls_back_to_weekends_and_is_named(calendar):
    assert not calendar.known(2031)
    assert calendar.is_workday(D(2031, 10, 1))  # a Wednesday: counted as a working day, without the holiday
    assert not calendar.is_workday(D(2031, 10, 4))  # a Saturday
    assert calendar.unknown_years(D(2026, 12, 20), D(2031, 1, 10)) == [2027, 2028, 2029, 2030, 2031]


def test_a_day_entered_by_the_administrator_counts_at_once_after_forgetting(calendar):
    CalendarDay.objects.create(day=D(2031, 10, 1), kind=DayKind.HOLIDAY, name="国庆节")
    WorkCalendar.forget()
    assert not WorkCalendar.load().is_workday(D(2031, 10, 1))


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=D(2004, 1, 1), max_value=D(2030, 12, 31)), n=st.integers(min_value=0, max_value=40))
def test_the_deadline_of_n_working_days_is_n_working_days_away_and_a_working_day(start, n):
    calendar = WorkCalendar(frozenset({D(2026, 10, 1), D(2026, 10, 2)}), frozenset({D(2026, 9, 27)}),
                            frozenset({2026}))
    deadline = calendar.add_working_days(start, n)
    assert calendar.working_days_between(start, deadline) == n
    assert n == 0 or calendar.is_workday(deadline)
    assert deadline >= start


def test_the_lunar_festivals_fall_on_their_solar_days():
    assert lunar.festival("spring", 2026) == D(2026, 2, 17)
    assert lunar.festival("spring", 2027) == D(2027, 2, 6)
    assert lunar.festival("double_ninth", 2026) == D(2026, 10, 18)


def test_a_lunar_birthday_is_found_in_the_solar_year():
    born = D(1936, 1, 20)  # 乙亥年腊月廿六
    assert lunar.to_lunar(born)[1:3] == (12, 26)
    assert lunar.birthday_in(born, 2026, lunar=True) == D(2026, 2, 13)
    assert lunar.birthday_in(D(1940, 2, 29), 2026, lunar=False) == D(2026, 2, 28)
    # 1969年冬月廿四: lunar 2000's falls on 2000-12-19 and lunar 2001's (after a leap fourth month) on 2002-01-07
    assert lunar.birthday_in(D(1970, 1, 1), 2001, lunar=True) is None


@settings(max_examples=60, deadline=None)
@given(born=st.dates(min_value=D(1920, 1, 1), max_value=D(1970, 12, 31)),
       year=st.integers(min_value=2001, max_value=2090))
def test_a_lunar_birthday_is_the_same_lunar_month_and_day_or_the_29th(born, year):
    _y, month, day, _leap = lunar.to_lunar(born)
    found = lunar.birthday_in(born, year, lunar=True)
    if found is None:  # late in a lunar year after a leap month: no such day in this solar year
        assert lunar.lunar_birthday(born, year - 1).year < year < lunar.lunar_birthday(born, year).year
        return
    assert found.year == year
    _fy, found_month, found_day, _fleap = lunar.to_lunar(found)
    assert found_month == month and (found_day == day or (day == 30 and found_day == 29))
