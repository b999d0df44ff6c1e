"""Party dues of the demo (``seed_dues``): pension bases, branch decisions, and payments from December 2025 (when
the demo's records begin, as its meetings do) to the demo's "today" (2026-11-22), written in bulk from the
party-life demo plan.

- Bases: most between 3,000 and 8,000 yuan (so both sides of the 5,000 line), a few exactly 5,000.00, 离休
  cadres higher; the 2026 pension adjustment (养老金调整) entered from 2026-01 for most, from 2026-07 by some
  offices (when the raise was paid).
- Payments: most members monthly at the themed party day, some quarterly in one batch at the start of the
  quarter, one three months ahead; a few in arrears (months owed before the current one, as the dues ledger
  counts them): several 1–2 months, three 3–4 months (warning), two 5 months (escalation), none at 6.
- One waiver and one reduction, each with its branch decision (a 支委会 in February 2026).
- Arrears alerts are left to the periodic task (it notifies as it records them).
"""

import datetime
import functools
from decimal import Decimal

from django.utils import timezone

from yinfa.dues.models import DecisionKind, DuesDecision, DuesPayment, PaymentMethod, PensionBase
from yinfa.dues.rules import add_months, monthly_dues, months_between
from yinfa.partylife.demo_meetings import weekday
from yinfa.partylife.demo_sql import insert_rows, stable_uuid
from yinfa.partylife.models import BranchKind, Standing
from yinfa.people.models import SelfCare

BATCH = 2000
FIRST_MONTH = datetime.date(2025, 12, 1)
FIRST_BASE_MONTH = FIRST_MONTH
# The current month on the demo's "today": paid during the month at the themed party day; arrears are the
# months before it (yinfa.dues.ledger).
LAST_DUE = datetime.date(2026, 11, 1)
RAISE_NOTE = "2026年基本养老金调整"
# (level, low, high) of the basic pension in yuan; enterprise retirees get about three quarters.
BASE_RANGES = {
    "bureau_full": (8200, 9800), "bureau_deputy": (7600, 9000), "county_full": (6600, 8200),
    "county_deputy": (5800, 7400), "section_full": (4900, 6500), "section_deputy": (4300, 5800),
    "clerk": (3000, 4900),
}
ARREARS = (1, 1, 1, 2, 2, 2, 3, 4, 4, 5, 5)  # months in arrears before LAST_DUE, one member each
THREE_AHEAD = 3
PAYMENT_FIELDS = ["person_id", "month", "branch_id", "branch_path", "base", "amount_due", "amount_paid", "paid_on",
                  "method", "batch", "note", "recorded_by_id", "recorded_at"]


def _money(value):
    return Decimal(value).quantize(Decimal("0.01"))


def _base(rng, record, enterprise):
    if record.category == "lixiu":
        low, high = 7800, 11500
    else:
        low, high = BASE_RANGES.get(record.level, (3000, 4900))
        if enterprise:
            low, high = int(low * 0.72), int(high * 0.75)
    return _money(Decimal(rng.randint(low * 100, high * 100)) / 100)


@functools.cache
def _theme_day_of(theme_day, month):
    return weekday(month.replace(day=min(theme_day, 28)))


def _theme_day(demo, month):
    return _theme_day_of(demo.theme_day, month)


def _holding(rows, month):
    """The membership holding the member's dues in ``month`` (any day of membership makes the month owed): the
    latest begun that month, as the dues ledger reads it."""
    last_day = add_months(month, 1) - datetime.timedelta(days=1)
    found = None
    for member in rows:
        if member.started_on <= last_day and (member.ended_on is None or member.ended_on > month):
            if found is None or member.started_on >= found.started_on:
                found = member
    return found


