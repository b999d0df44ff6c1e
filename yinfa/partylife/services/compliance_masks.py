"""The arithmetic of compliance: per branch, year and rule four bit masks (bit i = period i of the rule's frequency).

- open: periods the branch was open for some day (the node's opened_on / closed_on);
- expected: open periods that are due (their end plus the days of grace has passed) or already held;
- held: open periods with a qualifying meeting of the rule's type attributed to them;
- on time: held periods with a qualifying meeting held no later than the period's end plus the days of grace.

``Combiner`` is the reference arithmetic. The held and on-time masks of every branch come from one aggregate
statement over the year's meetings (``held_by_branch``, portable: ``SUM(DISTINCT 1 << period)``), or for one
branch from its meetings in Python (``held_from_meetings``). On PostgreSQL the whole year is one statement
(``compliance_sql``, packing the masks of several rules into BIGINTs); the tests hold all of them to the same rows.
"""

import functools
from dataclasses import dataclass

from django.db.models import Aggregate, Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Cast

from yinfa.core.models import OrgKind, OrgNode
from yinfa.partylife.models import ComplianceRule, Meeting
from yinfa.partylife.periods import PERIODS_PER_YEAR, Frequency, due_mask, open_mask, period_index

LATENESS_COLUMN = {Frequency.MONTH: "days_after_month", Frequency.QUARTER: "days_after_quarter",
                   Frequency.YEAR: "days_after_year"}
LATENESS_ORDER = (Frequency.MONTH, Frequency.QUARTER, Frequency.YEAR)
PACK_BITS = 62  # bits used of each BIGINT (the sign bit stays clear)
# A party group meeting (党小组会) is asked only of a branch that has party groups.
GROUP_MEETING = "group"


def has_groups(branch_pk="pk"):
    """Expression: the branch (``branch_pk``: its node id) has a party group that is not closed."""
    return Exists(OrgNode.objects.filter(parent_id=OuterRef(branch_pk), kind=OrgKind.PARTY_GROUP,
                                         closed_on__isnull=True))


@dataclass(frozen=True)
class RuleSpec:
    """What the calculation needs of a rule (plain values, so results never depend on a stale model instance)."""

    id: int
    meeting_kind: str
    frequency: str
    branch_kinds: tuple
    grace_days: int

    @classmethod
    def of(cls, rule):
        return cls(id=rule.pk, meeting_kind=rule.meeting_kind, frequency=rule.frequency,
                   branch_kinds=tuple(rule.branch_kinds or ()), grace_days=rule.grace_days)

    def applies_to(self, branch_kind, with_groups=True):
        if self.meeting_kind == GROUP_MEETING and not with_groups:
            return False
        return not self.branch_kinds or branch_kind in self.branch_kinds

    @property
    def periods(self):
        return PERIODS_PER_YEAR[self.frequency]


def rules_in_force():
    return [RuleSpec.of(rule) for rule in ComplianceRule.objects.filter(active=True).order_by("sort_order", "pk")]


@functools.lru_cache(maxsize=4096)
def cached_open_mask(frequency, year, opened_on, closed_on):
    return open_mask(frequency, year, opened_on, closed_on)


def open_in_year(year, opened_on, closed_on):
    return cached_open_mask(Frequency.YEAR, year, opened_on, closed_on) != 0


