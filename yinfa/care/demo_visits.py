"""The demo year of visits outside campaigns: round birthdays, hospital stays (and a few people in hospital now in
东关社区 and the finance bureau), routine visits of the vulnerable, those living in another city (异地安置) and the
survivors of the deceased (遗属). Visits are collected as unsaved objects on the context and saved together."""

import datetime
from decimal import Decimal

from django.db.models import Q

from yinfa.care import demo_texts as texts
from yinfa.care.demo_context import (
    FINANCE_UNIT,
    HOME_COMMUNITY,
    alive_on,
    care_interval,
    day_between,
    days,
    insert,
    moment,
    new_uid,
)
from yinfa.care.models import Visit, VisitKind
from yinfa.core import lunar
from yinfa.people.models import Contact, LifeEvent, LifeEventKind

YEAR = 2026
YEAR_START = datetime.date(YEAR, 1, 1)
ROUND_AGES = (80, 85, 90, 95)
BIRTHDAY_MONEY = {80: 500, 85: 500, 90: 1000, 95: 1000}
CARE_COMMUNITIES = (HOME_COMMUNITY, "QH-S01-C02", "QH-S01-C03")
STAYS_WANTED = 3  # people in hospital now among those of 东关社区 and the finance bureau


def make_visit(ctx, rng, person, kind, day, *, organisation, creator, visitors, leaders="", gift="", money=None,
               task=None, stay=None, feedback=texts.FEEDBACK, feedback_share=0.3, needs_share=0.08):
    """An unsaved visit added to ``ctx.visits``; some carry what the person said and needs."""
    said = rng.choice(feedback) if feedback and rng.random() < feedback_share else ""
    needs = ""
    if rng.random() < needs_share and ctx.local(person, ctx.today):
        needs = rng.choice(texts.VISIT_NEEDS)[0]
    visit = Visit(uid=new_uid(rng), person=person, kind=kind, visited_on=day, visitors=visitors[:200],
                  leaders=leaders, gift=gift, money=None if money is None else Decimal(money), feedback=said,
                  needs=needs, hospital_stay=stay, task=task, organisation=organisation, created_by=creator)
    ctx.visits.append(visit)
    return visit


def unit_recorder(ctx, unit):
    if unit.code == FINANCE_UNIT and ctx.user("danwei_admin"):
        return ctx.user("danwei_admin")
    return ctx.user("ju_admin_b" if unit.code.startswith("BX-") else "ju_admin")


def save_visits(ctx):
    """Save the collected visits in date order (created in the evening of the day of the visit)."""
    visits = sorted(ctx.visits, key=lambda v: (v.visited_on, str(v.uid)))
    for visit in visits:
        visit.created_at = moment(visit.visited_on, 18, 30)
    insert(Visit, visits)
    ctx.visits = visits
    return visits


def survivors(ctx):
    """person pk -> relation of the first survivor to keep visiting (one query)."""
    found = {}
    rows = Contact.objects.filter(is_survivor=True).order_by("person_id", "id").values_list("person_id", "relation")
    for person_id, relation in rows:
        found.setdefault(person_id, relation)
    return found


def add_current_stays(rng, ctx):
    """Put a few people of 东关社区 and of the finance bureau in hospital now, if the files have fewer than three.
    Returns the number of stays added."""
    open_events = set(LifeEvent.objects.filter(ends_on__isnull=True).exclude(kind=LifeEventKind.DEATH)
                      .values_list("person_id", flat=True))
    in_hospital = set(LifeEvent.objects.filter(kind=LifeEventKind.HOSPITAL, ends_on__isnull=True)
                      .values_list("person_id", flat=True))
    pools = {HOME_COMMUNITY: [], FINANCE_UNIT: []}
    already = 0
    for person in ctx.county_people():
        community = ctx.community(person)
        places = [code for code in (community.code if community else None, ctx.unit(person).code) if code in pools]
        if not places:
            continue
        if person.pk in in_hospital:
            already += 1
        elif ctx.local(person, ctx.today) and person.pk not in open_events and person.pk != ctx.retiree_pk:
            pools[places[0]].append(person)
    wanted = max(0, STAYS_WANTED - already)
    chosen = []
    order = (FINANCE_UNIT, HOME_COMMUNITY)
    for i in range(wanted):
        pool = [p for p in pools[order[i % 2]] if p not in chosen] or \
            [p for p in pools[order[(i + 1) % 2]] if p not in chosen]
        if pool:
            chosen.append(rng.choice(pool))
    stays = []
    for i, person in enumerate(chosen):
        department, reason, diagnosis = texts.CURRENT_STAYS[i % len(texts.CURRENT_STAYS)]
        start = ctx.today - days((6, 3, 1)[i % 3])
        stays.append(LifeEvent(person=person, kind=LifeEventKind.HOSPITAL, starts_on=start, place="青禾县人民医院",
                               department=department, reason=reason, diagnosis=diagnosis,
                               created_by=ctx.recorder(person)))
    LifeEvent.objects.bulk_create(stays)
    return len(stays)


