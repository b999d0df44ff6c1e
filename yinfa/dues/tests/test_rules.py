"""The dues rule (0.5 % up to 5,000.00 inclusive, 1 % of the whole base above; to the fen, half up) and a
member's months as the ledger computes them: waivers, reductions, a base changed mid-year."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yinfa.dues import ledger
from yinfa.dues.ledger import DecisionRow, MemberLedger, PaymentRow, Span
from yinfa.dues.rules import (
    add_months,
    due_for_month,
    month_key,
    monthly_dues,
    months_after,
    months_between,
    parse_month,
)

D = Decimal
bases = st.decimals(min_value=D("0"), max_value=D("99999999.99"), places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(("base", "dues"), [
    ("5000.00", "25.00"),
    ("5000.01", "50.00"),
    ("0", "0.00"),
    ("0.00", "0.00"),
    ("3333.33", "16.67"),
    ("3333.30", "16.67"),  # 16.665 → half up
    ("3332.99", "16.66"),  # 16.66495
    ("4999.99", "25.00"),
    ("8000.00", "80.00"),
    ("6543.21", "65.43"),
    ("6543.50", "65.44"),  # 65.435 → half up
])
def test_the_rule_at_its_edges(base, dues):
    assert monthly_dues(D(base)) == D(dues)


def test_the_rule_refuses_floats_and_negative_bases():
    with pytest.raises(TypeError):
        monthly_dues(5000.0)
    with pytest.raises(ValueError):
        monthly_dues(D("-1.00"))


@given(bases)
def test_the_result_always_has_two_places(base):
    assert monthly_dues(base).as_tuple().exponent == -2


@given(bases)
def test_up_to_5000_it_is_half_a_percent_rounded_half_up_above_one_percent(base):
    rate = D("0.005") if base <= D("5000.00") else D("0.01")
    assert monthly_dues(base) == (base * rate).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@given(bases, bases)
def test_more_base_never_means_less_dues_except_across_the_5000_jump(a, b):
    low, high = sorted((a, b))
    assert monthly_dues(low) <= monthly_dues(high)
    if low <= D("5000.00") < high:
        assert monthly_dues(high) >= D("50.00")


def test_a_waiver_is_zero_and_a_reduction_its_fixed_amount():
    assert due_for_month(D("6000.00"), "waive") == D("0.00")
    assert due_for_month(D("6000.00"), "reduce", D("5")) == D("5.00")
    assert due_for_month(None, "waive") == D("0.00")
    assert due_for_month(None) is None
    assert due_for_month(D("6000.00")) == D("60.00")


def test_month_helpers():
    assert add_months(datetime.date(2026, 11, 1), 3) == datetime.date(2027, 2, 1)
    assert add_months(datetime.date(2026, 1, 1), -1) == datetime.date(2025, 12, 1)
    assert months_after(datetime.date(2026, 11, 15), 3) == [datetime.date(2026, 11, 1), datetime.date(2026, 12, 1),
                                                            datetime.date(2027, 1, 1)]
    assert len(months_between(datetime.date(2026, 1, 1), datetime.date(2026, 12, 1))) == 12
    assert parse_month("2026-01") == datetime.date(2026, 1, 1)
    assert month_key(datetime.date(2026, 3, 1)) == "2026-03"
    for wrong in ("2026-13", "26-01", "2026/01", "", "x"):
        with pytest.raises(ValueError):
            parse_month(wrong)


@given(st.integers(1900, 2100), st.integers(1, 12))
def test_a_month_key_parses_back(year, month):
    day = datetime.date(year, month, 1)
    assert parse_month(month_key(day)) == day


# --- the ledger ---------------------------------------------------------------------------------------------

TODAY = datetime.date(2026, 11, 22)
M = [datetime.date(2026, n, 1) for n in range(1, 13)]


def member(*, bases=(("2026-01", "4000.00"),), decisions=(), paid=(), spans=((1, datetime.date(2020, 1, 1), None),)):
    row = MemberLedger(7, "王国华")
    row.spans = [Span.from_dates(*span) for span in spans]
    row.bases = [(parse_month(month), D(amount)) for month, amount in bases]
    row.decisions = list(decisions)
    for month in paid:
        month = parse_month(month)
        row.payments[month] = PaymentRow(month.month, month, 1, D("4000.00"), D("20.00"), D("20.00"),
                                         month + datetime.timedelta(days=20), "cash", "")
    return row.finish()


def decision(kind, first, last=None, amount=None, pk=1):
    return DecisionRow(pk, kind, D(amount) if amount else None, parse_month(first), parse_month(last) if last else None,
                       datetime.date(2026, 2, 1), "支部委员会决定", 1)


def test_a_base_changed_mid_year_applies_from_its_month():
    row = member(bases=(("2026-01", "4800.00"), ("2026-06", "5200.00")))
    dues = [row.state(month, TODAY).due for month in M]
    assert dues[:5] == [D("24.00")] * 5
    assert dues[5:] == [D("52.00")] * 7


def test_months_before_the_first_base_owe_nothing():
    row = member(bases=(("2026-04", "4000.00"),))
    assert [row.state(month, TODAY).status for month in M[:3]] == [ledger.NO_BASE] * 3
    assert row.arrears(TODAY) == M[3:10]


def test_a_waived_month_is_not_arrears_and_a_reduction_replaces_the_rule():
    row = member(decisions=[decision("waive", "2026-03", "2026-04"), decision("reduce", "2026-05", None, "5.00", 2)])
    assert row.state(M[2], TODAY).status == ledger.WAIVED
    assert row.state(M[2], TODAY).due == D("0.00")
    assert row.state(M[5], TODAY).due == D("5.00")
    assert M[2] not in row.arrears(TODAY) and M[3] not in row.arrears(TODAY)
    assert row.arrears(TODAY) == [M[0], M[1], *M[4:10]]


def test_the_current_month_is_open_not_in_arrears_and_later_months_are_ahead():
    row = member(paid=["2026-01", "2026-02"])
    assert row.state(M[10], TODAY).status == ledger.OPEN
    assert row.state(M[11], TODAY).status == ledger.AHEAD
    assert row.state(M[0], TODAY).status == ledger.PAID
    assert row.arrears(TODAY) == M[2:10]


def test_months_outside_the_membership_are_not_owed():
    row = member(spans=((1, datetime.date(2026, 3, 15), datetime.date(2026, 9, 1)),))
    assert row.state(M[1], TODAY).status == ledger.OUTSIDE
    assert row.state(M[2], TODAY).status == ledger.UNPAID  # joined mid-March: March is owed
    assert row.state(M[8], TODAY).status == ledger.OUTSIDE  # left on 1 September: August was the last month
    assert row.arrears(TODAY) == M[2:8]


def test_a_branch_sees_only_its_own_months_of_a_transferred_member():
    moved = datetime.date(2026, 6, 10)
    row = member(spans=((1, datetime.date(2020, 1, 1), moved), (2, moved, None)))
    assert row.state(M[6], TODAY, branch_id=1).status == ledger.OUTSIDE
    assert row.state(M[6], TODAY, branch_id=2).status == ledger.UNPAID
    assert row.branch_on(M[5]) == 2  # the transfer month belongs to the new branch
