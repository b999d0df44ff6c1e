"""The round-birthday computation: solar and lunar birthdays, 29 February, across the year end, the ages that count
(80, 85, 90, 95 and every age from 100), and the narrowing of the query by birth year — with a Hypothesis check of
each answer against a day-by-day walk through the calendar."""

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from lunardate import LunarDate

from yinfa.care.birthdays import (
    DAY_CHOICES,
    candidate_years,
    candidates_condition,
    is_round,
    next_birthday,
    round_birthday,
    upcoming,
)
from yinfa.core.lunar import to_lunar

D = datetime.date


def test_the_ages_that_count_are_80_85_90_95_and_every_age_from_100():
    assert [age for age in range(75, 106) if is_round(age)] == [80, 85, 90, 95, 100, 101, 102, 103, 104, 105]


def test_a_solar_80th_birthday_in_the_window_is_found_with_its_days_to_go():
    birthday = round_birthday(D(1946, 5, 20), False, D(2026, 5, 1), 30)
    assert (birthday.on, birthday.age, birthday.lunar, birthday.days_to_go) == (D(2026, 5, 20), 80, False, 19)


def test_a_birthday_today_counts_and_one_beyond_the_window_does_not():
    assert round_birthday(D(1946, 5, 1), False, D(2026, 5, 1), 7).days_to_go == 0
    assert round_birthday(D(1946, 5, 9), False, D(2026, 5, 1), 7) is None
    assert round_birthday(D(1946, 5, 8), False, D(2026, 5, 1), 7).on == D(2026, 5, 8)


def test_an_age_that_is_not_round_is_left_out_but_any_age_from_100_counts():
    assert round_birthday(D(1945, 5, 20), False, D(2026, 5, 1), 30) is None  # 81
    assert round_birthday(D(1925, 5, 20), False, D(2026, 5, 1), 30).age == 101


def test_someone_born_on_29_february_has_the_birthday_on_28_february_in_a_common_year():
    birthday = round_birthday(D(1936, 2, 29), False, D(2026, 2, 20), 30)
    assert (birthday.on, birthday.age) == (D(2026, 2, 28), 90)
    assert round_birthday(D(1948, 2, 29), False, D(2028, 2, 20), 30).on == D(2028, 2, 29)


def test_the_window_crosses_the_year_end():
    birthday = round_birthday(D(1947, 1, 5), False, D(2026, 12, 20), 30)
    assert (birthday.on, birthday.age, birthday.days_to_go) == (D(2027, 1, 5), 80, 16)


def test_a_lunar_birthday_falls_on_its_lunar_date_this_year_and_counts_lunar_years():
    # 1946-01-20 is the 18th of the 12th month of lunar 1945; in 2026 that day is 5 February.
    assert to_lunar(D(1946, 1, 20))[:3] == (1945, 12, 18)
    birthday = round_birthday(D(1946, 1, 20), True, D(2026, 1, 25), 30)
    assert (birthday.on, birthday.age, birthday.lunar) == (D(2026, 2, 5), 80, True)
    assert round_birthday(D(1946, 1, 20), False, D(2026, 1, 25), 30) is None  # the solar one has passed


def test_a_lunar_birthday_that_comes_twice_in_one_solar_year_is_found_the_second_time():
    # The 27th of the 11th lunar month fell on 2059-01-11 (lunar 2058) and again on 2059-12-31 (lunar 2059).
    born = LunarDate(1979, 11, 27).to_solar_date()
    assert LunarDate(2058, 11, 27).to_solar_date() == D(2059, 1, 11)
    birthday = next_birthday(born, True, D(2059, 12, 1))
    assert birthday == (D(2059, 12, 31), 80)


def test_a_lunar_birthday_on_the_30th_falls_on_the_29th_when_the_month_is_short():
    birth_year, month = next((y, m) for y in range(1940, 1950) for m in range(1, 13) if _lunar_month_days(y, m) == 30)
    born = LunarDate(birth_year, month, 30).to_solar_date()
    year = next(y for y in range(2020, 2040) if _lunar_month_days(y, month) == 29)
    found = next_birthday(born, True, LunarDate(year, month, 1).to_solar_date())
    assert found == (LunarDate(year, month, 29).to_solar_date(), year - birth_year)


def _lunar_month_days(year, month):
    try:
        LunarDate(year, month, 30).to_solar_date()
    except ValueError:
        return 29
    return 30


