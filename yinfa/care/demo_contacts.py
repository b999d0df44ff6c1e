"""Care contacts of the demo: the county's care policies (the defaults), the vulnerable people of 东关社区, 西关社区 and
南街社区 assigned to carers (``shequ_admin``, ``zhiyuanzhe`` and two more volunteers) but for about ten left
unassigned, eight weeks of contacts, and the escalations: exactly two open (one "no answer twice in a row", one
"overdue") and three followed up.

The cached fields of each assignment agree with its contacts: ``last_contact_on`` is the day of the last contact
(whatever its outcome), ``next_due_on`` the last answered contact's day (or the start) plus the interval, and
``unanswered_in_a_row`` the number of "no answer" contacts since the last answered one. On the demo's "today" no
other assignment is overdue or has two unanswered contacts in a row, so the escalation job opens nothing more."""

import datetime

from yinfa.care import demo_texts as texts
from yinfa.care.demo_context import (
    BATCH,
    COUNTY_CODE,
    HOME_COMMUNITY,
    care_interval,
    day_between,
    days,
    insert,
    moment,
    stamp,
)
from yinfa.care.models import (
    CareAssignment,
    CareContact,
    CarePolicy,
    Condition,
    ContactMethod,
    ContactOutcome,
    Escalation,
    EscalationReason,
    EscalationStatus,
)

WELL, HELP, NO = ContactOutcome.WELL, ContactOutcome.NEEDS_HELP, ContactOutcome.NO_ANSWER
CARERS = {HOME_COMMUNITY: ("shequ_admin", "zhiyuanzhe"), "QH-S01-C02": ("zhiyuanzhe2",),
          "QH-S01-C03": ("zhiyuanzhe3",)}
POLICIES = ((Condition.ALONE, 7), (Condition.DEPENDENT, 7), (Condition.AGED_90, 7), (Condition.EMPTY_NEST, 14))
WINDOW_DAYS = 56
UNASSIGNED_MAX = 10
SPECIALS = ("open_no_answer", "open_overdue", "resolved_no_answer", "resolved_overdue", "resolved_needs_help")


class History:
    """The contacts of one assignment as (day, outcome, hour, minute), and its escalations."""

    def __init__(self, rng, interval):
        self.rng, self.interval = rng, interval
        self.contacts = []
        self.escalations = []  # (reason, opened at, follow-up or "" when open, resolved at)

    def add(self, day, outcome, hour=None, minute=None):
        rng = self.rng
        at = (day, outcome, rng.randint(9, 16) if hour is None else hour, rng.randint(0, 59) if minute is None
              else minute)
        self.contacts.append(at)
        return at

    def extend(self, last, end_day, no_answer_share=0.05, help_share=0.05):
        """Answered contacts after ``last`` until ``last + interval`` reaches ``end_day`` (all before it), now and
        then a single "no answer" the day before; returns the day of the last answered contact."""
        rng, interval = self.rng, self.interval
        while last + days(interval) < end_day:
            day = last + days(rng.randint(max(1, interval - 3), interval))
            if rng.random() < no_answer_share and day + days(1) <= last + days(interval) \
                    and day + days(1) < end_day:
                self.add(day, NO)
                day += days(1)
            self.add(day, HELP if rng.random() < help_share else WELL)
            last = day
        return last


def _cached(history, started_on, interval):
    """(last_contact_on, next_due_on, unanswered_in_a_row) as the contact services keep them."""
    last_answered = started_on
    unanswered = 0
    for day, outcome, _h, _m in history.contacts:
        if outcome == NO:
            unanswered += 1
        else:
            last_answered, unanswered = day, 0
    last = history.contacts[-1][0] if history.contacts else None
    return last, last_answered + days(interval), unanswered


