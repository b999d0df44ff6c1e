"""Upcoming round birthdays (整寿): the birthdays in the next N days at which a person turns 80, 85, 90 or 95, or any
age from 100 on — kept by the solar calendar, or by the lunar calendar when the file says so
(``Person.birthday_is_lunar``).

Solar birthdays go through ``yinfa.core.lunar.birthday_in`` (29 February falls on 28 February in common years).
Lunar birthdays are taken lunar year by lunar year (``yinfa.core.lunar.lunar_birthday``): a solar year can hold
two of them (one in January, the next in December after a 354-day lunar year), and ``birthday_in`` answers only
one per solar year. The age reached on a lunar birthday is counted in lunar years.

The computation is in Python on a narrowed query: ``candidates_condition`` keeps only the people whose birth year
can give a round age in the window (``birth_date`` is indexed), ``upcoming`` does the rest.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q

from yinfa.core.lunar import birthday_in, lunar_birthday, to_lunar

ROUND_AGES = (80, 85, 90, 95)
CENTENARIAN = 100  # every birthday from this age on is celebrated
DAY_CHOICES = (7, 30, 60, 90)
DEFAULT_DAYS = 30


def is_round(age):
    return age in ROUND_AGES or age >= CENTENARIAN


@dataclass(frozen=True)
class Birthday:
    on: datetime.date
    age: int
    lunar: bool
    days_to_go: int


def _solar_next(born, today):
    """(day, age) of the first solar birthday on or after ``today``."""
    for year in (today.year, today.year + 1):
        day = birthday_in(born, year, lunar=False)
        if day >= today:
            return day, year - born.year
    return None  # not reached: next year's birthday is always after today


def _lunar_next(born, today):
    """(day, age in lunar years) of the first lunar birthday on or after ``today``; None outside the lunar
    calendar's range (1900–2099)."""
    try:
        born_lunar_year = to_lunar(born)[0]
        for lunar_year in (today.year - 1, today.year, today.year + 1):
            day = lunar_birthday(born, lunar_year)
            if day >= today:
                return day, lunar_year - born_lunar_year
    except ValueError:
        return None
    return None


def next_birthday(born, lunar, today):
    """(day, age reached) of the first birthday on or after ``today``, or None."""
    if born is None or born > today:
        return None
    return _lunar_next(born, today) if lunar else _solar_next(born, today)


def round_birthday(born, lunar, today, days):
    """The ``Birthday`` when the next birthday falls within ``days`` days from ``today`` (inclusive) at a round
    age, else None."""
    found = next_birthday(born, lunar, today)
    if found is None:
        return None
    day, age = found
    if (day - today).days > days or not is_round(age):
        return None
    return Birthday(on=day, age=age, lunar=bool(lunar), days_to_go=(day - today).days)


def upcoming(people, today, days):
    """[(person, Birthday)] for the people (objects with ``birth_date`` and ``birthday_is_lunar``) whose next
    birthday in the window is a round one, soonest first."""
    found = []
    for person in people:
        birthday = round_birthday(person.birth_date, person.birthday_is_lunar, today, days)
        if birthday is not None:
            found.append((person, birthday))
    found.sort(key=lambda pair: (pair[1].on, getattr(pair[0], "name_pinyin", ""), pair[0].pk))
    return found


def candidate_years(today, days):
    """(birth years that can give a round age below 100 in the window, the last birth year that can give 100 or
    more). A lunar age may differ by one from the solar years between the birth and the birthday, both ways."""
    end = today + datetime.timedelta(days=days)
    years = set()
    for year in range(today.year, end.year + 1):
        for age in ROUND_AGES:
            years.update({year - age - 1, year - age, year - age + 1})
    oldest = end.year - CENTENARIAN + 1
    return sorted(y for y in years if y > oldest), oldest


def candidates_condition(today, days, field="birth_date"):
    """A Q narrowing people to those whose birth year can give a round birthday in the window (ranges on the
    indexed birth date)."""
    years, oldest = candidate_years(today, days)
    condition = Q(**{f"{field}__lt": datetime.date(oldest + 1, 1, 1)})
    start = previous = None
    for year in [*years, None]:
        if year is not None and previous is not None and year == previous + 1:
            previous = year
            continue
        if start is not None:
            condition |= Q(**{f"{field}__gte": datetime.date(start, 1, 1),
                              f"{field}__lt": datetime.date(previous + 1, 1, 1)})
        start = previous = year
    return condition
