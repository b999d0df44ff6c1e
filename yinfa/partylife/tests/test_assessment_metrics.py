"""The scores drawn from the records: each system source on small data (meetings and compliance rows built
directly), rounding to the half point, Decimal results, and a constant number of queries for many branches."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yinfa.partylife import assessment_metrics as metrics
from yinfa.partylife.models import AssessmentItem, ItemSource, MeetingKind
from yinfa.partylife.tests.assessment_factories import (
    YEAR,
    committee_meetings,
    make_branch,
    make_compliance,
    make_meeting,
    term_ahead,
)

pytestmark = pytest.mark.django_db


def an_item(source, points, threshold=None, pk=1):
    return AssessmentItem(pk=pk, title="项", source=source, points=Decimal(points),
                          threshold=None if threshold is None else Decimal(threshold))


def measure_one(item, branch, within=None):
    return metrics.measure([item], [branch], YEAR, within_path=within or branch.path)[(branch.pk, item.pk)]


@pytest.fixture
def branch(world):
    return make_branch(world.unit_a, "甲县财政局离退休干部党支部")


def test_partial_scores_are_rounded_down_to_the_half_point():
    assert metrics.floor_half(Decimal("7.9")) == Decimal("7.50")
    assert metrics.floor_half(Decimal("7.4")) == Decimal("7.00")
    assert metrics.proportional(Decimal(10), 7, 10) == Decimal("7.00")
    assert metrics.proportional(Decimal(5), 7, 12) == Decimal("2.50")
    assert metrics.proportional(Decimal(5), 13, 12) == Decimal("5.00")


# --- meetings held in N periods ------------------------------------------------------------------------------------

def test_committee_months_at_the_threshold_earn_full_points(branch):
    committee_meetings(branch, range(1, 11))
    make_meeting(branch, MeetingKind.COMMITTEE, datetime.date(YEAR, 3, 25))  # a second one in March counts once
    result = measure_one(an_item(ItemSource.COMMITTEE_MONTHS, 10, 10), branch)
    assert result.score == Decimal("10.00")
    assert isinstance(result.score, Decimal)
    assert result.basis == "Held in 10 of 12 months (10 needed)"


def test_committee_months_below_the_threshold_earn_points_in_proportion(branch):
    committee_meetings(branch, range(1, 8))
    make_meeting(branch, MeetingKind.COMMITTEE, datetime.date(YEAR, 9, 5), qualifies=False)  # no minutes: not counted
    make_meeting(branch, MeetingKind.COMMITTEE, datetime.date(YEAR - 1, 11, 5))  # another year
    make_meeting(branch, MeetingKind.GROUP, datetime.date(YEAR, 11, 5))  # another kind
    assert measure_one(an_item(ItemSource.COMMITTEE_MONTHS, 10, 10), branch).score == Decimal("7.00")
    result = measure_one(an_item(ItemSource.COMMITTEE_MONTHS, 5, 12), branch)
    assert result.score == Decimal("2.50")
    assert result.basis == "Held in 7 of 12 months (12 needed)"


def test_a_branch_opened_mid_year_needs_only_its_open_months(world):
    young = make_branch(world.unit_a, "甲县财政局新建党支部")
    young.node.opened_on = datetime.date(YEAR, 7, 1)
    young.node.save(update_fields=["opened_on"])
    committee_meetings(young, range(7, 13))
    result = measure_one(an_item(ItemSource.COMMITTEE_MONTHS, 10, 10), young)
    assert result.score == Decimal("10.00")
    assert result.basis == "Held in 6 of 6 months (6 needed)"


def test_general_meetings_count_by_quarter(branch):
    for month in (1, 2, 8):
        make_meeting(branch, MeetingKind.GENERAL, datetime.date(YEAR, month, 12))
    result = measure_one(an_item(ItemSource.GENERAL_QUARTERS, 8, 4), branch)
    assert result.score == Decimal("4.00")
    assert result.basis == "Held in 2 of 4 quarters (4 needed)"


def test_a_make_up_lecture_counts_for_the_quarter_it_was_attributed_to(branch):
    make_meeting(branch, MeetingKind.LECTURE, datetime.date(YEAR, 4, 3), counts_month=3)
    make_meeting(branch, MeetingKind.LECTURE, datetime.date(YEAR, 5, 3))
    make_meeting(branch, MeetingKind.LECTURE, datetime.date(YEAR, 8, 3))
    make_meeting(branch, MeetingKind.LECTURE, datetime.date(YEAR, 11, 3))
    assert measure_one(an_item(ItemSource.LECTURE_QUARTERS, 6, 4), branch).score == Decimal("6.00")
    assert measure_one(an_item(ItemSource.GENERAL_QUARTERS, 6, 4), branch).score == Decimal("0.00")


# --- rates ---------------------------------------------------------------------------------------------------------

def test_compliance_rate_at_the_threshold_earns_full_points(branch):
    make_compliance(branch, held=45, expected=50)
    result = measure_one(an_item(ItemSource.COMPLIANCE_RATE, 10, 90), branch)
    assert result.score == Decimal("10.00")
    assert result.basis == "Required meetings held: 45 of 50 (90 %; 90 % needed)"


def test_compliance_rate_below_the_threshold_earns_points_in_proportion(branch):
    make_compliance(branch, held=40, expected=50)
    make_compliance(branch, held=50, expected=50, year=YEAR - 1)
    assert measure_one(an_item(ItemSource.COMPLIANCE_RATE, 10, 90), branch).score == Decimal("8.50")


def test_without_compliance_figures_the_item_is_scored_by_hand(branch):
    result = measure_one(an_item(ItemSource.COMPLIANCE_RATE, 10, 90), branch)
    assert result.score is None
    assert "by hand" in result.basis


def test_attendance_counts_present_and_study_delivered_over_meetings_with_attendance(branch):
    make_meeting(branch, MeetingKind.GENERAL, datetime.date(YEAR, 3, 1), expected=10, present=7, delivered=1)
    make_meeting(branch, MeetingKind.LECTURE, datetime.date(YEAR, 6, 1), expected=10, present=6, delivered=2)
    make_meeting(branch, MeetingKind.LECTURE, datetime.date(YEAR, 9, 1), recorded=False, expected=10)
    result = measure_one(an_item(ItemSource.ATTENDANCE_RATE, 8, 80), branch)
    assert result.score == Decimal("8.00")
    assert "16 of 20 over 2 meetings" in result.basis
    assert measure_one(an_item(ItemSource.ATTENDANCE_RATE, 8, 90), branch).score == Decimal("7.00")


def test_no_meeting_with_attendance_scores_nothing(branch):
    result = measure_one(an_item(ItemSource.ATTENDANCE_RATE, 8, 80), branch)
    assert result.score == Decimal("0.00")


# --- dues and the committee ----------------------------------------------------------------------------------------

def test_dues_arrears_of_n_months_or_more_lose_the_points(world, monkeypatch):
    from yinfa.dues import selectors

    clear, late, lapsing = (make_branch(world.unit_a, f"甲县财政局第{n}党支部") for n in "一二三")
    calls = []

    def longest(branch_ids, today):
        calls.append((sorted(branch_ids), today))
        return {clear.pk: 0, late.pk: 2, lapsing.pk: 4}

    monkeypatch.setattr(selectors, "longest_arrears_by_branch", longest)
    item = an_item(ItemSource.NO_DUES_ARREARS, 8, 3)
    results = metrics.measure([item], [clear, late, lapsing], YEAR, within_path=world.unit_a.path)
    assert results[(clear.pk, 1)] == metrics.Measured(Decimal("8.00"), "No member in arrears")
    assert results[(late.pk, 1)].score == Decimal("8.00")
    assert results[(lapsing.pk, 1)] == metrics.Measured(Decimal("0.00"),
                                                        "A member is 4 months in arrears (limit: 3)")
    assert calls == [(sorted([clear.pk, late.pk, lapsing.pk]), datetime.date(YEAR, 12, 31))]


def test_dues_arrears_are_read_from_the_dues_records(branch):
    result = measure_one(an_item(ItemSource.NO_DUES_ARREARS, 8, 3), branch)
    assert result.score == Decimal("8.00")


def test_a_committee_in_office_earns_the_points(world):
    in_office = make_branch(world.unit_a, "甲县财政局在任党支部", term_ends_on=term_ahead(), full_members=9,
                            has_committee=True)
    secretary_only = make_branch(world.unit_a, "甲县财政局小支部", term_ends_on=term_ahead(), full_members=5)
    no_term = make_branch(world.unit_a, "甲县财政局无任期党支部")
    lapsed = make_branch(world.unit_a, "甲县财政局到期党支部", term_ends_on=datetime.date(YEAR, 6, 30))
    no_committee = make_branch(world.unit_a, "甲县财政局大支部", term_ends_on=term_ahead(), full_members=8)
    item = an_item(ItemSource.COMMITTEE_IN_PLACE, 5)
    results = metrics.measure([item], [in_office, secretary_only, no_term, lapsed, no_committee], YEAR,
                              within_path=world.unit_a.path)
    assert [results[(b.pk, 1)].score for b in (in_office, secretary_only, no_term, lapsed, no_committee)] == [
        Decimal("5.00"), Decimal("5.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")]
    assert results[(lapsed.pk, 1)].basis == f"The term ended on {YEAR}-06-30"
    assert results[(no_term.pk, 1)].basis == "No committee term recorded"


def test_manual_items_are_not_measured(branch):
    assert metrics.measure([an_item(ItemSource.MANUAL, 10)], [branch], YEAR, within_path=branch.path) == {}


# --- many branches at once -----------------------------------------------------------------------------------------

ALL_SOURCES = [an_item(source, 10, pk=n) for n, source in enumerate(ItemSource.values, start=1)
               if source != ItemSource.MANUAL]


def queries_for(world, count):
    branches = [make_branch(world.unit_a, f"甲县财政局第{n}支部") for n in range(count)]
    for branch in branches:
        committee_meetings(branch, (1, 2))
        make_compliance(branch, held=8, expected=10)
    with CaptureQueriesContext(connection) as captured:
        results = metrics.measure(ALL_SOURCES, branches, YEAR, within_path=world.unit_a.path)
    assert len(results) == count * len(ALL_SOURCES)
    return len(captured)


def test_the_queries_do_not_grow_with_the_number_of_branches(world):
    few = queries_for(world, 2)
    many = queries_for(world, 20)
    assert few == many
    assert few <= 2 * len(ALL_SOURCES)
