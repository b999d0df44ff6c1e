"""The compliance engine: masks per rule for month, quarter and year; grace days; make-up meetings; the branch-kind
filter; refresh (one statement over the meetings) and refresh_branch (one branch) agreeing."""

import datetime
import random

import pytest

from yinfa.partylife.models import BranchCompliance, BranchKind, ComplianceRule, MeetingKind
from yinfa.partylife.periods import Frequency
from yinfa.partylife.services import compliance, compliance_masks
from yinfa.partylife.services.compliance_masks import pack_layout
from yinfa.partylife.tests.compliance_factories import make_branch, make_meeting

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 7, 15)  # January–June are due (no grace); the second quarter too; the year is not


@pytest.fixture
def rules(db):
    """Three rules of our own instead of the defaults: monthly committee, quarterly lecture, yearly life meeting."""
    ComplianceRule.objects.update(active=False)
    return {
        "month": ComplianceRule.objects.create(name="支委会", meeting_kind=MeetingKind.COMMITTEE,
                                               frequency=Frequency.MONTH),
        "quarter": ComplianceRule.objects.create(name="党课", meeting_kind=MeetingKind.LECTURE,
                                                 frequency=Frequency.QUARTER),
        "year": ComplianceRule.objects.create(name="组织生活会", meeting_kind=MeetingKind.LIFE_MEETING,
                                              frequency=Frequency.YEAR),
    }


def masks(branch, rule, year=2026):
    return BranchCompliance.objects.get(branch=branch, year=year).detail[str(rule.pk)]


def bits(*indexes):
    return sum(1 << i for i in indexes)


def test_a_branch_open_all_year_expects_the_due_periods_and_counts_the_held_ones(world, rules):
    branch = make_branch(world.unit_a, "甲县财政局离退休第一支部")
    for month in (1, 2, 4):
        make_meeting(branch, MeetingKind.COMMITTEE, D(2026, month, 10))
    make_meeting(branch, MeetingKind.LECTURE, D(2026, 2, 1))
    make_meeting(branch, MeetingKind.LECTURE, D(2026, 3, 30))  # the same quarter: counted once

    figures = compliance.refresh(year=2026, today=TODAY)

    assert masks(branch, rules["month"]) == [bits(*range(12)), bits(*range(6)), bits(0, 1, 3), bits(0, 1, 3)]
    assert masks(branch, rules["quarter"]) == [bits(0, 1, 2, 3), bits(0, 1), bits(0), bits(0)]
    assert masks(branch, rules["year"]) == [1, 0, 0, 0]
    row = BranchCompliance.objects.get(branch=branch, year=2026)
    assert (row.expected, row.held, row.on_time) == (6 + 2, 3 + 1, 3 + 1)
    assert row.branch_path == branch.path
    assert figures["branches"] == 1 and figures["expected"] == 8 and figures["held"] == 4


def test_a_branch_opened_mid_year_expects_only_the_periods_it_was_open(world, rules):
    branch = make_branch(world.unit_a, "甲县新建支部", opened_on=D(2026, 4, 15))
    compliance.refresh(year=2026, today=TODAY)
    assert masks(branch, rules["month"])[:2] == [bits(*range(3, 12)), bits(3, 4, 5)]
    assert masks(branch, rules["quarter"])[:2] == [bits(1, 2, 3), bits(1)]
    assert masks(branch, rules["year"])[:2] == [1, 0]


def test_a_branch_closed_mid_year_expects_nothing_after_it_closed(world, rules):
    branch = make_branch(world.unit_a, "甲县撤销支部", closed_on=D(2026, 5, 1))
    make_meeting(branch, MeetingKind.LIFE_MEETING, D(2026, 3, 1))
    compliance.refresh(year=2026, today=D(2027, 3, 1))
    assert masks(branch, rules["month"])[:2] == [bits(0, 1, 2, 3), bits(0, 1, 2, 3)]
    assert masks(branch, rules["quarter"])[:2] == [bits(0, 1), bits(0, 1)]
    assert masks(branch, rules["year"]) == [1, 1, 1, 1]


def test_a_branch_closed_before_the_year_gets_no_row(world, rules):
    closed = make_branch(world.unit_a, "甲县旧支部", closed_on=D(2025, 12, 31))
    BranchCompliance.objects.create(branch=closed, year=2026, branch_path=closed.path, expected=3)
    compliance.refresh(year=2026, today=TODAY)
    assert not BranchCompliance.objects.filter(branch=closed).exists()