def _special(kind, history, base, today):
    """Shape the history of an assignment chosen to carry an escalation."""
    rng, interval = history.rng, history.interval
    if kind == "open_no_answer":
        last = history.extend(base, today - days(2), no_answer_share=0, help_share=0)
        if last + days(interval) < today:
            history.add(today - days(3), WELL)
        history.add(today - days(2), NO, 10, 5)
        history.add(today - days(1), NO, 15, 20)
        history.escalations.append((EscalationReason.NO_ANSWER, moment(today - days(1), 15, 21), "", None))
    elif kind == "open_overdue":
        last = history.extend(base, today - days(interval), no_answer_share=0, help_share=0)
        due = last + days(interval)
        history.add(due, NO, 16, 40)
        history.escalations.append((EscalationReason.OVERDUE, moment(due + days(1), 6, 0), "", None))
    elif kind == "resolved_no_answer":
        last = history.extend(base, today - days(30), no_answer_share=0)
        due = last + days(interval)
        history.add(due - days(2), NO, 9, 30)
        history.add(due - days(1), NO, 16, 10)
        history.escalations.append((EscalationReason.NO_ANSWER, moment(due - days(1), 16, 11),
                                    texts.RESOLVED_FOLLOW_UPS["no_answer"], moment(due, 11, 30)))
        history.add(due, WELL, 10, 40)
        history.extend(due, today)
    elif kind == "resolved_overdue":
        last = history.extend(base, today - days(40), no_answer_share=0)
        late = last + days(interval + 1)
        history.escalations.append((EscalationReason.OVERDUE, moment(late, 6, 0),
                                    texts.RESOLVED_FOLLOW_UPS["overdue"], moment(late, 14, 30)))
        history.add(late, WELL, 14, 5)
        history.extend(late, today)
    elif kind == "resolved_needs_help":
        last = history.extend(base, today - days(25), no_answer_share=0, help_share=0)
        day = last + days(rng.randint(max(1, interval - 3), interval))
        history.add(day, HELP, 10, 15)
        history.escalations.append((EscalationReason.NEEDS_HELP, moment(day, 10, 16),
                                    texts.RESOLVED_FOLLOW_UPS["needs_help"], moment(day + days(2), 9, 45)))
        history.extend(day, today)


def _choose_specials(rng, plans, ctx):
    """Which assignments carry the escalations: old enough ones; the open "no answer" one is zhiyuanzhe's and the
    open "overdue" one a weekly contact, when there are such."""
    old = [p for p in plans if p["started_on"] <= ctx.today - days(WINDOW_DAYS + 5)]
    rng.shuffle(old)
    chosen = {}
    preferences = {
        "open_no_answer": lambda p: p["carer"] == ctx.user("zhiyuanzhe"),
        "open_overdue": lambda p: p["interval"] == 7 and p["carer"] == ctx.user("shequ_admin"),
    }
    for kind in SPECIALS:
        free = [p for p in old if id(p) not in {id(q) for q in chosen.values()}]
        liked = [p for p in free if preferences.get(kind, lambda p: True)(p)]
        if kind == "open_overdue" and not liked:
            liked = [p for p in free if p["interval"] == 7]
        pick = (liked or free or [None])[0]
        if pick is not None:
            chosen[kind] = pick
    return chosen


def _unassigned(rng, candidates):
    """About ten people matching a policy left without a carer (one of them in 东关社区 when it has two)."""
    count = min(UNASSIGNED_MAX, max(1, round(len(candidates) * 0.12))) if len(candidates) >= 2 else 0
    home = [c for c in candidates if c[2] == HOME_COMMUNITY]
    chosen = [rng.choice(home)] if count and len(home) >= 2 else []
    taken = {c[0].pk for c in chosen}
    rest = [c for c in candidates if c[0].pk not in taken]
    chosen += rng.sample(rest, max(0, count - len(chosen)))
    return {c[0].pk for c in chosen}


