"""Reads of party dues: members' ledgers loaded in a constant number of queries, and what the pages compute
from them (the branch grid, per-branch figures, arrears).

Every entry point loads four row sets, one query each, whatever the number of members: the organisational
memberships of the people concerned, their pension bases, their dues decisions and their payments. The rest
is computed in Python (``ledger.MemberLedger``). Callers pass branches and people already read through the
scoped querysets (or a ``scope`` to narrow the membership read).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, Sum

from yinfa.dues.ledger import (
    AHEAD,
    OPEN,
    PAID,
    UNPAID,
    ZERO,
    DecisionRow,
    MemberLedger,
    PaymentRow,
    Span,
)
from yinfa.dues.models import DuesDecision, DuesPayment, PensionBase
from yinfa.dues.rules import ESCALATION_MONTHS, WARNING_MONTHS, add_months, month_start, months_between
from yinfa.partylife.models import Membership, Relation

OWED = (PAID, UNPAID, OPEN, AHEAD)


# --- loading -----------------------------------------------------------------------------------------------

def load_ledgers(people, detail=True) -> dict:
    """{person id: MemberLedger} for ``people`` (a list of ids or a ``values("person_id")``-like subquery):
    every organisational membership, base, decision and payment of theirs (four queries). Without ``detail``
    payments carry only their month, branch and amount due (enough for arrears and figures; twice as fast)."""
    ledgers = {}
    memberships = (Membership.objects.filter(relation=Relation.ORGANISATIONAL, person_id__in=people)
                   .values_list("person_id", "branch_id", "started_on", "ended_on", "person__name",
                                "person__name_pinyin"))
    for person_id, branch_id, started_on, ended_on, name, pinyin in memberships:
        ledger = ledgers.get(person_id)
        if ledger is None:
            ledger = ledgers[person_id] = MemberLedger(person_id, name, pinyin)
        span = Span.from_dates(branch_id, started_on, ended_on)
        if span is not None:
            ledger.spans.append(span)
    for person_id, month, amount in (PensionBase.objects.filter(person_id__in=people)
                                     .values_list("person_id", "effective_month", "amount")):
        if person_id in ledgers:
            ledgers[person_id].bases.append((month, amount))
    for row in DuesDecision.objects.filter(person_id__in=people).values_list(
            "person_id", "pk", "kind", "monthly_amount", "from_month", "to_month", "decided_on", "decision",
            "branch_id"):
        if row[0] in ledgers:
            ledgers[row[0]].decisions.append(DecisionRow(*row[1:]))
    payments = DuesPayment.objects.filter(person_id__in=people)
    if detail:
        rows = payments.values_list("person_id", "pk", "month", "branch_id", "base", "amount_due", "amount_paid",
                                    "paid_on", "method", "note")
    else:
        rows = ((person_id, None, month, branch_id, None, due, None, None, "", "") for person_id, month, branch_id, due
                in payments.values_list("person_id", "month", "branch_id", "amount_due"))
    for row in rows:
        if row[0] in ledgers:
            payment = PaymentRow(*row[1:])
            ledgers[row[0]].payments[payment.month] = payment
    return {pk: ledger.finish() for pk, ledger in ledgers.items()}


def _memberships(scope=None):
    rows = Membership.objects.filter(relation=Relation.ORGANISATIONAL)
    return rows.visible_to(scope) if scope is not None else rows


def members_between(branch_ids, first, last, scope=None):
    """Memberships (organisational) in the branches overlapping the months ``first``..``last``."""
    after_last = add_months(last, 1)
    return _memberships(scope).filter(branch_id__in=branch_ids, started_on__lt=after_last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=first))


def current_members(branch_ids, scope=None):
    return _memberships(scope).filter(branch_id__in=branch_ids, ended_on__isnull=True)


def sorted_ledgers(ledgers):
    return sorted(ledgers, key=lambda ledger: (ledger.name_pinyin or ledger.name, ledger.person_id))


def current_branch(ledger):
    """The branch of the member's open membership, or None."""
    open_spans = [span for span in ledger.spans if span.last is None]
    return open_spans[-1].branch_id if open_spans else None


# --- arrears -----------------------------------------------------------------------------------------------

@dataclass
class MemberArrears:
    person_id: int
    name: str
    name_pinyin: str
    branch_id: int | None
    months: list = field(default_factory=list)
    amount: Decimal = ZERO

    @property
    def count(self):
        return len(self.months)

    @property
    def oldest(self):
        return self.months[0] if self.months else None

    @property
    def level(self):
        if self.count >= ESCALATION_MONTHS:
            return "escalation"
        return "warning" if self.count >= WARNING_MONTHS else ""


def member_arrears(ledger, today, branch_id=None):
    months = ledger.arrears(today)
    amount = sum((ledger.state(month, today).due or ZERO for month in months), ZERO)
    return MemberArrears(ledger.person_id, ledger.name, ledger.name_pinyin,
                         branch_id if branch_id is not None else current_branch(ledger), months, amount)