def test_a_meeting_within_the_grace_days_is_on_time_and_one_after_them_is_late(world, rules):
    rule = rules["month"]
    rule.grace_days = 5
    rule.save()
    branch = make_branch(world.unit_a, "甲县宽限支部")
    make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 2, 3), counts_month=1)  # 3 days after January
    make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 3, 10), counts_month=2)  # 10 days after February
    make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 3, 31))
    compliance.refresh(year=2026, today=D(2026, 7, 3))  # June + 5 days has not passed yet
    opened, expected, held, on_time = masks(branch, rule)
    assert expected == bits(0, 1, 2, 3, 4)
    assert held == bits(0, 1, 2)
    assert on_time == bits(0, 2)


def test_a_make_up_meeting_counts_for_the_earlier_month_as_held_but_late(world, rules):
    branch = make_branch(world.unit_a, "甲县补开支部")
    meeting = make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 3, 20), counts_month=2)
    assert (meeting.counts_year, meeting.counts_month) == (2026, 2)
    compliance.refresh(year=2026, today=TODAY)
    _opened, _expected, held, on_time = masks(branch, rules["month"])
    assert held == bits(1) and on_time == 0
    # For the quarter the make-up meeting was held within the quarter, so it is on time there.
    lecture = make_meeting(branch, MeetingKind.LECTURE, D(2026, 3, 20), counts_month=2)
    assert lecture.days_after_quarter < 0
    compliance.refresh(year=2026, today=TODAY)
    assert masks(branch, rules["quarter"])[2:] == [bits(0), bits(0)]


def test_a_make_up_meeting_for_december_counts_for_the_previous_year(world, rules):
    branch = make_branch(world.unit_a, "甲县跨年支部")
    make_meeting(branch, MeetingKind.LIFE_MEETING, D(2027, 1, 8), counts_year=2026, counts_month=12)
    compliance.refresh(year=2026, today=D(2027, 1, 20))
    assert masks(branch, rules["year"]) == [1, 1, 1, 0]


def test_meetings_that_do_not_qualify_are_ignored(world, rules):
    branch = make_branch(world.unit_a, "甲县未记录支部")
    make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 1, 10), qualifies=False)
    compliance.refresh(year=2026, today=TODAY)
    assert masks(branch, rules["month"])[2] == 0


def test_a_rule_for_some_branch_kinds_leaves_the_others_alone(world, rules):
    rules["quarter"].branch_kinds = [BranchKind.COMMUNITY]
    rules["quarter"].save()
    unit_branch = make_branch(world.unit_a, "甲县单位支部")
    community_branch = make_branch(world.community_a, "东门社区第一支部")
    assert community_branch.kind == BranchKind.COMMUNITY
    compliance.refresh(year=2026, today=TODAY)
    unit_detail = BranchCompliance.objects.get(branch=unit_branch).detail
    community_detail = BranchCompliance.objects.get(branch=community_branch).detail
    assert str(rules["quarter"].pk) not in unit_detail
    assert str(rules["quarter"].pk) in community_detail
    assert BranchCompliance.objects.get(branch=community_branch).expected == 6 + 2


def test_a_period_in_progress_counts_as_expected_once_held(world, rules):
    branch = make_branch(world.unit_a, "甲县进行中支部")
    make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 7, 2))
    make_meeting(branch, MeetingKind.LIFE_MEETING, D(2026, 7, 2))
    compliance.refresh(year=2026, today=TODAY)
    assert masks(branch, rules["month"])[1:] == [bits(*range(7)), bits(6), bits(6)]
    assert masks(branch, rules["year"]) == [1, 1, 1, 1]


def test_inactive_rules_count_for_nothing(world, rules):
    ComplianceRule.objects.update(active=False)
    branch = make_branch(world.unit_a, "甲县无规则支部")
    compliance.refresh(year=2026, today=TODAY)
    row = BranchCompliance.objects.get(branch=branch)
    assert (row.expected, row.held, row.detail) == (0, 0, {})


def test_refresh_of_some_branches_leaves_the_others_alone(world, rules):
    first = make_branch(world.unit_a, "甲县支部一")
    second = make_branch(world.unit_a, "甲县支部二")
    compliance.refresh(year=2026, today=TODAY)
    make_meeting(first, MeetingKind.COMMITTEE, D(2026, 1, 5))
    make_meeting(second, MeetingKind.COMMITTEE, D(2026, 1, 5))
    compliance.refresh(year=2026, today=TODAY, branch_ids=[first.pk])
    assert BranchCompliance.objects.get(branch=first).held == 1
    assert BranchCompliance.objects.get(branch=second).held == 0


