"""Scores of assessment items drawn from the system's own records (every ``ItemSource`` but MANUAL).

``measure(items, branches, year, within_path=…)`` scores many branches at once: each source needed by the items
runs a constant number of queries for the whole set of branches (read by the path prefix of the round's
organisation, never one query per branch), then each item is scored from those facts with its own points and
threshold N. A score is a ``Decimal`` (partial scores are rounded down to the half point) with a short basis
text saying what the records show; ``None`` when the records hold nothing to score from (the branch scores the
item by hand then).
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, F, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from yinfa.partylife.assessment_presets import DEFAULT_THRESHOLDS
from yinfa.partylife.models import COMMITTEE_FROM, BranchCompliance, ItemSource, Meeting, MeetingKind
from yinfa.partylife.periods import Frequency, open_mask, period_index

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# The meetings counted by the "held in N periods" sources: (meeting kind, period).
PERIOD_SOURCES = {
    ItemSource.COMMITTEE_MONTHS: (MeetingKind.COMMITTEE, Frequency.MONTH),
    ItemSource.GENERAL_QUARTERS: (MeetingKind.GENERAL, Frequency.QUARTER),
    ItemSource.LECTURE_QUARTERS: (MeetingKind.LECTURE, Frequency.QUARTER),
}


@dataclass(frozen=True)
class Measured:
    score: Decimal | None
    basis: str


def as_of_day(year, today=None):
    """The day the records are read at for ``year``: today, or the year's last day once it is over."""
    today = today or timezone.localdate()
    return min(today, datetime.date(year, 12, 31))


def quantize(value):
    return Decimal(value).quantize(CENT)


def floor_half(value):
    """Rounded down to the half point: 7.9 → 7.5, 7.4 → 7.0."""
    return quantize((Decimal(value) * 2).to_integral_value(rounding=ROUND_FLOOR) / 2)


def proportional(points, achieved, needed):
    """Full points when ``achieved`` ≥ ``needed``, else points × achieved / needed rounded down to the half."""
    points = Decimal(points)
    if needed <= 0 or Decimal(achieved) >= Decimal(needed):
        return quantize(points)
    return floor_half(points * Decimal(achieved) / Decimal(needed))


def threshold_of(item):
    return item.threshold if item.threshold is not None else DEFAULT_THRESHOLDS.get(item.source)


def plain(number):
    """A Decimal threshold without trailing zeros: 10.00 → '10', 87.50 → '87.5'."""
    text = f"{Decimal(number):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def day(value):
    return formats.date_format(value, "Y-m-d")


# --- facts: one query (or none) per source for all branches ---------------------------------------------------

def periods_held(branch_ids, year, within_path, kind, frequency):
    """{branch id: number of periods of ``frequency`` with a qualifying meeting of ``kind`` counted in ``year``}."""
    held = {}
    rows = (Meeting.objects.filter(branch_path__startswith=within_path, counts_year=year, kind=kind, qualifies=True)
            .values_list("branch_id", "counts_month").distinct())
    for branch_id, month in rows:
        if branch_id in branch_ids:
            held.setdefault(branch_id, set()).add(period_index(frequency, month))
    return {branch_id: len(periods) for branch_id, periods in held.items()}


def compliance_figures(branch_ids, year, within_path):
    """{branch id: (held, expected)} from the precomputed compliance rows of ``year``."""
    rows = (BranchCompliance.objects.filter(year=year, branch_path__startswith=within_path)
            .values_list("branch_id", "held", "expected"))
    return {branch_id: (held, expected) for branch_id, held, expected in rows if branch_id in branch_ids}


def attendance_figures(branch_ids, year, within_path):
    """{branch id: (participated, expected, meetings)} over ``year``'s meetings with attendance recorded."""
    rows = (Meeting.objects.filter(branch_path__startswith=within_path, counts_year=year, attendance_recorded=True)
            .values("branch_id")
            .annotate(participated=Sum(F("present_count") + F("delivered_count")), expected=Sum("expected_count"),
                      meetings=Count("pk"))
            .order_by())
    return {row["branch_id"]: (row["participated"] or 0, row["expected"] or 0, row["meetings"])
            for row in rows if row["branch_id"] in branch_ids}


def dues_arrears(branch_ids, as_of):
    """{branch id: longest arrears in months} from the dues records (the dues app's selector)."""
    from yinfa.dues.selectors import longest_arrears_by_branch

    return longest_arrears_by_branch(sorted(branch_ids), as_of)


def gather(sources, branches, year, within_path, as_of):
    """The facts each of ``sources`` needs, for all ``branches``: {source: {branch id: fact}}."""
    ids = {branch.pk for branch in branches}
    facts = {}
    for source in sources:
        if source in PERIOD_SOURCES:
            kind, frequency = PERIOD_SOURCES[source]
            facts[source] = periods_held(ids, year, within_path, kind, frequency)
        elif source == ItemSource.COMPLIANCE_RATE:
            facts[source] = compliance_figures(ids, year, within_path)
        elif source == ItemSource.ATTENDANCE_RATE:
            facts[source] = attendance_figures(ids, year, within_path)
        elif source == ItemSource.NO_DUES_ARREARS:
            facts[source] = dues_arrears(ids, as_of)
    return facts


