"""Hardship aid (困难帮扶) of the demo: applications in every state across 2026 (and some paid in 2025 for the yearly
totals), each with one ``AidStep`` per transition. Some are for people of the finance bureau, so that
``danwei_admin`` has one awaiting the unit's review, and several await ``ju_admin``'s approval."""

import datetime
from decimal import Decimal

from yinfa.care import demo_texts as texts
from yinfa.care.demo_context import (
    FINANCE_UNIT,
    HOME_COMMUNITY,
    care_interval,
    day_between,
    days,
    insert,
    moment,
    new_uid,
)
from yinfa.care.models import AidApplication, AidKind, AidStatus, AidStep, PaymentMethod

S, R, A, P, X = (AidStatus.SUBMITTED, AidStatus.UNIT_REVIEWED, AidStatus.APPROVED, AidStatus.PAID,
                 AidStatus.REJECTED)
HARD, WIDOW, MEDICAL, TEMP = AidKind.EXTREME_HARDSHIP, AidKind.WIDOW, AidKind.MEDICAL, AidKind.TEMPORARY
# (final status, kind, whose: unit = the finance bureau, home = 东关社区, any = the county, widow = a deceased
# cadre's file, sibling = 白溪县; applied between these days)
PLAN = (
    (S, MEDICAL, "unit", "2026-11-12", "2026-11-20"), (S, TEMP, "home", "2026-11-10", "2026-11-19"),
    (S, HARD, "any", "2026-11-05", "2026-11-18"),
    (R, HARD, "unit", "2026-10-20", "2026-11-06"), (R, MEDICAL, "any", "2026-10-25", "2026-11-10"),
    (R, WIDOW, "widow", "2026-10-20", "2026-11-08"),
    (A, MEDICAL, "any", "2026-10-08", "2026-10-28"), (A, TEMP, "home", "2026-10-12", "2026-10-30"),
    (P, MEDICAL, "unit", "2026-01-05", "2026-02-20"), (P, HARD, "home", "2026-01-05", "2026-01-25"),
    (P, WIDOW, "widow", "2026-01-10", "2026-03-10"), (P, TEMP, "any", "2026-03-01", "2026-04-30"),
    (P, MEDICAL, "any", "2026-03-15", "2026-05-31"), (P, HARD, "any", "2026-04-01", "2026-06-15"),
    (P, MEDICAL, "home", "2026-05-10", "2026-07-10"), (P, TEMP, "any", "2026-06-20", "2026-07-31"),
    (P, WIDOW, "widow", "2026-06-01", "2026-08-15"), (P, HARD, "any", "2026-07-10", "2026-08-31"),
    (P, MEDICAL, "any", "2026-08-15", "2026-09-20"), (P, TEMP, "unit", "2026-09-01", "2026-09-30"),
    (X, HARD, "unit", "2026-04-10", "2026-05-20"), (X, MEDICAL, "any", "2026-06-10", "2026-07-15"),
    (X, TEMP, "any", "2026-08-20", "2026-09-25"),
    (P, HARD, "any", "2025-03-01", "2025-04-30"), (P, MEDICAL, "unit", "2025-05-10", "2025-06-30"),
    (P, WIDOW, "widow", "2025-07-01", "2025-08-31"), (P, TEMP, "any", "2025-09-01", "2025-10-31"),
    (P, MEDICAL, "sibling", "2026-05-01", "2026-06-30"), (S, TEMP, "sibling", "2026-11-10", "2026-11-19"),
)
ASKED = {HARD: (2000, 5000), WIDOW: (1000, 3000), MEDICAL: (2000, 5000), TEMP: (500, 2000)}


def _day(text):
    return datetime.date.fromisoformat(text)


def _pools(rng, ctx, survivors):
    county = ctx.county_people()
    alive = [p for p in county if ctx.local(p, ctx.today) and p.pk != ctx.retiree_pk]
    needy = [p for p in alive if care_interval(p, ctx.today) or p.self_care != "independent"]
    pools = {
        "unit": [p for p in alive if ctx.unit(p).code == FINANCE_UNIT],
        "home": [p for p in alive if ctx.community(p).code == HOME_COMMUNITY],
        "any": needy or alive,
        "widow": [p for p in county if p.deceased_on and survivors.get(p.pk) == "spouse"],
        "sibling": [p for p in ctx.county_people("BX") if ctx.local(p, ctx.today)],
        "fallback": alive,
    }
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def _take(pools, whose, used, before):
    """The next unused person of the pool (a deceased cadre's file only if they died before ``before``)."""
    for name in (whose, "any", "fallback"):
        if whose == "sibling" and name != "sibling":
            return None
        for person in pools[name]:
            if person.pk not in used and (person.deceased_on is None or person.deceased_on < before):
                used.add(person.pk)
                return person
    return None