def test_refresh_branch_stores_the_one_branch_in_a_few_queries(world, rules, django_assert_max_num_queries):
    branch = make_branch(world.unit_a, "甲县单个支部")
    make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 3, 5))
    with django_assert_max_num_queries(6):
        compliance.refresh_branch(branch=branch, year=2026, today=TODAY)
    assert BranchCompliance.objects.get(branch=branch).held == 1
    make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 4, 5))
    compliance.refresh_branch(branch=branch.pk, year=2026, today=TODAY)
    assert BranchCompliance.objects.get(branch=branch).held == 2


def test_refresh_and_refresh_branch_agree_on_a_random_year(world):
    """The default rules and more (two rules on one meeting type, one for community branches only; enough rules
    to need several packed integers on PostgreSQL), branches opened and closed at odd dates, random meetings (some
    late, some make-up, some not qualifying): the bulk refresh and the per-branch calculation store the same rows."""
    ComplianceRule.objects.filter(meeting_kind=MeetingKind.COMMITTEE).update(grace_days=7)
    ComplianceRule.objects.create(name="社区支部支委会每季度", meeting_kind=MeetingKind.COMMITTEE,
                                  frequency=Frequency.QUARTER, grace_days=10, branch_kinds=[BranchKind.COMMUNITY])
    for n in range(4):
        ComplianceRule.objects.create(name=f"主题党日加项{n}", meeting_kind=MeetingKind.THEME_DAY,
                                      frequency=Frequency.MONTH, grace_days=n * 3)
    rng = random.Random(4)
    branches = []
    for n in range(12):
        opened = D(2026, rng.randint(1, 12), rng.randint(1, 28)) if n % 3 == 1 else None
        closed = D(2026, rng.randint(1, 12), rng.randint(1, 28)) if n % 4 == 2 else None
        parent = world.community_a if n % 2 else world.unit_a
        branches.append(make_branch(parent, f"甲县随机支部{n}", opened_on=opened, closed_on=closed))
    for branch in branches:
        for _ in range(rng.randint(0, 40)):
            held_on = D(2026, rng.randint(1, 12), rng.randint(1, 28))
            month = rng.randint(1, held_on.month) if rng.random() < 0.2 else None
            make_meeting(branch, rng.choice(list(MeetingKind)), held_on, counts_month=month,
                         qualifies=rng.random() > 0.15)
    today = D(2026, 9, 3)
    assert max(group for group, _base in pack_layout(compliance_masks.rules_in_force())) >= 2
    compliance.refresh(year=2026, today=today)
    bulk = {row.branch_id: (row.expected, row.held, row.on_time, row.detail) for row in BranchCompliance.objects.all()}
    BranchCompliance.objects.all().delete()
    for branch in branches:
        compliance.refresh_branch(branch=branch, year=2026, today=today)
    single = {row.branch_id: (row.expected, row.held, row.on_time, row.detail)
              for row in BranchCompliance.objects.all()}
    assert bulk == single
    assert sum(v[1] for v in bulk.values()) > 20  # the data set is not trivial
    assert any(v[2] < v[1] for v in bulk.values())  # some meetings were late


def test_party_group_meetings_are_asked_only_of_branches_with_party_groups(world, rules):
    from yinfa.core.models import OrgKind
    from yinfa.core.testing import make_node

    group_rule = ComplianceRule.objects.create(name="党小组会", meeting_kind=MeetingKind.GROUP,
                                               frequency=Frequency.MONTH)
    small = make_branch(world.unit_a, "甲县财政局离退休小支部")
    grouped = make_branch(world.unit_a, "甲县财政局离退休大支部")
    make_node(grouped.node, OrgKind.PARTY_GROUP, "甲县财政局第一党小组")

    compliance.refresh(year=2026, today=TODAY)

    assert str(group_rule.pk) not in BranchCompliance.objects.get(branch=small, year=2026).detail
    assert masks(grouped, group_rule)[1] == bits(*range(6))  # January–June due, none held
    stored = {row.branch_id: (row.expected, row.detail) for row in BranchCompliance.objects.filter(year=2026)}
    for branch in (small, grouped):
        compliance.refresh_branch(branch=branch, year=2026, today=TODAY)
        row = BranchCompliance.objects.get(branch=branch, year=2026)
        assert (row.expected, row.detail) == stored[branch.pk]