class Combiner:
    """Turns a branch's held masks into what is stored: (expected, held, on time, detail).

    ``held`` is a sequence of (held mask, on-time mask) aligned with ``rules`` (or None: nothing held). What depends
    only on the branch's kind and dates (the applicable rules, their open and due masks) is worked out once per
    distinct (kind, opened_on, closed_on, has party groups) and reused.
    """

    def __init__(self, rules, year, today):
        self.rules = rules
        self.year = year
        self.dues = [due_mask(rule.frequency, year, rule.grace_days, today) for rule in rules]
        self._profiles = {}

    def profile(self, kind, opened_on, closed_on, with_groups=True):
        key = (kind, opened_on, closed_on, with_groups)
        found = self._profiles.get(key)
        if found is None:
            found = tuple((n, str(rule.id), cached_open_mask(rule.frequency, self.year, opened_on, closed_on),
                           self.dues[n]) for n, rule in enumerate(self.rules) if rule.applies_to(kind, with_groups))
            self._profiles[key] = found
        return found

    def __call__(self, kind, opened_on, closed_on, held, with_groups=True):
        detail = {}
        expected_total = held_total = on_time_total = 0
        for n, key, opened, due in self.profile(kind, opened_on, closed_on, with_groups):
            if held:
                held_mask, on_time_mask = held[n]
                held_mask &= opened
                on_time_mask &= held_mask
            else:
                held_mask = on_time_mask = 0
            expected_mask = opened & (due | held_mask)
            detail[key] = [opened, expected_mask, held_mask, on_time_mask]
            expected_total += expected_mask.bit_count()
            held_total += held_mask.bit_count()
            on_time_total += on_time_mask.bit_count()
        return expected_total, held_total, on_time_total, detail


def held_from_meetings(rules, meetings):
    """[(held mask, on-time mask) per rule] from (kind, counts_month, days after month, quarter, year) rows."""
    result = [(0, 0)] * len(rules)
    for kind, month, *lateness in meetings:
        for n, rule in enumerate(rules):
            if rule.meeting_kind != kind:
                continue
            bit = 1 << period_index(rule.frequency, month)
            late = lateness[LATENESS_ORDER.index(rule.frequency)]
            held_mask, on_time_mask = result[n]
            result[n] = (held_mask | bit, on_time_mask | (bit if late <= rule.grace_days else 0))
    return result


# --- the statement over the meetings ------------------------------------------------------------------------------

def held_by_branch(rules, year, branch_ids=None):
    """(rows, decode): ``rows`` maps branch id -> raw aggregate values, ``decode(raw)`` gives [(held, on time) per
    rule]. One statement over the qualifying meetings of ``year``: per rule ``SUM(DISTINCT 1 << period)`` of the
    meetings of its type, and of those on time (portable; PostgreSQL uses ``compliance_sql`` instead)."""
    if not rules:
        return {}, lambda raw: None
    columns = {}
    for n, rule in enumerate(rules):
        bit = _period_bit(rule.frequency)
        late = {f"{LATENESS_COLUMN[rule.frequency]}__lte": rule.grace_days}
        columns[f"h{n}"] = MaskUnion(Case(When(kind=rule.meeting_kind, then=bit), output_field=IntegerField()))
        columns[f"o{n}"] = MaskUnion(Case(When(Q(kind=rule.meeting_kind, **late), then=bit),
                                          output_field=IntegerField()))
    meetings = Meeting.objects.filter(counts_year=year, qualifies=True, kind__in={r.meeting_kind for r in rules})
    if branch_ids is not None:
        meetings = meetings.filter(branch_id__in=branch_ids)
    query = meetings.order_by().values("branch_id").annotate(**columns).values_list("branch_id", *columns)
    rows = {row[0]: row[1:] for row in query}

    def decode(raw):
        return [(raw[2 * n] or 0, raw[2 * n + 1] or 0) for n in range(len(rules))]

    return rows, decode


def pack_layout(rules):
    """[(group, first bit)] per rule, for packing the masks of several rules into BIGINTs (``compliance_sql``):
    rule n's held bits start at its first bit, its on-time bits right after."""
    layout, group, used = [], 0, 0
    for rule in rules:
        width = 2 * rule.periods
        if used + width > PACK_BITS:
            group, used = group + 1, 0
        layout.append((group, used))
        used += width
    return layout


class MaskUnion(Aggregate):
    """The bitwise OR of powers of two, portably: ``SUM(DISTINCT 1 << i)``."""

    function = "SUM"
    allow_distinct = True
    output_field = IntegerField()

    def __init__(self, expression, **extra):
        super().__init__(expression, distinct=True, **extra)


def _period_bit(frequency):
    month = Cast("counts_month", IntegerField())
    if frequency == Frequency.MONTH:
        return Value(1).bitleftshift(month - 1)
    if frequency == Frequency.QUARTER:
        return Value(1).bitleftshift((month - 1) / 3)
    return Value(1)
