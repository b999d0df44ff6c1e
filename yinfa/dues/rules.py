"""The dues rule for retirees (中组发〔2008〕3号): base ≤ 5,000 yuan (inclusive) → 0.5 % of the whole base;
above → 1 % of the whole base; to the fen (half up). ``Decimal`` throughout."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

THRESHOLD = Decimal("5000.00")
LOW_RATE = Decimal("0.005")
HIGH_RATE = Decimal("0.01")
FEN = Decimal("0.01")
# Paying ahead or catching up: at most this many months in one payment (组电明字〔2017〕5号).
MAX_MONTHS_AT_ONCE = 6
WARNING_MONTHS = 3
ESCALATION_MONTHS = 5


def monthly_dues(base: Decimal) -> Decimal:
    """The monthly dues for a monthly pension base."""
    if not isinstance(base, Decimal):
        raise TypeError("the base must be a Decimal")
    if base < 0:
        raise ValueError("the base cannot be negative")
    rate = LOW_RATE if base <= THRESHOLD else HIGH_RATE
    return (base * rate).quantize(FEN, rounding=ROUND_HALF_UP)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last`` inclusive (both first days of months)."""
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def months_after(first: datetime.date, count: int) -> list[datetime.date]:
    """``count`` months starting with ``first``."""
    return [add_months(month_start(first), n) for n in range(count)]


def month_key(month: datetime.date) -> str:
    """A month as ``2026-01`` (query strings, the API, exports)."""
    return f"{month.year:04d}-{month.month:02d}"


def parse_month(value) -> datetime.date:
    """``2026-01`` (or a date) → the first day of that month; ValueError for anything else."""
    if isinstance(value, datetime.date):
        return month_start(value)
    text = str(value or "").strip()
    parts = text.split("-")
    if len(parts) != 2 or not (parts[0].isdigit() and parts[1].isdigit()) or len(parts[0]) != 4:
        raise ValueError(f"not a month: {text!r}")
    year, month = int(parts[0]), int(parts[1])
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError(f"not a month: {text!r}")
    return datetime.date(year, month, 1)


def due_for_month(base: Decimal | None, decision_kind: str = "", reduced_amount: Decimal | None = None):
    """The amount due for one month: a waiver → 0.00; a reduction → its fixed amount; else the rule on the base.
    None when no base applies (nothing can be computed)."""
    if decision_kind == "waive":
        return Decimal("0.00")
    if decision_kind == "reduce" and reduced_amount is not None:
        return reduced_amount.quantize(FEN, rounding=ROUND_HALF_UP)
    if base is None:
        return None
    return monthly_dues(base)
