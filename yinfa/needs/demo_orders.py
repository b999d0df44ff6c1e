"""Service orders of the demo (点单式服务): orders in every state over the last 90 days, for people of 东关社区 and
the rest of the county (and a few of 白溪县), ordered by the retiree himself (``laotongzhi``: one carried out and
awaiting his confirmation, one rated), by staff, by family (proxy) or from a visit's needs; one ``OrderStep`` per
transition. ``accept_by``/``due_on`` follow the working-day clock (``WorkCalendar``); a few are overdue."""

import datetime

from yinfa.care.demo_context import HOME_COMMUNITY, SIBLING_PREFIX, days, insert, moment, new_uid
from yinfa.care.demo_texts import VISIT_NEEDS
from yinfa.core.workdays import WorkCalendar
from yinfa.needs import demo_texts as texts
from yinfa.needs import sla
from yinfa.needs.models import OrderChannel, OrderStatus, OrderStep, ServiceOrder

SUB, ACC, ASG, DONE, CONF, CANC, REJ = (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED,
                                        OrderStatus.DONE, OrderStatus.CONFIRMED, OrderStatus.CANCELLED,
                                        OrderStatus.REJECTED)
# (status, how many, overdue, created between so many days ago, whose)
PLAN = (
    (DONE, 1, False, (3, 6), "retiree"), (CONF, 1, False, (20, 40), "retiree"),
    (SUB, 5, False, (0, 3), "mix"), (SUB, 2, True, (5, 12), "mix"),
    (ACC, 4, False, (1, 5), "mix"), (ACC, 1, True, (12, 20), "county"),
    (ASG, 2, False, (1, 6), "volunteer"), (ASG, 4, False, (1, 8), "mix"), (ASG, 2, True, (14, 30), "mix"),
    (DONE, 5, False, (4, 30), "mix"), (CONF, 20, False, (8, 88), "mix"),
    (CANC, 5, False, (5, 80), "mix"), (REJ, 4, False, (5, 80), "mix"),
    (SUB, 1, False, (0, 3), "sibling"), (CONF, 1, False, (10, 60), "sibling"), (REJ, 1, False, (10, 60), "sibling"),
)
VISIT_ORDERS = 10
VOLUNTEER_ITEMS = ("haircut", "company")
ORDER_KEYS = {text: key for text, key in VISIT_NEEDS if not key.startswith("wish:")}
PROJECT_OF = {"haircut": "haircut", "doctor": "doctor", "legal": "legal"}


