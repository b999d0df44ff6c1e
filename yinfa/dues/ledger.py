"""A member's dues month by month, computed in Python from rows loaded once (see ``selectors.load_ledgers``).

A member owes dues for each month of their organisational membership (any month with at least one day of it),
from the first month a pension base applies. A branch decision covering the month waives (0.00) or reduces (a
fixed amount) what the rule computes. A month is in arrears when it is owed, something is due, nothing was
paid, and it is before the current month (the current month is not yet late).
"""

import bisect
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from yinfa.dues.rules import add_months, due_for_month, month_start, months_between

# The state of one member-month, as the pages show it.
OUTSIDE = "outside"  # not a member (of this branch) that month
NO_BASE = "no_base"  # a member, but no pension base applies yet: nothing can be computed
WAIVED = "waived"  # nothing due by a branch decision
PAID = "paid"
UNPAID = "unpaid"  # owed, before the current month: in arrears
OPEN = "open"  # owed, the current month
AHEAD = "ahead"  # owed, a month still to come

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Span:
    """An organisational membership, in months (first and last month with at least one day of membership)."""

    branch_id: int
    first: datetime.date
    last: datetime.date | None  # None: still open

    def covers(self, month):
        return self.first <= month and (self.last is None or month <= self.last)

    @classmethod
    def from_dates(cls, branch_id, started_on, ended_on):
        """None when the membership lasted no day at all."""
        if ended_on is not None and ended_on <= started_on:
            return None
        last = None if ended_on is None else month_start(ended_on - datetime.timedelta(days=1))
        return cls(branch_id, month_start(started_on), last)


@dataclass(frozen=True)
class DecisionRow:
    pk: int
    kind: str
    monthly_amount: Decimal | None
    from_month: datetime.date
    to_month: datetime.date | None
    decided_on: datetime.date
    decision: str
    branch_id: int

    def covers(self, month):
        return self.from_month <= month and (self.to_month is None or month <= self.to_month)


@dataclass(frozen=True)
class PaymentRow:
    pk: int
    month: datetime.date
    branch_id: int
    base: Decimal | None
    amount_due: Decimal
    amount_paid: Decimal
    paid_on: datetime.date
    method: str
    note: str


@dataclass
class MonthState:
    month: datetime.date
    status: str
    due: Decimal | None = None
    base: Decimal | None = None
    payment: PaymentRow | None = None
    decision: DecisionRow | None = None

    @property
    def amount_paid(self):
        return self.payment.amount_paid if self.payment else None


@dataclass
class MemberLedger:
    person_id: int
    name: str = ""
    name_pinyin: str = ""
    spans: list = field(default_factory=list)
    bases: list = field(default_factory=list)  # (effective month, amount), oldest first
    decisions: list = field(default_factory=list)  # DecisionRow, oldest first
    payments: dict = field(default_factory=dict)  # month -> PaymentRow

    def finish(self):
        """Sort what was appended while loading."""
        self.bases.sort()
        self._base_months = [month for month, _amount in self.bases]
        self.decisions.sort(key=lambda d: (d.from_month, d.pk))
        self.spans.sort(key=lambda s: (s.first, s.last or datetime.date.max))
        return self

    # --- per month ---

    @property
    def first_base_month(self):
        return self.bases[0][0] if self.bases else None

    def base_on(self, month):
        """The base of the latest row with effective month ≤ ``month``, or None."""
        index = bisect.bisect_right(self._base_months, month)
        return self.bases[index - 1][1] if index else None

    def decision_on(self, month):
        """The decision covering ``month`` (the most recent one when several do), or None."""
        for decision in reversed(self.decisions):
            if decision.covers(month):
                return decision
        return None

    def branch_on(self, month):
        """The branch holding the membership in ``month`` (the latest begun when a transfer month overlaps)."""
        branch_id = None
        for span in self.spans:
            if span.covers(month):
                branch_id = span.branch_id
        return branch_id

    def is_member(self, month, branch_id=None):
        return any(span.covers(month) and (branch_id is None or span.branch_id == branch_id) for span in self.spans)

    def state(self, month, today, branch_id=None):
        """The month as one branch (``branch_id``) or the member's whole record (None) sees it."""
        payment = self.payments.get(month)
        decision = self.decision_on(month)
        base = self.base_on(month)
        member = self.is_member(month, branch_id)
        if not member and not (payment and (branch_id is None or payment.branch_id == branch_id)):
            return MonthState(month, OUTSIDE, base=base, payment=payment)
        if payment is not None:
            return MonthState(month, PAID, payment.amount_due, payment.base, payment, decision)
        if self.first_base_month is None or month < self.first_base_month:
            return MonthState(month, NO_BASE, None, None, None, decision)
        due = due_for_month(base, decision.kind if decision else "", decision.monthly_amount if decision else None)
        if due == ZERO:
            return MonthState(month, WAIVED, due, base, None, decision)
        current = month_start(today)
        status = UNPAID if month < current else OPEN if month == current else AHEAD
        return MonthState(month, status, due, base, None, decision)

    def owed_months(self, first, last):
        """Months in [first, last] of membership (any branch) from the first base month."""
        if not self.spans or self.first_base_month is None:
            return []
        start = max(first, self.first_base_month, self.spans[0].first)
        return [month for month in months_between(start, last) if self.is_member(month)]

    def arrears(self, today):
        """The unpaid, unwaived months owed up to and including last month (oldest first)."""
        if not self.spans or self.first_base_month is None:
            return []
        last = add_months(month_start(today), -1)
        months = []
        for month in self.owed_months(self.spans[0].first, last):
            if month in self.payments:
                continue
            decision = self.decision_on(month)
            due = due_for_month(self.base_on(month), decision.kind if decision else "",
                                decision.monthly_amount if decision else None)
            if due is not None and due > ZERO:
                months.append(month)
        return months
