"""The demo's visit campaigns: "2026年春节慰问" of 青禾县 (closed: every task visited before 春节 but a handful
skipped with reasons), "2026年重阳节暨冬季慰问" (under way, about 55 % visited: some units done, some behind), and a
closed 春节 campaign of 白溪县 (so scoping shows). Tasks go to the person's former unit; each visited task has its
visit (kind festival)."""

import datetime
import math

from yinfa.care import demo_texts as texts
from yinfa.care.demo_context import (
    COUNTY_CODE,
    FINANCE_UNIT,
    SIBLING_CODE,
    age_on,
    alive_on,
    day_between,
    days,
    moment,
    stamp,
)
from yinfa.care.demo_visits import make_visit, unit_recorder
from yinfa.care.models import CampaignStatus, CampaignTask, Festival, TaskStatus, VisitCampaign, VisitKind
from yinfa.core import lunar
from yinfa.people.models import LivingStatus, SelfCare

# The criteria as the campaign planner keeps them (yinfa.care services draw the roster from them).
SPRING_CRITERIA = {"groups": ["lixiu", "dependent", "alone_aged"], "alone_age": 80, "age": 90, "visited_by": "unit"}
WINTER_CRITERIA = {"groups": ["lixiu", "dependent", "aged"], "alone_age": 80, "age": 85, "visited_by": "unit"}
WINTER_DUE = datetime.date(2026, 12, 15)  # the planner moved it from 重阳节 (2026-10-18) to cover the winter
WINTER_SHARE_DONE = 0.55
SKIP_SHARE = 0.015


def spring_roster(ctx, people, due):
    return [p for p in people if alive_on(p, due) and (
        ctx.is_lixiu(p) or p.self_care == SelfCare.DEPENDENT
        or (p.living_status == LivingStatus.ALONE and age_on(p, due) >= SPRING_CRITERIA["alone_age"]))]


def winter_roster(ctx, people, day):
    return [p for p in people if alive_on(p, day) and (
        ctx.is_lixiu(p) or p.self_care == SelfCare.DEPENDENT or age_on(p, day) >= WINTER_CRITERIA["age"])]


def _assignee(ctx, person, campaign_node):
    unit = ctx.unit(person)
    if unit.path.startswith(campaign_node.path):
        return unit
    return ctx.community(person) or unit


def _skipped_count(n):
    return max(1, round(n * SKIP_SHARE)) if n >= 20 else 0


def _closed(rng, ctx, campaign, roster, reasons):
    """Tasks of a closed campaign: all visited in the 25 days before the due date but a handful skipped."""
    skipped = {p.pk for p in rng.sample(roster, _skipped_count(len(roster)))}
    tasks = []
    for person in roster:
        assignee = _assignee(ctx, person, campaign.node)
        task = CampaignTask(campaign=campaign, person=person, assignee=assignee, assignee_path=assignee.path)
        if person.pk in skipped:
            task.status, task.reason = TaskStatus.SKIPPED, rng.choice(reasons)
        else:
            task.status = TaskStatus.DONE
            task.done_on = day_between(rng, campaign.due_on - days(25), campaign.due_on - days(1))
        tasks.append(task)
    return tasks


def _winter(rng, ctx, campaign, roster):
    """Tasks of the campaign under way: about 55 % visited; a quarter of the units done, a fifth behind."""
    tasks = [CampaignTask(campaign=campaign, person=p, assignee=_assignee(ctx, p, campaign.node),
                          status=TaskStatus.PENDING) for p in roster]
    by_unit = {}
    for task in tasks:
        task.assignee_path = task.assignee.path
        by_unit.setdefault(task.assignee.code, []).append(task)
    codes = sorted(by_unit)
    shuffled = codes[:]
    rng.shuffle(shuffled)
    full = set(shuffled[:round(len(codes) * 0.25)]) - {FINANCE_UNIT}
    behind = set(shuffled[round(len(codes) * 0.25):round(len(codes) * 0.45)]) - {FINANCE_UNIT}
    skip = [t for code in codes if code not in full for t in by_unit[code]]
    for task in rng.sample(skip, _skipped_count(len(tasks))):
        task.status, task.reason = TaskStatus.SKIPPED, rng.choice(texts.WINTER_SKIP_REASONS)
    open_tasks = {code: [t for t in by_unit[code] if t.status == TaskStatus.PENDING] for code in codes}
    done = {}
    for code in codes:
        n = len(open_tasks[code])
        done[code] = n if code in full else math.floor(n * 0.1) if code in behind else min(n - 1, round(n * 0.6))
        done[code] = max(0, done[code])
    target = round(len(tasks) * WINTER_SHARE_DONE)
    middle = [c for c in codes if c not in full and c not in behind] or codes
    _adjust(done, open_tasks, middle, target, rng)
    visit_from = datetime.date(2026, 10, 10)
    for code in codes:
        for task in rng.sample(open_tasks[code], done[code]):
            task.status = TaskStatus.DONE
            task.done_on = day_between(rng, visit_from, ctx.today - days(1))
    return tasks