class Builder:
    def __init__(self, rng, ctx, lists):
        self.rng, self.ctx, self.today = rng, ctx, ctx.today
        self.items, self.resources, self.projects = lists["items"], lists["resources"], lists["projects"]
        self.calendar = WorkCalendar.load()
        self.orders, self.trails = [], []
        self.retiree_user = ctx.user("laotongzhi")

    # --- who and what ---

    def item_keys(self, person, whose):
        if whose == "sibling":
            return [k for k in self.items if k.startswith("bx_")]
        if whose == "volunteer":
            return list(VOLUNTEER_ITEMS)
        keys = [k for k, spec in texts.MENU.items() if spec[0] == "county"]
        community = self.ctx.community(person)
        if community is not None and community.code == HOME_COMMUNITY:
            keys += [k for k, spec in texts.MENU.items() if spec[0] == "home"]
        return keys

    def provider(self, person, item):
        def score(resource):
            same = resource.community_id is not None and resource.community_id == person.community_id
            return (2 if same else 0) + (1 if resource.provider_user_id else 0)

        sibling = self.ctx.unit(person).code.startswith(SIBLING_PREFIX + "-")
        fitting = [r for r in self.resources.values() if item.category in r.categories
                   and r.node_path.startswith(self.ctx.nodes["JB-BX" if sibling else "JB-QH"].path)]
        if not fitting:
            return None
        best = max(score(r) for r in fitting)
        return self.rng.choice([r for r in fitting if score(r) == best])

    def handler_admin(self, handler):
        if handler.code == HOME_COMMUNITY and self.ctx.user("shequ_admin"):
            return self.ctx.user("shequ_admin")
        return self.ctx.user("ju_admin_b" if handler.code.startswith(SIBLING_PREFIX) else "ju_admin")

    # --- the clock ---

    def created_day(self, status, overdue, lo, hi, item):
        """A day ``lo``–``hi`` days ago whose working-day deadlines make the order overdue or not, as wanted."""
        candidates = []
        for ago in range(lo, hi + 1):
            day = self.today - days(ago)
            accept_by = self.calendar.add_working_days(day, item.accept_days)
            due_on = self.calendar.add_working_days(day, item.complete_days)
            late = sla.is_past(accept_by if status == SUB else due_on, self.today, self.calendar)
            if status not in (SUB, ACC, ASG) or late == overdue:
                candidates.append(day)
        return self.rng.choice(candidates) if candidates else None

    def later(self, trail, first, last):
        """A moment on a day between ``first`` and ``last`` (capped at today), after the trail's last step."""
        rng, before = self.rng, trail[-1][4]
        last = min(max(first, last), self.today)
        first = min(first, last)
        day = first + days(rng.randint(0, (last - first).days))
        at = moment(day, rng.randint(8, 17), rng.randint(0, 59))
        if at <= before:
            at = before + datetime.timedelta(minutes=rng.randint(25, 150))
        return at

    # --- one order ---

    def order(self, person, status, item_key, day, *, channel, visit=None):
        rng, ctx = self.rng, self.ctx
        item, handler = self.items[item_key], ctx.handler(person)
        accept_by = self.calendar.add_working_days(day, item.accept_days)
        due_on = self.calendar.add_working_days(day, item.complete_days)
        project = self.projects.get(PROJECT_OF.get(item_key))
        if project is not None and (not project.active or project.starts_on > day
                                    or (item_key == "haircut" and person.community_id != project.node_id)):
            project = None
        if channel == OrderChannel.SELF:
            ordered_by = self.retiree_user
        elif channel == OrderChannel.VISIT:
            ordered_by = ctx.user_by_pk(visit.created_by_id)
        else:
            ordered_by = None
        ordered_by = ordered_by or ctx.recorder(person)
        order = ServiceOrder(uid=new_uid(rng), person=person, item=item, project=project,
                             details=visit.needs if visit else rng.choice(texts.ORDER_DETAILS[item_key]),
                             channel=channel, ordered_by=ordered_by, source_visit=visit, handler=handler,
                             handler_path=handler.path, status=status, accept_by=accept_by, due_on=due_on)
        if channel == OrderChannel.FAMILY:
            order.proxy_name, order.proxy_relation = rng.choice(texts.FAMILY)
        if rng.random() < 0.3:
            order.wanted_on = day + days(rng.randint(2, 7))
        admin = self.handler_admin(handler)
        trail = [("", SUB, ordered_by, "", moment(day, rng.randint(8, 18), rng.randint(0, 59)))]
        if status in (CANC, REJ):
            self.close(order, trail, status, admin, day)
        if status in (ACC, ASG, DONE, CONF):
            trail.append((SUB, ACC, admin, "已受理，尽快安排服务。", self.later(trail, day, accept_by)))
            order.accepted_at = trail[-1][4]
        if status in (ASG, DONE, CONF):
            order.provider = self.provider(person, item)
            order.assignee = order.provider.provider_user if order.provider else None
            name = order.provider.provider_name if order.provider else "服务人员"
            accepted = order.accepted_at.date()
            trail.append((ACC, ASG, admin, f"已安排{name}上门服务。", self.later(trail, accepted, accepted + days(1))))
            order.assigned_at = trail[-1][4]
        if status in (DONE, CONF):
            order.done_note = texts.DONE_NOTES[item_key]
            doer = order.assignee or admin
            trail.append((ASG, DONE, doer, order.done_note, self.later(trail, order.assigned_at.date(),
                                                                          min(due_on, self.today - days(1)))))
            order.done_at = trail[-1][4]
        if status == CONF:
            by_self = channel == OrderChannel.SELF and self.retiree_user is not None
            # Someone else than the one who did it confirms for the retiree (staff of the scope, or who ordered);
            # where nobody else could, the order stays carried out, awaiting confirmation.
            proxies = [u for u in (ctx.recorder(person), ctx.bureau(person), ordered_by)
                       if u is not None and u.pk != doer.pk]
            confirmer = self.retiree_user if by_self else (proxies[0] if proxies else None)
            if confirmer is None:
                order.status = DONE
            else:
                order.rating = rng.choices((5, 4, 3), weights=(6, 3, 1))[0]
                order.rating_comment = rng.choice(texts.RATING_COMMENTS[order.rating])
                order.confirmed_by_proxy = not by_self
                done = order.done_at.date()
                trail.append((DONE, CONF, confirmer, f"评价{order.rating}星：{order.rating_comment}",
                              self.later(trail, done, done + days(3))))
                order.closed_at = trail[-1][4]
        self.orders.append(order)
        self.trails.append(trail)
        return order

    def close(self, order, trail, status, admin, day):
        rng = self.rng
        if status == REJ:
            order.reason = rng.choice(texts.REJECT_REASONS)
            trail.append((SUB, REJ, admin, order.reason, self.later(trail, day, order.accept_by)))
        else:
            order.reason = rng.choice(texts.CANCEL_REASONS)
            if rng.random() < 0.4:
                trail.append((SUB, ACC, admin, "已受理，尽快安排服务。", self.later(trail, day, order.accept_by)))
                order.accepted_at = trail[-1][4]
            actor = self.retiree_user if order.channel == OrderChannel.SELF else self.ctx.recorder(order.person)
            trail.append((trail[-1][1], CANC, actor, order.reason, self.later(trail, day, day + days(3))))
        order.closed_at = trail[-1][4]