def seed_contacts(rng, ctx):
    today = ctx.today
    county = ctx.nodes[COUNTY_CODE]
    bureau = ctx.user("ju_admin")
    CarePolicy.objects.bulk_create([CarePolicy(node=county, node_path=county.path, condition=condition,
                                               interval_days=interval, updated_by=bureau)
                                    for condition, interval in POLICIES])
    carers = {code: [ctx.user(name) for name in names if ctx.user(name)] for code, names in CARERS.items()}
    candidates = []
    for person in ctx.county_people():
        community = ctx.community(person)
        interval = care_interval(person, today)
        if interval and ctx.local(person, today) and carers.get(community.code):
            candidates.append((person, interval, community.code))
    unassigned = _unassigned(rng, candidates)
    assigned = [c for c in candidates if c[0].pk not in unassigned]
    newcomers = {id(c) for c in rng.sample(assigned, 2)} if len(assigned) >= 8 else set()
    plans = []
    for candidate in assigned:
        person, interval, code = candidate
        if id(candidate) in newcomers:
            started = today - days(rng.randint(1, min(6, interval - 1)))
        else:
            started = day_between(rng, datetime.date(2026, 3, 1), datetime.date(2026, 9, 20))
        plans.append({"person": person, "interval": interval, "carer": rng.choice(carers[code]),
                      "started_on": started})
    specials = {id(plan): kind for kind, plan in _choose_specials(rng, plans, ctx).items()}
    window = today - days(WINDOW_DAYS)
    assignments, histories = [], []
    for plan in plans:
        interval, started = plan["interval"], plan["started_on"]
        history = History(rng, interval)
        base = started if started >= window else window - days(rng.randint(0, interval - 1))
        kind = specials.get(id(plan))
        if kind:
            _special(kind, history, base, today)
        else:
            last = history.extend(base, today)
            if history.contacts and last <= today - days(2) and rng.random() < 0.08:
                history.add(today - days(1), NO)
        last_contact, next_due, unanswered = _cached(history, started, interval)
        assignments.append(CareAssignment(person=plan["person"], carer=plan["carer"], interval_days=interval,
                                          started_on=started, last_contact_on=last_contact, next_due_on=next_due,
                                          unanswered_in_a_row=unanswered, created_by=ctx.recorder(plan["person"])))
        histories.append(history)
    CareAssignment.objects.bulk_create(assignments, batch_size=BATCH)
    contacts, escalations, opened = [], [], []
    for assignment, history in zip(assignments, histories, strict=True):
        for day, outcome, hour, minute in history.contacts:
            method = ContactMethod.VISIT if rng.random() < 0.3 else ContactMethod.PHONE
            contacts.append(CareContact(assignment=assignment, person=assignment.person, carer=assignment.carer,
                                        contacted_at=moment(day, hour, minute), method=method, outcome=outcome,
                                        note=rng.choice(texts.CONTACT_NOTES[outcome])))
        for reason, opened_at, follow_up, resolved_at in history.escalations:
            resolved = resolved_at is not None
            escalations.append(Escalation(
                person=assignment.person, assignment=assignment, reason=reason,
                status=EscalationStatus.RESOLVED if resolved else EscalationStatus.OPEN, follow_up=follow_up,
                resolved_by=ctx.recorder(assignment.person) if resolved else None, resolved_at=resolved_at))
            opened.append(opened_at)
    for contact in contacts:
        contact.created_at = contact.contacted_at + datetime.timedelta(minutes=2)
    insert(CareContact, contacts)
    Escalation.objects.bulk_create(escalations)
    stamp(Escalation, escalations, "opened_at", opened)
    return {
        "care_policies": len(POLICIES), "care_assignments": len(assignments), "care_unassigned": len(unassigned),
        "care_contacts": len(contacts),
        "escalations_open": sum(1 for e in escalations if e.status == EscalationStatus.OPEN),
        "escalations_resolved": sum(1 for e in escalations if e.status == EscalationStatus.RESOLVED),
    }
