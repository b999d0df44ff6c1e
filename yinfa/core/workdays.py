"""Working days in China: the holiday table (``CalendarDay``) over the weekend rule.

``WorkCalendar.load()`` reads the table once (a few hundred rows a year) and answers without queries:
``is_workday(day)``, ``add_working_days(start, n)`` (the n-th working day after ``start``: the deadline of an SLA
of n working days), ``working_days_between(start, end)`` and ``known(year)``. A year with no rows in the table
falls back to Monday–Friday; ``unknown_years(start, end)`` names them so the page can say so.

``seed_from_library(years=None)`` fills the table from the ``chinese-calendar`` library for the years it knows,
leaving rows entered by hand alone.
"""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction

from yinfa.core.models import CalendarDay, DayKind, DaySource

CACHE_KEY = "yinfa:workdays:v1"
CACHE_SECONDS = 300
ONE_DAY = datetime.timedelta(days=1)
# Guards the loops of add_working_days against absurd input (a year of holidays cannot happen).
MAX_SPAN_DAYS = 3660


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset = field(default_factory=frozenset)
    workdays: frozenset = field(default_factory=frozenset)  # make-up working days (weekends worked)
    years: frozenset = field(default_factory=frozenset)  # years the table knows

    @classmethod
    def load(cls):
        """The calendar from the table (cached for a few minutes; ``forget()`` after a change)."""
        found = cache.get(CACHE_KEY)
        if found is not None:
            return found
        holidays, workdays, years = set(), set(), set()
        for day, kind in CalendarDay.objects.values_list("day", "kind"):
            (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
            years.add(day.year)
        calendar = cls(frozenset(holidays), frozenset(workdays), frozenset(years))
        cache.set(CACHE_KEY, calendar, CACHE_SECONDS)
        return calendar

    @staticmethod
    def forget():
        cache.delete(CACHE_KEY)

    def known(self, year: int) -> bool:
        return year in self.years

    def is_workday(self, day: datetime.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The day on which ``n`` working days after ``start`` have passed (``start`` itself not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day, counted = start, 0
        while counted < n:
            day += ONE_DAY
            if (day - start).days > MAX_SPAN_DAYS:
                raise ValueError("no working days found")
            if self.is_workday(day):
                counted += 1
        return day

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not after ``start``)."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def unknown_years(self, start: datetime.date, end: datetime.date) -> list[int]:
        """Years between the two days that the table does not know (counted by the weekend rule)."""
        return [year for year in range(min(start, end).year, max(start, end).year + 1) if not self.known(year)]


def library_days(years=None):
    """(day, kind, Chinese name) of the public holidays and make-up working days the chinese-calendar library
    knows."""
    from chinese_calendar import constants

    names = {holiday.value: holiday.chinese for holiday in constants.Holiday}

    def chinese(holiday):
        return names.get(str(holiday), str(holiday))

    rows = []
    for day, holiday in constants.holidays.items():
        if years is None or day.year in years:
            rows.append((day, DayKind.HOLIDAY, chinese(holiday)))
    for day, holiday in constants.workdays.items():
        if (years is None or day.year in years) and day.weekday() >= 5:
            rows.append((day, DayKind.WORKDAY, chinese(holiday)))
    return sorted(rows)


def library_years():
    from chinese_calendar import constants

    return sorted({day.year for day in constants.holidays})


@transaction.atomic
def seed_from_library(years=None):
    """Add the library's days that the table does not hold yet (rows entered by hand are kept). Returns how many."""
    existing = set(CalendarDay.objects.values_list("day", flat=True))
    rows = [CalendarDay(day=day, year=day.year, kind=kind, name=name[:40], source=DaySource.LIBRARY)
            for day, kind, name in library_days(years) if day not in existing]
    CalendarDay.objects.bulk_create(rows, batch_size=1000)
    transaction.on_commit(WorkCalendar.forget)
    return len(rows)