def _reviewer(ctx, person):
    if ctx.unit(person).code == FINANCE_UNIT and ctx.user("danwei_admin"):
        return ctx.user("danwei_admin")
    return ctx.bureau(person)


def _hundreds(rng, low, high):
    return Decimal(rng.randint(low // 100, high // 100) * 100)


def _step(rng, ctx, trail, to, actor, comment, wait):
    """Append the transition to ``to`` a few days after the previous one (never on or after today)."""
    before, at_before = trail[-1][4], trail[-1][5]
    day = min(before + days(rng.randint(*wait)), ctx.today - days(1))
    at = moment(day, rng.randint(9, 16), rng.randint(0, 59))
    if at <= at_before:
        at = at_before + datetime.timedelta(minutes=rng.randint(20, 90))
    trail.append((trail[-1][1], to, actor, comment, day, at))
    return day


def seed_aid(rng, ctx, survivors):
    pools = _pools(rng, ctx, survivors)
    used = set()
    applications, steps = [], []
    rejections = iter(texts.AID_REJECTIONS * 2)
    for status, kind, whose, first, last in PLAN:
        person = _take(pools, whose, used, _day(first))
        if person is None:
            continue
        if kind == WIDOW and person.deceased_on is None:
            kind = HARD
        applied = day_between(rng, _day(first), min(_day(last), ctx.today - days(1)))
        creator, reviewer, bureau = ctx.recorder(person), _reviewer(ctx, person), ctx.bureau(person)
        asked = _hundreds(rng, *ASKED[kind])
        app = AidApplication(uid=new_uid(rng), person=person, kind=kind, reason=rng.choice(texts.AID_REASONS[kind]),
                             amount_requested=asked, status=status, applied_on=applied, created_by=creator)
        trail = [("", S, creator, "", applied, moment(applied, 10, rng.randint(0, 59)))]
        rejection = next(rejections) if status == X else None
        if status in (R, A, P) or (rejection and rejection[0] == R):
            _step(rng, ctx, trail, R, reviewer, rng.choice(texts.AID_UNIT_COMMENTS), (2, 6))
        if status in (A, P):
            granted = asked if rng.random() < 0.6 else max(Decimal(500), Decimal(int(asked * 8 / 1000) * 100))
            app.amount_granted = granted
            _step(rng, ctx, trail, A, bureau, f"{rng.choice(texts.AID_APPROVAL_COMMENTS)}核定金额{granted:.0f}元。",
                  (3, 9))
        if status == P:
            method = rng.choice((PaymentMethod.TRANSFER, PaymentMethod.TRANSFER, PaymentMethod.CASH,
                                 PaymentMethod.GOODS))
            app.paid_on = _step(rng, ctx, trail, P, bureau, texts.AID_PAYMENT_COMMENTS[method], (2, 7))
            app.amount_paid, app.payment_method = app.amount_granted, method
        if rejection:
            app.rejection_reason = rejection[1]
            _step(rng, ctx, trail, X, reviewer if rejection[0] == S else bureau, rejection[1], (2, 8))
        applications.append(app)
        steps.append(trail)
    AidApplication.objects.bulk_create(applications)
    for app, trail in zip(applications, steps, strict=True):
        app.created_at = trail[0][5]
    AidApplication.objects.bulk_update(applications, ["created_at"])
    rows = [AidStep(application=app, from_status=f, to_status=t, actor=actor, comment=comment)
            for app, trail in zip(applications, steps, strict=True) for f, t, actor, comment, _day, _at in trail]
    stamped = iter(at for trail in steps for *_rest, at in trail)
    for row in rows:
        row.at = next(stamped)
    insert(AidStep, rows)
    by_status = {s.value: sum(1 for a in applications if a.status == s) for s in AidStatus}
    paid_2026 = sum((a.amount_paid for a in applications if a.status == P and a.paid_on.year == 2026
                     and ctx.unit(a.person).code.startswith("QH-")), Decimal(0))
    return {"aid": len(applications), "aid_by_status": by_status, "aid_paid_2026_yuan": int(paid_2026)}