def birthday_visits(rng, ctx, people):
    for person in people:
        if person.birth_date is None:
            continue
        turning = YEAR - person.birth_date.year
        if turning not in ROUND_AGES and turning < 100:
            continue
        birthday = lunar.birthday_in(person.birth_date, YEAR, person.birthday_is_lunar)
        if birthday is None or birthday >= ctx.today or not alive_on(person, birthday) or rng.random() < 0.08:
            continue
        day = max(YEAR_START, birthday - days(rng.choice((0, 0, 0, 1, 2))))
        unit = ctx.unit(person)
        leaders = rng.choice(texts.LEADERS) if turning >= 100 or (turning >= 90 and rng.random() < 0.5) else ""
        make_visit(ctx, rng, person, VisitKind.BIRTHDAY, day, organisation=unit, creator=unit_recorder(ctx, unit),
                   visitors="、".join(ctx.staff(rng, unit)), leaders=leaders, gift=rng.choice(texts.BIRTHDAY_GIFTS),
                   money=BIRTHDAY_MONEY.get(turning, 2000))


def hospital_visits(rng, ctx, people_by_pk):
    stays = (LifeEvent.objects.filter(kind=LifeEventKind.HOSPITAL, starts_on__lte=ctx.today)
             .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=YEAR_START)).order_by("person_id", "starts_on", "id"))
    for stay in stays:
        person = people_by_pk.get(stay.person_id)
        if person is None or rng.random() < 0.15:
            continue
        start = max(stay.starts_on, YEAR_START)
        day = start + days(rng.randint(1, 4))
        if stay.ends_on is not None:
            day = min(day, stay.ends_on)
        if day >= ctx.today or not alive_on(person, day):
            continue
        unit = ctx.unit(person)
        make_visit(ctx, rng, person, VisitKind.HOSPITAL, day, organisation=unit, creator=unit_recorder(ctx, unit),
                   visitors="、".join(ctx.staff(rng, unit)), gift=rng.choice(texts.HOSPITAL_GIFTS),
                   money=800 if ctx.is_lixiu(person) else 300 if rng.random() < 0.5 else None, stay=stay,
                   feedback=texts.HOSPITAL_FEEDBACK, feedback_share=0.7, needs_share=0.04)


def routine_visits(rng, ctx, people):
    vulnerable = [p for p in people if ctx.local(p, ctx.today) and care_interval(p, ctx.today)]
    cared = [p for p in vulnerable if ctx.community(p).code in CARE_COMMUNITIES]
    others = [p for p in vulnerable if ctx.community(p).code not in CARE_COMMUNITIES]
    picked = rng.sample(others, min(len(others), max(5, len(others) // 12)))
    cared_pks = {p.pk for p in cared}
    for person in cared + picked:
        community = ctx.community(person)
        count = rng.randint(1, 3) if person.pk in cared_pks else 1
        for day in sorted(day_between(rng, datetime.date(YEAR, 1, 10), ctx.today - days(1)) for _ in range(count)):
            staff = ctx.staff(rng, community)
            make_visit(ctx, rng, person, VisitKind.ROUTINE, day, organisation=community,
                       creator=ctx.recorder(person), visitors="、".join(staff[:rng.randint(1, 2)]),
                       gift=rng.choice(texts.ROUTINE_GIFTS), feedback_share=0.5, needs_share=0.18)


def elsewhere_visits(rng, ctx, people):
    for person in people:
        if not person.lives_elsewhere or rng.random() < 0.35:
            continue
        day = day_between(rng, datetime.date(YEAR, 4, 1), ctx.today - days(3))
        if not alive_on(person, day):
            continue
        unit = ctx.unit(person)
        place = person.elsewhere_place or "外地"
        visitors = rng.choice(texts.ELSEWHERE_VISITORS).format(staff=ctx.staff(rng, unit)[0], place=place)
        make_visit(ctx, rng, person, VisitKind.ELSEWHERE, day, organisation=unit, creator=unit_recorder(ctx, unit),
                   visitors=visitors, gift="慰问品一份", money=500,
                   feedback=(texts.ELSEWHERE_FEEDBACK.format(place=place),), feedback_share=0.8, needs_share=0)


def survivor_visits(rng, ctx, people, relations):
    for person in people:
        relation = relations.get(person.pk)
        if person.deceased_on is None or relation is None or rng.random() < 0.3:
            continue
        start = max(person.deceased_on + days(30), datetime.date(YEAR, 1, 10))
        if start >= ctx.today:
            continue
        day = day_between(rng, start, ctx.today - days(1))
        unit = ctx.unit(person)
        who = texts.SURVIVOR_RELATIONS.get(relation, "遗属")
        make_visit(ctx, rng, person, VisitKind.SURVIVOR, day, organisation=unit, creator=unit_recorder(ctx, unit),
                   visitors="、".join(ctx.staff(rng, unit)), gift=f"看望{who}，送慰问品一份", money=500,
                   feedback=texts.SURVIVOR_FEEDBACK, feedback_share=0.8, needs_share=0)


def plan_visits(rng, ctx, relations):
    """Collect the year's visits outside campaigns (both counties) on ``ctx.visits``."""
    people_by_pk = {p.pk: p for p in ctx.people}
    birthday_visits(rng, ctx, ctx.people)
    hospital_visits(rng, ctx, people_by_pk)
    routine_visits(rng, ctx, ctx.county_people())
    routine_visits(rng, ctx, ctx.county_people("BX"))
    elsewhere_visits(rng, ctx, ctx.people)
    survivor_visits(rng, ctx, ctx.people, relations)
