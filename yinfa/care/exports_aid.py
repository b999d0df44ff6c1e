"""Yearly totals of hardship aid for a scope (per kind, and per organisation one level below the scope), and the
Excel files of the application list and of the totals.

``aid_totals(scope, year)`` costs three queries whatever the number of applications: the organisations below the
scope, one aggregate per kind, one aggregate per organisation. An application counts in the year it was applied
for; "approved" counts those approved (then paid or not); the amounts granted and paid are those of the
applications of the year.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinfa.care.models import AidApplication, AidKind, AidStatus
from yinfa.core.exports import XlsxStream
from yinfa.core.models import OrgNode

ZERO = Decimal("0.00")
APPROVED = (AidStatus.APPROVED, AidStatus.PAID)
EXPORT_LIMIT = 20_000
# The person's anchors in the order that decides which organisation below the scope an application counts for.
ANCHOR_ORDER = ("person__unit_path", "person__community_path", "person__registered_path", "person__branch_path")


@dataclass
class Figures:
    label: str = ""
    applications: int = 0
    approved: int = 0
    asked: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    key: object = None

    def add(self, other):
        self.applications += other.applications
        self.approved += other.approved
        self.asked += other.asked
        self.granted += other.granted
        self.paid += other.paid


@dataclass
class Totals:
    year: int
    by_kind: list = field(default_factory=list)
    by_org: list = field(default_factory=list)
    total: Figures = field(default_factory=Figures)


def _money(name, condition=None):
    return Coalesce(Sum(name, filter=condition), Value(ZERO), output_field=DecimalField(max_digits=14,
                                                                                        decimal_places=2))


def _aggregates():
    return {
        "applications": Count("pk"),
        "approved": Count("pk", filter=Q(status__in=APPROVED)),
        "asked": _money("amount_requested"),
        "granted": _money("amount_granted", Q(status__in=APPROVED)),
        "paid": _money("amount_paid", Q(status=AidStatus.PAID)),
    }


def _figures(row, label, key=None):
    return Figures(label=label, key=key, applications=row["applications"], approved=row["approved"],
                   asked=row["asked"], granted=row["granted"], paid=row["paid"])


def year_applications(scope, year):
    return AidApplication.objects.visible_to(scope).filter(applied_on__gte=datetime.date(year, 1, 1),
                                                           applied_on__lte=datetime.date(year, 12, 31))


def aid_totals(scope, year):
    """The year's figures of the scope: per kind (every kind, zero rows included) and per organisation directly
    below the scope's node (the one holding the person's former unit, else their community …)."""
    rows = year_applications(scope, year)
    totals = Totals(year=year)
    by_kind = {row["kind"]: row for row in rows.order_by().values("kind").annotate(**_aggregates())}
    empty = {"applications": 0, "approved": 0, "asked": ZERO, "granted": ZERO, "paid": ZERO}
    for kind, label in AidKind.choices:
        figures = _figures(by_kind.get(kind, empty), str(label), kind)
        totals.by_kind.append(figures)
        totals.total.add(figures)
    totals.total.label = _("Total")
    children = list(OrgNode.objects.filter(parent_id=scope.node_id).order_by("sort_order", "name", "pk")
                    .values_list("pk", "path", "name"))
    if children:
        whens = [When(**{f"{anchor}__startswith": path}, then=Value(pk))
                 for anchor in ANCHOR_ORDER for pk, path, _name in children]
        grouped = (rows.order_by().annotate(org=Case(*whens, default=Value(0), output_field=IntegerField()))
                   .values("org").annotate(**_aggregates()))
        by_org = {row["org"]: row for row in grouped}
        for pk, _path, name in children:
            totals.by_org.append(_figures(by_org.get(pk, empty), name, pk))
        if by_org.get(0):
            totals.by_org.append(_figures(by_org[0], _("Directly under %(name)s") % {"name": scope.node_name}, 0))
    return totals


def write_totals(path, scope, totals):
    """The totals as one worksheet: the kinds, their total, then the organisations below the scope."""
    columns = [(_("Per"), 14), (_("Name"), 30), (_("Applications"), 12), (_("Approved"), 10),
               (_("Amount asked (yuan)"), 16), (_("Amount granted (yuan)"), 16), (_("Amount paid out (yuan)"), 16)]
    title = _("Aid %(year)s") % {"year": totals.year}
    with XlsxStream(path, columns, sheet_name=title) as sheet:
        for figures in [*totals.by_kind, totals.total]:
            sheet.write([_("Kind of aid"), figures.label, figures.applications, figures.approved, figures.asked,
                         figures.granted, figures.paid])
        for figures in totals.by_org:
            sheet.write([_("Organisation"), figures.label, figures.applications, figures.approved, figures.asked,
                         figures.granted, figures.paid])
    return len(totals.by_kind) + 1 + len(totals.by_org)


LIST_COLUMNS = ((gettext_lazy("Applied on"), 12), (gettext_lazy("Full name"), 12),
                (gettext_lazy("Former work unit"), 28),
                (gettext_lazy("Kind of aid"), 16), (gettext_lazy("Amount asked (yuan)"), 14),
                (gettext_lazy("Amount granted (yuan)"), 14), (gettext_lazy("Amount paid out (yuan)"), 14),
                (gettext_lazy("Paid out on"), 12), (gettext_lazy("Payment method"), 12), (gettext_lazy("Status"), 26),
                (gettext_lazy("Reason for rejection"), 30))


def write_list(path, applications):
    """The applications (already filtered and scoped) row by row; returns the number of rows."""
    columns = [(str(title), width) for title, width in LIST_COLUMNS]
    rows = 0
    with XlsxStream(path, columns, sheet_name=_("Hardship aid")) as sheet:
        for a in applications.order_by("-applied_on", "-pk")[:EXPORT_LIMIT].iterator(chunk_size=2000):
            sheet.write([a.applied_on, a.person.name, a.person.unit.name, a.get_kind_display(), a.amount_requested,
                         a.amount_granted, a.amount_paid, a.paid_on, a.get_payment_method_display(),
                         a.get_status_display(), a.rejection_reason])
            rows += 1
    return rows