# --- scoring one item of one branch ---------------------------------------------------------------------------

def open_periods(branch, year, frequency):
    node = branch.node
    return bin(open_mask(frequency, year, node.opened_on, node.closed_on)).count("1")


def score_periods(item, branch, year, held):
    _kind, frequency = PERIOD_SOURCES[item.source]
    periods = open_periods(branch, year, frequency)
    needed = min(threshold_of(item), Decimal(periods)) if periods else threshold_of(item)
    values = {"held": held, "total": periods, "needed": plain(needed)}
    if frequency == Frequency.MONTH:
        basis = _("Held in %(held)s of %(total)s months (%(needed)s needed)") % values
    else:
        basis = _("Held in %(held)s of %(total)s quarters (%(needed)s needed)") % values
    return Measured(proportional(item.points, held, needed), basis)


def score_compliance(item, figures):
    if figures is None or not figures[1]:
        return Measured(None, _("No compliance figures for the year yet: score it by hand."))
    held, expected = figures
    rate = Decimal(held) * 100 / Decimal(expected)
    needed = threshold_of(item)
    basis = _("Required meetings held: %(held)s of %(expected)s (%(rate)s %%; %(needed)s %% needed)") % {
        "held": held, "expected": expected, "rate": plain(rate.quantize(Decimal("0.1"))), "needed": plain(needed)}
    return Measured(proportional(item.points, rate, needed), basis)


def score_attendance(item, figures):
    if figures is None or not figures[1]:
        return Measured(ZERO, _("No meeting with attendance recorded in the year."))
    participated, expected, meetings = figures
    rate = Decimal(participated) * 100 / Decimal(expected)
    needed = threshold_of(item)
    basis = _("Took part (present or study delivered): %(participated)s of %(expected)s over %(meetings)s meetings "
              "(%(rate)s %%; %(needed)s %% needed)") % {
        "participated": participated, "expected": expected, "meetings": meetings,
        "rate": plain(rate.quantize(Decimal("0.1"))), "needed": plain(needed)}
    return Measured(proportional(item.points, rate, needed), basis)


def score_arrears(item, months):
    limit = threshold_of(item)
    months = months or 0
    if months >= limit:
        return Measured(ZERO, _("A member is %(months)s months in arrears (limit: %(limit)s)") % {
            "months": months, "limit": plain(limit)})
    if months:
        basis = _("Longest arrears: %(months)s months (limit: %(limit)s)") % {"months": months,
                                                                              "limit": plain(limit)}
    else:
        basis = _("No member in arrears")
    return Measured(quantize(item.points), basis)


def score_committee(item, branch, as_of):
    ends = branch.term_ends_on
    if ends is None:
        return Measured(ZERO, _("No committee term recorded"))
    if ends < as_of:
        return Measured(ZERO, _("The term ended on %(day)s") % {"day": day(ends)})
    if branch.full_members >= COMMITTEE_FROM and not branch.has_committee:
        return Measured(ZERO, _("%(members)s full members but no committee (needed from %(from)s)") % {
            "members": branch.full_members, "from": COMMITTEE_FROM})
    return Measured(quantize(item.points), _("In office; the term ends on %(day)s") % {"day": day(ends)})


def score_item(item, branch, year, facts, as_of):
    """The Measured score of one system item for one branch, from the gathered ``facts``."""
    source = item.source
    if source in PERIOD_SOURCES:
        return score_periods(item, branch, year, facts[source].get(branch.pk, 0))
    if source == ItemSource.COMPLIANCE_RATE:
        return score_compliance(item, facts[source].get(branch.pk))
    if source == ItemSource.ATTENDANCE_RATE:
        return score_attendance(item, facts[source].get(branch.pk))
    if source == ItemSource.NO_DUES_ARREARS:
        return score_arrears(item, facts[source].get(branch.pk))
    if source == ItemSource.COMMITTEE_IN_PLACE:
        return score_committee(item, branch, as_of)
    raise ValueError(f"not a system source: {source}")


def measure(items, branches, year, *, within_path, today=None):
    """{(branch id, item id): Measured} for every system item of ``items`` and every branch of ``branches``.

    ``branches`` are ``Branch`` rows with their node loaded (opening and closing dates), all lying under
    ``within_path`` (the round's organisation, or the one branch's path).
    """
    system_items = [item for item in items if item.source != ItemSource.MANUAL]
    if not system_items or not branches:
        return {}
    as_of = as_of_day(year, today)
    facts = gather({item.source for item in system_items}, branches, year, within_path, as_of)
    return {(branch.pk, item.pk): score_item(item, branch, year, facts, as_of)
            for branch in branches for item in system_items}
