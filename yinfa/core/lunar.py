"""Lunar dates (农历) through the ``lunardate`` library: festivals (春节 正月初一, 重阳节 九月初九, …) and birthdays
kept by the lunar calendar, as solar dates of a given solar year."""

import datetime

from lunardate import LunarDate

# festival -> (lunar month, lunar day); 除夕 is the last day of the twelfth month (29th or 30th).
FESTIVALS = {
    "spring": (1, 1),  # 春节
    "lantern": (1, 15),  # 元宵节
    "dragon_boat": (5, 5),  # 端午节
    "mid_autumn": (8, 15),  # 中秋节
    "double_ninth": (9, 9),  # 重阳节 (敬老节)
}


def festival(name: str, year: int) -> datetime.date:
    """The solar date of the festival in lunar year ``year`` (春节 2027 → 2027-02-06; 重阳 2026 → 2026-10-18)."""
    month, day = FESTIVALS[name]
    return LunarDate(year, month, day).to_solar_date()


def to_lunar(day: datetime.date) -> tuple[int, int, int, bool]:
    """(lunar year, month, day, is leap month) of a solar date."""
    lunar = LunarDate.from_solar_date(day.year, day.month, day.day)
    return lunar.year, lunar.month, lunar.day, bool(lunar.is_leap_month)


def lunar_birthday(born: datetime.date, year: int) -> datetime.date:
    """The solar date of the lunar birthday of someone born on the solar date ``born``, in lunar year ``year``.

    A birthday in a leap month is kept in the ordinary month of that number; a 30th in a month that has only 29
    days that year falls on the 29th (the usual practice)."""
    _year, month, day, _leap = to_lunar(born)
    while day > 28:
        try:
            return LunarDate(year, month, day).to_solar_date()
        except ValueError:
            day -= 1
    return LunarDate(year, month, day).to_solar_date()


def birthday_in(born: datetime.date, year: int, lunar: bool) -> datetime.date | None:
    """The birthday falling in solar year ``year``: solar (29 February → 28 February in common years) or lunar (the
    lunar birthday of lunar year ``year - 1`` or ``year`` that falls in the solar year). A lunar birthday late in the
    lunar year can miss a solar year altogether (after a leap month): None then."""
    if not lunar:
        try:
            return born.replace(year=year)
        except ValueError:
            return datetime.date(year, 2, 28)
    for lunar_year in (year - 1, year):
        found = lunar_birthday(born, lunar_year)
        if found.year == year:
            return found
    return None
