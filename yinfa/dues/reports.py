"""The scope-by-month report: one row per child organisation of a node (or per branch), 12 months of dues paid
into the branches below it, the year's total, members, and members in arrears.

Payments are summed in SQL, grouped by row and month (each row is the set of branch paths under one child,
picked out with a CASE over the children's path prefixes), so the report costs the same few queries whatever
the number of branches. Arrears need each member's months (``selectors.arrears``); they are computed while the
subtree has at most ``ARREARS_BRANCH_LIMIT`` branches, and left out above that (the page says so).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Sum, Value, When

from yinfa.core.models import OrgKind, OrgNode
from yinfa.dues.models import DuesPayment
from yinfa.dues.rules import WARNING_MONTHS
from yinfa.dues.selectors import arrears
from yinfa.partylife.models import Branch

ZERO = Decimal("0.00")
ARREARS_BRANCH_LIMIT = 3000


@dataclass
class ReportRow:
    pk: int
    name: str
    path: str
    is_branch: bool
    branches: int = 0
    members: int = 0
    months: list = field(default_factory=lambda: [ZERO] * 12)
    in_arrears: int | None = 0

    @property
    def total(self):
        return sum(self.months, ZERO)


@dataclass
class Report:
    node: OrgNode
    year: int
    rows: list
    arrears_computed: bool

    @property
    def month_totals(self):
        return [sum((row.months[i] for row in self.rows), ZERO) for i in range(12)]

    @property
    def total(self):
        return sum(self.month_totals, ZERO)

    @property
    def members(self):
        return sum(row.members for row in self.rows)

    @property
    def in_arrears(self):
        return sum(row.in_arrears or 0 for row in self.rows) if self.arrears_computed else None


def _groups(node, scope):
    """The report's rows: the node itself when it is a branch, else its visible children."""
    if node.kind == OrgKind.BRANCH:
        return [ReportRow(node.pk, node.name, node.path, True)]
    children = (OrgNode.objects.visible_to(scope).filter(parent=node).order_by("sort_order", "name", "pk")
                .values_list("pk", "name", "path", "kind"))
    return [ReportRow(pk, name, path, kind == OrgKind.BRANCH) for pk, name, path, kind in children]


def _case(rows, column):
    return Case(*[When(**{f"{column}__startswith": row.path}, then=Value(row.pk)) for row in rows],
                default=Value(None), output_field=IntegerField())


def scope_report(*, node, year, today: datetime.date, scope) -> Report:
    """The report of ``node`` (visible in ``scope``) for ``year``; rows without any branch are left out."""
    rows = _groups(node, scope)
    if not rows:
        return Report(node, year, [], True)
    by_pk = {row.pk: row for row in rows}
    branches = (Branch.objects.filter(path__startswith=node.path).annotate(group=_case(rows, "path"))
                .exclude(group=None).values("group")
                .annotate(n=Count("pk"), members=Sum(F("full_members") + F("probationary_members"))).order_by())
    for item in branches:
        row = by_pk[item["group"]]
        row.branches, row.members = item["n"], item["members"] or 0
    rows = [row for row in rows if row.branches]
    if not rows:
        return Report(node, year, [], True)
    paid = (DuesPayment.objects.filter(branch_path__startswith=node.path, month__gte=datetime.date(year, 1, 1),
                                       month__lte=datetime.date(year, 12, 1))
            .annotate(group=_case(rows, "branch_path")).exclude(group=None)
            .values("group", "month").annotate(total=Sum("amount_paid")).order_by())
    for item in paid:
        by_pk[item["group"]].months[item["month"].month - 1] += item["total"] or ZERO
    total_branches = sum(row.branches for row in rows)
    computed = total_branches <= ARREARS_BRANCH_LIMIT
    if computed:
        branch_paths = dict(Branch.objects.filter(path__startswith=node.path).values_list("pk", "path"))
        for row in rows:
            row.in_arrears = 0
        for member in arrears(branch_ids=list(branch_paths), today=today, min_months=WARNING_MONTHS):
            path = branch_paths.get(member.branch_id, "")
            for row in rows:
                if path.startswith(row.path):
                    row.in_arrears += 1
                    break
    else:
        for row in rows:
            row.in_arrears = None
    return Report(node, year, rows, computed)
