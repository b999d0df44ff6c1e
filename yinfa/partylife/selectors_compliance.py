"""Reads of the compliance pages, the export and the API, always within a scope.

- ``node_summary``: one level of the org tree under a node, each child with the sums of the stored
  ``BranchCompliance`` rows of its subtree (one GROUP BY over the child's path segment, plus one query for the
  children's names, whatever the number of children and branches).
- ``branch_periods``: one branch's rules and periods, computed live from its meetings of the year (the same
  calculation as the stored rows), each period with its state and the meetings recorded for it.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Sum, Value
from django.db.models.functions import StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.models import OrgKind, OrgNode
from yinfa.partylife.models import Branch, BranchCompliance, ComplianceRule, Meeting
from yinfa.partylife.periods import PERIODS_PER_YEAR, Frequency, period_index, period_label
from yinfa.partylife.services import compliance_masks as masks

GOOD_RATE = 90
FAIR_RATE = 70
YEARS_SHOWN = 5


class Band:
    """The colour band of a rate (never shown alone: the percentage is always printed beside it)."""

    GOOD, FAIR, POOR, NONE = "good", "fair", "poor", "none"
    LABELS = {
        # xgettext:no-python-format
        GOOD: _("90% or more"),
        FAIR: _("70% to 89%"),
        POOR: _("below 70%"),
        NONE: _("nothing due yet"),
    }


def rate(held, expected):
    """Held as a whole percentage of expected (rounded down, so 89.9 % is never shown as 90 %); None when nothing
    is expected."""
    if not expected:
        return None
    return held * 100 // expected


def band(percent):
    if percent is None:
        return Band.NONE
    if percent >= GOOD_RATE:
        return Band.GOOD
    return Band.FAIR if percent >= FAIR_RATE else Band.POOR


def selectable_years(today=None):
    this_year = (today or timezone.localdate()).year
    return list(range(this_year, this_year - YEARS_SHOWN, -1))


def parse_year(value, today=None):
    """The year asked for, when it is one of the selectable years; else the current year."""
    years = selectable_years(today)
    try:
        year = int(value)
    except (TypeError, ValueError):
        return years[0]
    return year if year in years else years[0]


# --- the tree ---------------------------------------------------------------------------------------------------

@dataclass
class Figures:
    branches: int = 0
    expected: int = 0
    held: int = 0
    on_time: int = 0

    @property
    def missing(self):
        return self.expected - self.held

    @property
    def rate(self):
        return rate(self.held, self.expected)

    @property
    def on_time_rate(self):
        return rate(self.on_time, self.expected)

    @property
    def band(self):
        return band(self.rate)

    def add(self, other):
        self.branches += other.branches
        self.expected += other.expected
        self.held += other.held
        self.on_time += other.on_time


@dataclass
class ChildRow(Figures):
    node: OrgNode = None

    @property
    def is_branch(self):
        return self.node is not None and self.node.kind == OrgKind.BRANCH


@dataclass
class NodeSummary:
    node: OrgNode
    year: int
    rows: list = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


def results_visible_to(scope):
    return BranchCompliance.objects.visible_to(scope)


def child_segment(offset):
    """SQL: the path segment right after the first ``offset`` characters of ``branch_path`` (a child's id)."""
    rest = Substr("branch_path", offset + 1)
    return Substr("branch_path", offset + 1, StrIndex(rest, Value("/")) - 1)


def node_summary(scope, node, year, order="tree"):
    """The children of ``node`` holding branches with results in ``year``, with their sums (two queries)."""
    grouped = (results_visible_to(scope).filter(year=year, branch_path__startswith=node.path)
               .annotate(child=child_segment(len(node.path))).order_by().values("child")
               .annotate(branches=Count("pk"), expected=Sum("expected"), held=Sum("held"), on_time=Sum("on_time")))
    sums = {}
    for row in grouped:
        if not row["child"]:
            continue  # the node itself is a branch: shown on the branch page, not here
        sums[int(row["child"], 36)] = row
    children = OrgNode.objects.visible_to(scope).filter(pk__in=list(sums)).only(
        "pk", "name", "kind", "path", "sort_order", "closed_on") if sums else []
    summary = NodeSummary(node=node, year=year)
    for child in children:
        row = sums[child.pk]
        summary.rows.append(ChildRow(node=child, branches=row["branches"], expected=row["expected"] or 0,
                                     held=row["held"] or 0, on_time=row["on_time"] or 0))
    if order == "rate":
        summary.rows.sort(key=lambda r: (r.rate is None, r.rate if r.rate is not None else 0, r.node.name))
    else:
        summary.rows.sort(key=lambda r: (r.node.sort_order, r.node.name, r.node.pk))
    for row in summary.rows:
        summary.total.add(row)
    return summary


def breadcrumb(scope, node):
    """The nodes from the scope's own node down to ``node`` (one query)."""
    ids = [int(part, 36) for part in node.path.strip("/").split("/") if part]
    nodes = {n.pk: n for n in OrgNode.objects.visible_to(scope).filter(pk__in=ids).only("pk", "name", "path")}
    return [nodes[pk] for pk in ids if pk in nodes]


def node_in_scope(scope, node_id):
    """The node asked for, when it lies in the scope (else None); the scope's own node when none is asked for."""
    nodes = OrgNode.objects.visible_to(scope)
    try:
        return nodes.get(pk=int(node_id if node_id not in (None, "") else scope.node_id))
    except (OrgNode.DoesNotExist, TypeError, ValueError):
        return None


# --- one branch ---------------------------------------------------------------------------------------------

class CellState:
    ON_TIME, LATE, MISSING, NOT_DUE, CLOSED = "on_time", "late", "missing", "not_due", "closed"
    LABELS = {
        ON_TIME: _("Held on time"),
        LATE: _("Held late"),
        MISSING: _("Missing"),
        NOT_DUE: _("Not yet due"),
        CLOSED: _("Branch not open"),
    }


@dataclass
class Cell:
    index: int
    label: str
    short: str
    state: str
    meetings: list = field(default_factory=list)
    unqualified: list = field(default_factory=list)

    @property
    def state_label(self):
        return CellState.LABELS[self.state]


@dataclass
class RuleRow:
    rule: ComplianceRule
    cells: list
    expected: int
    held: int
    on_time: int

    @property
    def missing(self):
        return [cell for cell in self.cells if cell.state == CellState.MISSING]

    @property
    def rate(self):
        return rate(self.held, self.expected)

    @property
    def band(self):
        return band(self.rate)


def short_label(frequency, year, index):
    if frequency == Frequency.MONTH:
        return str(index + 1)
    if frequency == Frequency.QUARTER:
        return f"Q{index + 1}"
    return str(year)


def cell_state(index, opened, expected, held, on_time):
    bit = 1 << index
    if not opened & bit:
        return CellState.CLOSED
    if held & bit:
        return CellState.ON_TIME if on_time & bit else CellState.LATE
    return CellState.MISSING if expected & bit else CellState.NOT_DUE


def decode_rule(rule, rule_masks, year):
    """The cells of one rule from its four masks [open, expected, held, on time]."""
    opened, expected, held, on_time = rule_masks
    cells = [Cell(index=i, label=period_label(rule.frequency, year, i), short=short_label(rule.frequency, year, i),
                  state=cell_state(i, opened, expected, held, on_time))
             for i in range(PERIODS_PER_YEAR[rule.frequency])]
    return RuleRow(rule=rule, cells=cells, expected=expected.bit_count(), held=held.bit_count(),
                   on_time=on_time.bit_count())


def branch_periods(scope, branch, year, today=None):
    """(rule rows, totals Figures) of one branch in ``year``, computed now from its meetings (three queries)."""
    today = today or timezone.localdate()
    rules = list(ComplianceRule.objects.filter(active=True).order_by("sort_order", "pk"))
    specs = [masks.RuleSpec.of(rule) for rule in rules]
    node = branch.node
    if not masks.open_in_year(year, node.opened_on, node.closed_on):
        return [], Figures()
    meetings = list(Meeting.objects.visible_to(scope).filter(branch=branch, counts_year=year)
                    .only("pk", "kind", "topic", "held_on", "counts_month", "qualifies", "days_after_month",
                          "days_after_quarter", "days_after_year").order_by("held_on", "pk"))
    held = masks.held_from_meetings(specs, [
        (m.kind, m.counts_month, m.days_after_month, m.days_after_quarter, m.days_after_year)
        for m in meetings if m.qualifies])
    with_groups = Branch.objects.filter(pk=branch.pk).filter(masks.has_groups()).exists()
    expected, held_count, on_time, detail = masks.Combiner(specs, year, today)(branch.kind, node.opened_on,
                                                                               node.closed_on, held, with_groups)
    rows = []
    for rule in rules:
        rule_masks = detail.get(str(rule.pk))
        if rule_masks is None:
            continue
        row = decode_rule(rule, rule_masks, year)
        for meeting in meetings:
            if meeting.kind != rule.meeting_kind:
                continue
            cell = row.cells[period_index(rule.frequency, meeting.counts_month)]
            (cell.meetings if meeting.qualifies else cell.unqualified).append(meeting)
        rows.append(row)
    return rows, Figures(branches=1, expected=expected, held=held_count, on_time=on_time)


def decode_detail(rules_by_id, detail, year):
    """Rule rows from a stored ``detail`` (the API's detail); rules no longer known are left out."""
    rows = []
    for rule_id, rule_masks in detail.items():
        rule = rules_by_id.get(int(rule_id))
        if rule is not None:
            rows.append(decode_rule(rule, rule_masks, year))
    rows.sort(key=lambda r: (r.rule.sort_order, r.rule.pk))
    return rows


# --- the export ---------------------------------------------------------------------------------------------

def export_rows(scope, node, year):
    """The stored rows of the branches under ``node`` in tree order, with the branch's name (a join)."""
    return (results_visible_to(scope).filter(year=year, branch_path__startswith=node.path)
            .order_by("branch_path").values_list("branch_id", "branch_path", "branch__node__name", "expected",
                                                 "held", "on_time", "detail"))


def subtree_names(scope, node):
    """{node id: name} of the organisations under ``node`` that are not branches or party groups (one query)."""
    return dict(OrgNode.objects.visible_to(scope).filter(path__startswith=node.path)
                .exclude(kind__in=[OrgKind.BRANCH, OrgKind.PARTY_GROUP]).values_list("pk", "name"))


def org_path_label(names, node, branch_path):
    """"工委 / 单位" — the organisations between ``node`` (excluded) and the branch (excluded)."""
    ids = [int(part, 36) for part in branch_path[len(node.path):].strip("/").split("/") if part][:-1]
    return " / ".join(names.get(pk, "?") for pk in ids)


def rule_counts(detail, rule_id):
    """(held, expected) of one rule in a stored detail; (None, None) when the rule does not apply."""
    masks = detail.get(str(rule_id))
    if masks is None:
        return None, None
    return masks[2].bit_count(), masks[1].bit_count()
