"""Periods of the compliance rules: months, quarters and years, as (year, index) with index from 0.

A meeting is attributed to a month (``counts_year``, ``counts_month``; normally the month it was held in, or an
earlier month when it was a make-up meeting, 补开); the month gives its quarter and year. Pure functions, no
database.
"""

import calendar
import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    YEAR = "year", _("Yearly")


PERIODS_PER_YEAR = {Frequency.MONTH: 12, Frequency.QUARTER: 4, Frequency.YEAR: 1}


def period_index(frequency, month: int) -> int:
    """The index (from 0) of the period of ``frequency`` holding ``month`` (1–12)."""
    if frequency == Frequency.MONTH:
        return month - 1
    if frequency == Frequency.QUARTER:
        return (month - 1) // 3
    return 0


def period_bounds(frequency, year: int, index: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of the period."""
    if frequency == Frequency.MONTH:
        first_month, last_month = index + 1, index + 1
    elif frequency == Frequency.QUARTER:
        first_month, last_month = index * 3 + 1, index * 3 + 3
    else:
        first_month, last_month = 1, 12
    last_day = calendar.monthrange(year, last_month)[1]
    return datetime.date(year, first_month, 1), datetime.date(year, last_month, last_day)


def period_label(frequency, year: int, index: int) -> str:
    if frequency == Frequency.MONTH:
        return f"{year}年{index + 1}月"
    if frequency == Frequency.QUARTER:
        return f"{year}年第{index + 1}季度"
    return f"{year}年"


def days_after_ends(held_on: datetime.date, counts_year: int, counts_month: int) -> tuple[int, int, int]:
    """Days from the end of the attributed month, quarter and year to the day the meeting was held (≤ 0: within)."""
    result = []
    for frequency in (Frequency.MONTH, Frequency.QUARTER, Frequency.YEAR):
        _first, last = period_bounds(frequency, counts_year, period_index(frequency, counts_month))
        result.append((held_on - last).days)
    return tuple(result)


def open_mask(frequency, year: int, opened_on, closed_on) -> int:
    """Bit i set when the branch was open for some day of period i (opened on or before its last day, not
    closed before its first)."""
    mask = 0
    for index in range(PERIODS_PER_YEAR[frequency]):
        first, last = period_bounds(frequency, year, index)
        if (opened_on is None or opened_on <= last) and (closed_on is None or closed_on > first):
            mask |= 1 << index
    return mask


def due_mask(frequency, year: int, grace_days: int, today: datetime.date) -> int:
    """Bit i set when period i's end plus the days of grace has passed by ``today``."""
    mask = 0
    for index in range(PERIODS_PER_YEAR[frequency]):
        _first, last = period_bounds(frequency, year, index)
        if last + datetime.timedelta(days=grace_days) < today:
            mask |= 1 << index
    return mask


def bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]