def _adjust(done, open_tasks, middle, target, rng):
    """Move the number of visited tasks towards ``target``, one task at a time round the middle units."""
    order = middle[:]
    rng.shuffle(order)
    diff = target - sum(done.values())
    i = idle = 0
    while diff and idle < len(order):
        code = order[i % len(order)]
        i += 1
        if diff > 0 and done[code] < len(open_tasks[code]):
            done[code] += 1
            diff -= 1
            idle = 0
        elif diff < 0 and done[code] > 0:
            done[code] -= 1
            diff += 1
            idle = 0
        else:
            idle += 1


def _visit(rng, ctx, task, gifts, money):
    person, unit = task.person, task.assignee
    lixiu = ctx.is_lixiu(person)
    leaders = rng.choice(texts.LEADERS) if lixiu and rng.random() < 0.3 else ""
    make_visit(ctx, rng, person, VisitKind.FESTIVAL, task.done_on, organisation=unit,
               creator=unit_recorder(ctx, unit), visitors="、".join(ctx.staff(rng, unit)), leaders=leaders,
               gift=rng.choice(gifts), money=money[lixiu], task=task, feedback_share=0.25, needs_share=0.06)


def seed_campaigns(rng, ctx):
    county, sibling = ctx.nodes[COUNTY_CODE], ctx.nodes.get(SIBLING_CODE)
    bureau = ctx.user("ju_admin")
    spring_due = lunar.festival("spring", 2026)
    spring = VisitCampaign(title="2026年春节慰问", festival=Festival.SPRING, year=2026, node=county,
                           scope_path=county.path, due_on=spring_due, criteria=SPRING_CRITERIA,
                           status=CampaignStatus.CLOSED, created_by=bureau)
    winter = VisitCampaign(title="2026年重阳节暨冬季慰问", festival=Festival.DOUBLE_NINTH, year=2026, node=county,
                           scope_path=county.path, due_on=WINTER_DUE, criteria=WINTER_CRITERIA,
                           status=CampaignStatus.OPEN, created_by=bureau)
    campaigns, created = [spring, winter], [datetime.date(2026, 1, 8), datetime.date(2026, 10, 9)]
    if sibling is not None:
        campaigns.append(VisitCampaign(title="白溪县2026年春节慰问", festival=Festival.SPRING, year=2026,
                                       node=sibling, scope_path=sibling.path, due_on=spring_due,
                                       criteria=SPRING_CRITERIA, status=CampaignStatus.CLOSED,
                                       created_by=ctx.user("ju_admin_b")))
        created.append(datetime.date(2026, 1, 10))
    VisitCampaign.objects.bulk_create(campaigns)
    stamp(VisitCampaign, campaigns, "created_at", [moment(day, 9, 30) for day in created])

    county_people = ctx.county_people()
    spring_tasks = _closed(rng, ctx, spring, spring_roster(ctx, county_people, spring_due), texts.SPRING_SKIP_REASONS)
    winter_tasks = _winter(rng, ctx, winter, winter_roster(ctx, county_people, ctx.today))
    sibling_tasks = []
    if sibling is not None:
        sibling_tasks = _closed(rng, ctx, campaigns[2], spring_roster(ctx, ctx.county_people("BX"), spring_due),
                                texts.SPRING_SKIP_REASONS)
    tasks = spring_tasks + winter_tasks + sibling_tasks
    CampaignTask.objects.bulk_create(tasks, batch_size=500)
    for task in spring_tasks + sibling_tasks:
        if task.status == TaskStatus.DONE:
            _visit(rng, ctx, task, texts.SPRING_GIFTS, {True: 1000, False: 500})
    for task in winter_tasks:
        if task.status == TaskStatus.DONE:
            _visit(rng, ctx, task, texts.WINTER_GIFTS, {True: 800, False: 300})

    def count(rows, status=None):
        return sum(1 for t in rows if status is None or t.status == status)

    return {
        "campaigns": len(campaigns),
        "spring_tasks": count(spring_tasks), "spring_done": count(spring_tasks, TaskStatus.DONE),
        "spring_skipped": count(spring_tasks, TaskStatus.SKIPPED),
        "winter_tasks": count(winter_tasks), "winter_done": count(winter_tasks, TaskStatus.DONE),
        "winter_skipped": count(winter_tasks, TaskStatus.SKIPPED),
        "winter_pending": count(winter_tasks, TaskStatus.PENDING),
        "sibling_tasks": count(sibling_tasks),
    }