def arrears(*, branch_ids=None, people_ids=None, today, scope=None, min_months=1):
    """Per member, the unpaid and unwaived months owed up to and including last month (the current month is not
    yet in arrears), their count and the oldest month; members with fewer than ``min_months`` are left out.

    ``branch_ids``: the current members of those branches (open organisational membership there);
    ``people_ids``: those people. Four queries whatever the number of members.
    """
    if branch_ids is not None:
        people = current_members(branch_ids, scope).values("person_id")
    elif people_ids is not None:
        people = list(people_ids)
    else:
        raise ValueError("give branch_ids or people_ids")
    wanted = set(branch_ids) if branch_ids is not None else None
    rows = []
    for ledger in sorted_ledgers(load_ledgers(people, detail=False).values()):
        branch_id = current_branch(ledger)
        if wanted is not None and branch_id not in wanted:
            continue
        row = member_arrears(ledger, today, branch_id)
        if row.count >= min_months:
            rows.append(row)
    return rows


def longest_arrears_by_branch(branch_ids, today) -> dict:
    """{branch id: the most months any current member of the branch is in arrears} (0 when nobody is)."""
    branch_ids = list(branch_ids)
    longest = dict.fromkeys(branch_ids, 0)
    for row in arrears(branch_ids=branch_ids, today=today):
        if row.branch_id in longest:
            longest[row.branch_id] = max(longest[row.branch_id], row.count)
    return longest


# --- the branch grid -----------------------------------------------------------------------------------------

@dataclass
class GridRow:
    ledger: MemberLedger
    cells: list
    paid: Decimal
    due: Decimal
    arrears: MemberArrears | None  # None: no longer a member of this branch

    @property
    def person_id(self):
        return self.ledger.person_id

    @property
    def name(self):
        return self.ledger.name


@dataclass
class Grid:
    year: int
    months: list
    rows: list
    month_due: list
    month_paid: list
    no_base: list  # names of current members without any pension base

    @property
    def total_due(self):
        return sum(self.month_due, ZERO)

    @property
    def total_paid(self):
        return sum(self.month_paid, ZERO)


def year_months(year):
    return months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 1))


def branch_grid(branch, year, today, scope=None) -> Grid:
    """Members × the 12 months of ``year`` for one branch (four queries)."""
    months = year_months(year)
    people = members_between([branch.pk], months[0], months[-1], scope).values("person_id")
    ledgers = load_ledgers(people)
    rows, month_due, month_paid, no_base = [], [ZERO] * 12, [ZERO] * 12, []
    for ledger in sorted_ledgers(ledgers.values()):
        if not any(ledger.is_member(month, branch.pk) for month in months):
            continue
        cells = [ledger.state(month, today, branch.pk) for month in months]
        paid = due = ZERO
        for index, cell in enumerate(cells):
            if cell.status in OWED and cell.due is not None:
                month_due[index] += cell.due
                due += cell.due
            if cell.status == PAID:
                month_paid[index] += cell.payment.amount_paid
                paid += cell.payment.amount_paid
        current = current_branch(ledger) == branch.pk
        if current and ledger.first_base_month is None:
            no_base.append(ledger.name)
        rows.append(GridRow(ledger, cells, paid, due, member_arrears(ledger, today, branch.pk) if current else None))
    return Grid(year, months, rows, month_due, month_paid, no_base)


# --- per-branch figures (the dues home page) -----------------------------------------------------------------

@dataclass
class BranchFigures:
    members: int = 0
    due: Decimal = ZERO
    paid: Decimal = ZERO
    arrears_warning: int = 0  # members ≥ 3 months behind
    arrears_escalated: int = 0  # members ≥ 5 months behind


def branch_figures(branch_ids, year, today) -> dict:
    """{branch id: BranchFigures} for ``year``: current members, due so far this year (the whole year for a
    past year), paid into the branch this year, members in arrears (five queries)."""
    branch_ids = list(branch_ids)
    figures = {pk: BranchFigures() for pk in branch_ids}
    if not branch_ids:
        return figures
    months = year_months(year)
    through = min(months[-1], month_start(today))
    people = members_between(branch_ids, months[0], months[-1]).values("person_id")
    for ledger in load_ledgers(people, detail=False).values():
        for month in months_between(months[0], through):
            branch_id = ledger.branch_on(month)
            if branch_id in figures:
                state = ledger.state(month, today, branch_id)
                if state.status in OWED and state.due is not None:
                    figures[branch_id].due += state.due
        branch_id = current_branch(ledger)
        if branch_id in figures:
            figures[branch_id].members += 1
            count = len(ledger.arrears(today))
            figures[branch_id].arrears_warning += count >= WARNING_MONTHS
            figures[branch_id].arrears_escalated += count >= ESCALATION_MONTHS
    paid = (DuesPayment.objects.filter(branch_id__in=branch_ids, month__gte=months[0], month__lte=months[-1])
            .values("branch_id").annotate(total=Sum("amount_paid")).order_by())
    for row in paid:
        figures[row["branch_id"]].paid = row["total"] or ZERO
    return figures


# --- one member ------------------------------------------------------------------------------------------------

def person_ledger(person) -> MemberLedger:
    """The member's ledger (four queries); an empty one when they never held an organisational membership."""
    return load_ledgers([person.pk]).get(person.pk) or MemberLedger(person.pk, person.name,
                                                                    person.name_pinyin).finish()