def _pools(rng, ctx):
    alive = [p for p in ctx.county_people() if ctx.local(p, ctx.today) and p.pk != ctx.retiree_pk]
    home = [p for p in alive if ctx.community(p).code == HOME_COMMUNITY]
    at_home = {p.pk for p in home}
    pools = {"home": home, "county": [p for p in alive if p.pk not in at_home] or alive,
             "sibling": [p for p in ctx.county_people(SIBLING_PREFIX) if ctx.local(p, ctx.today)]}
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def _pick(pools, name, counters):
    pool = pools[name]
    if not pool:
        return None
    counters[name] = counters.get(name, -1) + 1
    return pool[counters[name] % len(pool)]


def seed_orders(rng, ctx, lists, visits):
    builder = Builder(rng, ctx, lists)
    pools, counters = _pools(rng, ctx), {}
    people = {p.pk: p for p in ctx.people}
    retiree = people.get(ctx.retiree_pk)
    for status, count, overdue, (lo, hi), whose in PLAN:
        for _n in range(count):
            if whose == "retiree":
                person, channel = retiree, OrderChannel.SELF
            else:
                pool = "home" if whose == "volunteer" or (whose == "mix" and rng.random() < 0.45) else whose
                person = _pick(pools, "county" if pool == "mix" else pool, counters)
                channel = OrderChannel.STAFF if rng.random() < 0.6 else OrderChannel.FAMILY
            if person is None:
                continue
            keys = builder.item_keys(person, whose)
            if not keys:
                continue
            for _attempt in range(6):
                key = rng.choice(keys)
                day = builder.created_day(status, overdue, lo, hi, builder.items[key])
                if day is not None:
                    break
            if day is not None:
                builder.order(person, status, key, day, channel=channel)
    county = {p.pk for p in ctx.county_people()}
    for visit in [v for v in visits if v.needs in ORDER_KEYS and v.person_id in county
                  and v.visited_on >= ctx.today - days(85)][-VISIT_ORDERS:]:
        day = min(visit.visited_on + days(rng.randint(0, 2)), ctx.today)
        age = (ctx.today - day).days
        status = (SUB if age <= 2 else ASG if age <= 10 else DONE if age <= 20
                  else CANC if rng.random() < 0.12 else CONF)
        builder.order(people[visit.person_id], status, ORDER_KEYS[visit.needs], day, channel=OrderChannel.VISIT,
                      visit=visit)
    return _save(builder, ctx)


def _save(builder, ctx):
    orders, trails = builder.orders, builder.trails
    ServiceOrder.objects.bulk_create(orders, batch_size=500)
    for order, trail in zip(orders, trails, strict=True):
        order.created_at = trail[0][4]
    ServiceOrder.objects.bulk_update(orders, ["created_at"], batch_size=500)
    steps = [OrderStep(order=order, from_status=f, to_status=t, actor=actor, comment=comment)
             for order, trail in zip(orders, trails, strict=True) for f, t, actor, comment, _at in trail]
    moments = iter(at for trail in trails for *_rest, at in trail)
    for step in steps:
        step.at = next(moments)
    insert(OrderStep, steps)
    volunteer = ctx.user("zhiyuanzhe")
    return {
        "orders": len(orders),
        "orders_by_status": {s.value: sum(1 for o in orders if o.status == s) for s in OrderStatus},
        "orders_overdue": sum(1 for o in orders if sla.is_overdue(o, ctx.today)),
        "orders_from_visits": sum(1 for o in orders if o.source_visit_id),
        "orders_of_zhiyuanzhe": sum(1 for o in orders if volunteer and o.assignee_id == volunteer.pk
                                    and o.status == ASG),
    }