def test_upcoming_sorts_by_date_and_keeps_only_round_ones():
    class P:
        def __init__(self, pk, born, lunar=False):
            self.pk, self.birth_date, self.birthday_is_lunar, self.name_pinyin = pk, born, lunar, str(pk)

    people = [P(1, D(1946, 5, 20)), P(2, D(1936, 5, 3)), P(3, D(1945, 5, 4)), P(4, None), P(5, D(1946, 1, 20), True)]
    rows = upcoming(people, D(2026, 5, 1), 30)
    assert [(person.pk, birthday.age) for person, birthday in rows] == [(2, 90), (1, 80)]


def test_the_narrowing_covers_every_birth_year_that_can_give_a_round_age():
    years, oldest = candidate_years(D(2026, 12, 20), 30)
    assert {1946, 1947, 1936, 1937, 1931, 1932} <= set(years)
    assert oldest == 1928  # born in 1928 or before: 99 or more in 2027, so possibly 100 by the lunar count
    assert 1960 not in years and 1950 not in years


# --- Hypothesis: every answer against a walk through the calendar ------------------------------------------------

def is_solar_birthday(born, day):
    if (day.month, day.day) == (born.month, born.day):
        return True
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    return (born.month, born.day) == (2, 29) and not leap and (day.month, day.day) == (2, 28)


def is_lunar_birthday(born, day):
    _by, bm, bd, _leap = to_lunar(born)
    year, month, date, leap = to_lunar(day)
    if leap or month != bm:
        return False
    if date == bd:
        return True
    return bd == 30 and date == 29 and _lunar_month_days(year, month) == 29


def walk(born, lunar, today, days):
    """The round birthday in the window found day by day, independently of the module: (day, age) or None."""
    for offset in range(days + 1):
        day = today + datetime.timedelta(days=offset)
        if lunar and is_lunar_birthday(born, day):
            age = to_lunar(day)[0] - to_lunar(born)[0]
        elif not lunar and is_solar_birthday(born, day):
            age = day.year - born.year
        else:
            continue
        return (day, age) if is_round(age) else None
    return None


@st.composite
def born_and_today(draw):
    """A day, and a birth date whose age then is near a round one (so the window often holds a round birthday)."""
    today = draw(st.dates(D(2000, 1, 1), D(2060, 12, 31)))
    age = draw(st.sampled_from([79, 80, 84, 85, 89, 90, 94, 95, 96, 99, 100, 101, 104]) | st.integers(60, 105))
    year = max(1901, today.year - age)
    born = draw(st.dates(D(year, 1, 1), D(year, 12, 31)) | st.dates(D(1901, 3, 1), D(1960, 12, 31)))
    return born, today


@settings(max_examples=300, deadline=None)
@given(pair=born_and_today(), lunar=st.booleans(), days=st.sampled_from(DAY_CHOICES))
def test_the_round_birthday_is_the_one_found_walking_the_calendar(pair, lunar, days):
    born, today = pair
    found = round_birthday(born, lunar, today, days)
    expected = walk(born, lunar, today, days)
    assert (None if found is None else (found.on, found.age)) == expected
    if found is not None:
        assert found.days_to_go == (found.on - today).days and 0 <= found.days_to_go <= days
        assert found.lunar == lunar


@settings(max_examples=300, deadline=None)
@given(pair=born_and_today(), lunar=st.booleans(), days=st.sampled_from(DAY_CHOICES))
def test_the_narrowed_query_never_leaves_out_someone_with_a_round_birthday(pair, lunar, days):
    born, today = pair
    if round_birthday(born, lunar, today, days) is None:
        return
    years, oldest = candidate_years(today, days)
    assert born.year in years or born.year <= oldest
    assert _matches(candidates_condition(today, days), born)


def _matches(condition, born):
    """Evaluate the Q of ranges on ``birth_date`` for one date, without a database."""
    if not hasattr(condition, "children"):
        return False
    results = []
    for child in condition.children:
        if isinstance(child, tuple):
            lookup, value = child
            op = lookup.rsplit("__", 1)[1]
            results.append(born < value if op == "lt" else born >= value)
        else:
            results.append(_matches(child, born))
    value = any(results) if condition.connector == "OR" else all(results)
    return not value if condition.negated else value