class DuesPlanner:
    def __init__(self, rng, plan, creators):
        self.rng = rng
        self.plan = plan
        self.creators = creators
        self.today = plan.today
        self.bases, self.payments, self.decisions = [], [], []
        self.batches = {}
        self.base_of = {}  # person pk -> [(effective month, amount)]
        self.arrears = {}  # person pk -> unpaid months
        self.enterprise_codes = set()

    def batch(self, demo, paid_on):
        key = (demo.code, paid_on)
        if key not in self.batches:
            self.batches[key] = stable_uuid(self.rng)
        return self.batches[key]

    def run(self, enterprise_branches):
        rng = self.rng
        by_person = {}
        for member in self.plan.organisational():
            by_person.setdefault(member.person.pk, []).append(member)
        people = sorted(by_person.values(), key=lambda rows: rows[0].record.uid)
        people = [rows for rows in people if any(m.ended_on is None or m.ended_on > FIRST_MONTH for m in rows)]
        exact = {rows[0].person.pk for rows in rng.sample(people, min(6, len(people)))}
        for rows in people:
            self.plan_bases(rows, exact, enterprise_branches)
        candidates = [rows for rows in people if self._steady(rows)]
        chosen = rng.sample(candidates, min(len(candidates), len(ARREARS) + 2))
        in_arrears, extra = chosen[: len(ARREARS)], chosen[len(ARREARS):]
        secretary = [rows for rows in candidates if rows[-1].branch is self.plan.secretary_branch
                     and rows not in chosen]
        if secretary and not any(rows[-1].branch is self.plan.secretary_branch for rows in in_arrears):
            in_arrears[ARREARS.index(3)] = secretary[0]  # the secretary's branch has one member at the warning
        escalated = ARREARS.index(5)
        committee = [rows for rows in candidates if rows[-1].branch.under_committee and rows not in chosen
                     and rows[-1].branch is not self.plan.secretary_branch]
        if committee and not in_arrears[escalated][-1].branch.under_committee:
            in_arrears[escalated] = committee[0]  # one escalation reaches the work committee's own branches
        for rows, months in zip(in_arrears, ARREARS, strict=False):
            self.arrears[rows[0].person.pk] = months
        frail = [rows for rows in candidates if rows not in chosen and rows[0].record.self_care != "independent"]
        waived = frail[0] if frail else None
        reduced = extra[0] if extra else None
        ahead = extra[1] if len(extra) > 1 else None
        if waived:
            self.decide(waived, DecisionKind.WAIVE)
        if reduced:
            self.decide(reduced, DecisionKind.REDUCE)
        for rows in people:
            pk = rows[0].person.pk
            if pk == (ahead[0].person.pk if ahead else None):
                style = "ahead"
            elif pk in self.arrears:
                style = "monthly"
            else:
                style = "quarterly" if rng.random() < 0.2 else "monthly"
            self.plan_payments(rows, style)
        return self

    @staticmethod
    def _steady(rows):
        member = rows[-1]
        return (member.ended_on is None and member.standing == Standing.FULL and len(rows) == 1
                and member.branch.county == "QH" and member.branch.kind != BranchKind.FUNCTIONAL
                and member.started_on < FIRST_MONTH)

    def plan_bases(self, rows, exact, enterprise_branches):
        rng = self.rng
        record, person = rows[0].record, rows[0].person
        enterprise = any(m.branch.code in enterprise_branches for m in rows)
        amount = Decimal("5000.00") if person.pk in exact else _base(rng, record, enterprise)
        first = max(FIRST_BASE_MONTH, rows[0].started_on.replace(day=1))
        entries = [(first, amount, "")]
        if person.pk not in exact and rng.random() < 0.75 and rows[-1].started_on < datetime.date(2026, 1, 1):
            raised = _money(amount * Decimal(rng.choice(("1.018", "1.02", "1.02", "1.022", "1.025"))))
            month = datetime.date(2026, 1, 1) if rng.random() < 0.6 else datetime.date(2026, 7, 1)
            entries.append((month, raised, RAISE_NOTE))
        self.base_of[person.pk] = [(m, a) for m, a, _n in entries]
        for month, value, note in entries:
            self.bases.append(PensionBase(person=person, effective_month=month, amount=value, note=note))

    def base_on(self, person_pk, month):
        current = None
        for effective, amount in self.base_of[person_pk]:
            if effective <= month:
                current = amount
        return current if current is not None else self.base_of[person_pk][0][1]

    def decide(self, rows, kind):
        member = rows[-1]
        demo = member.branch
        decided_on = _theme_day(demo, datetime.date(2026, 2, 1)) - datetime.timedelta(days=3)
        name = member.record.name
        if kind == DecisionKind.WAIVE:
            text = (f"支部委员会{decided_on:%Y-%m-%d}会议研究决定：{name}同志长期卧病、家庭生活困难，经本人申请，"
                    f"自2026年3月起免交党费，报上级党组织备案。")
            decision = DuesDecision(person=member.person, branch=demo.branch, branch_path=demo.branch.path, kind=kind,
                                    from_month=datetime.date(2026, 3, 1), decided_on=decided_on, decision=text)
        else:
            text = (f"支部委员会{decided_on:%Y-%m-%d}会议研究决定：{name}同志配偶重病、医疗支出大，经本人申请，"
                    f"2026年度党费每月减为2.00元，报上级党组织备案。")
            decision = DuesDecision(person=member.person, branch=demo.branch, branch_path=demo.branch.path, kind=kind,
                                    monthly_amount=Decimal("2.00"), from_month=datetime.date(2026, 1, 1),
                                    to_month=datetime.date(2026, 12, 1), decided_on=decided_on, decision=text)
        self.decisions.append(decision)

    def due(self, person_pk, month):
        """(base, amount due) or None when the month is waived."""
        for decision in self.decisions:
            if decision.person_id == person_pk and decision.covers(month):
                if decision.kind == DecisionKind.WAIVE:
                    return None
                return self.base_on(person_pk, month), decision.monthly_amount
        base = self.base_on(person_pk, month)
        return base, monthly_dues(base)

    def plan_payments(self, rows, style):
        rng = self.rng
        person_pk = rows[0].person.pk
        record = rows[0].record
        if record.lives_elsewhere or record.self_care == SelfCare.DEPENDENT:
            method = PaymentMethod.PROXY if rng.random() < 0.6 else PaymentMethod.TRANSFER
        else:
            method = rng.choices((PaymentMethod.CASH, PaymentMethod.TRANSFER, PaymentMethod.PROXY), (58, 34, 8))[0]
        if style == "ahead":
            last = add_months(LAST_DUE, THREE_AHEAD)
        elif style == "quarterly":
            last = add_months(LAST_DUE, 1)  # December, in the fourth quarter's batch
        elif person_pk in self.arrears:
            last = add_months(LAST_DUE, -1 - self.arrears[person_pk])
        else:
            last = LAST_DUE
        for month in months_between(FIRST_MONTH, last):
            member = _holding(rows, month)
            if member is None:
                continue
            note = ""
            if style == "quarterly":
                paid_on = _theme_day(member.branch, max(FIRST_MONTH, add_months(month, -((month.month - 1) % 3))))
            elif style == "ahead" and month >= LAST_DUE:
                paid_on = _theme_day(member.branch, LAST_DUE)
                note = "外出探亲前预交" if month > LAST_DUE else ""
            else:
                paid_on = _theme_day(member.branch, month)
            paid_on = max(paid_on, member.started_on)
            if member.ended_on is not None and paid_on >= member.ended_on:
                paid_on = max(member.started_on, member.ended_on - datetime.timedelta(days=1))
            if paid_on > self.today:
                continue
            self.pay(member, month, paid_on, method, note)

    def pay(self, member, month, paid_on, method, note=""):
        amounts = self.due(member.person.id, month)
        if amounts is None:
            return
        base, amount = amounts
        demo = member.branch
        if method == PaymentMethod.PROXY and not note:
            note = "子女代缴"
        creator = self.creators.get(demo.code)
        self.payments.append((member.person.id, month, demo.branch.node_id, demo.branch.path, base, amount, amount,
                               paid_on, method, self.batch(demo, paid_on), note, creator.pk if creator else None))


def seed_dues(rng, plan, creators):
    """Write the dues of the demo; returns figures for the summary."""
    enterprise = {demo.code for demo in plan.branches if any(part in demo.name for part in ("公司", "银行"))}
    planner = DuesPlanner(rng, plan, creators).run(enterprise)
    PensionBase.objects.bulk_create(planner.bases, batch_size=BATCH)
    DuesDecision.objects.bulk_create(planner.decisions, batch_size=BATCH)
    now = timezone.now()
    insert_rows(DuesPayment, PAYMENT_FIELDS, [(*row, now) for row in planner.payments])
    arrears = planner.arrears.values()
    return {"pension_bases": len(planner.bases), "payments": len(planner.payments),
            "decisions": len(planner.decisions), "in_arrears": len(planner.arrears),
            "arrears_3_plus": sum(1 for n in arrears if n >= 3), "arrears_5_plus": sum(1 for n in arrears if n >= 5)}
