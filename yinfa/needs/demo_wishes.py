"""Micro-wishes (微心愿) of the demo in every state: collected, published (on the wall of 东关社区, 城关街道 or the
county), claimed (active claims of ``zhibu_shuji`` for his branch and of ``zhiyuanzhe``, not yet due), fulfilled
(awaiting confirmation), confirmed, rejected and withdrawn; one wish is back on the wall after a claim expired. One
``WishStep`` per transition. A claim's period is 14 days (``fulfil_by`` = the day claimed + 14).

Walls are seen at their organisation, above it and inside it: the branch secretary (whose scope is his branch, under
the work committee) sees the county's wall, so his claims are of wishes on the county's wall."""

import datetime
from decimal import Decimal

from yinfa.care.demo_context import (
    COUNTY_CODE,
    HOME_COMMUNITY,
    SIBLING_CODE,
    SIBLING_PREFIX,
    days,
    insert,
    moment,
    new_uid,
)
from yinfa.care.demo_texts import VISIT_NEEDS
from yinfa.core.models import RoleGrant
from yinfa.core.permissions import Role
from yinfa.needs import demo_texts as texts
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishStatus, WishStep

CLAIM_DAYS = 14
SIBLING_COMMITTEE = "BX-GW"
COL, PUB, CLM, FUL, CONF, REJ, WDR = (WishStatus.COLLECTED, WishStatus.PUBLISHED, WishStatus.CLAIMED,
                                      WishStatus.FULFILLED, WishStatus.CONFIRMED, WishStatus.REJECTED,
                                      WishStatus.WITHDRAWN)
EXPIRED = "expired"  # published again after an expired claim
# (final state, wall: home = 东关社区, street = 城关街道, county; claimant: branch = zhibu_shuji for his branch,
# liaison = lianluoyuan for the same branch, volunteer = zhiyuanzhe, sibling = 白溪县's bureau for its work committee)
PLAN = (
    (COL, "home", None), (COL, "county", None), (COL, "home", None),
    (PUB, "home", None), (PUB, "home", None), (PUB, "county", None), (PUB, "county", None), (PUB, "street", None),
    (CLM, "county", "branch"), (CLM, "county", "branch"), (CLM, "home", "volunteer"), (CLM, "street", "volunteer"),
    (FUL, "county", "branch"), (FUL, "home", "volunteer"), (FUL, "county", "liaison"),
    (CONF, "county", "branch"), (CONF, "home", "volunteer"), (CONF, "county", "liaison"),
    (CONF, "home", "volunteer"), (CONF, "county", "branch"), (CONF, "street", "volunteer"),
    (REJ, "county", None), (REJ, "home", None), (WDR, "home", None), (WDR, "county", None),
    (EXPIRED, "county", "liaison"),
)
SIBLING_PLAN = ((PUB, "sibling", None), (CONF, "sibling", "sibling"))
WISH_KEYS = {text: key.removeprefix("wish:") for text, key in VISIT_NEEDS if key.startswith("wish:")}


class Trail:
    """The steps of one wish as (from, to, actor, comment, at)."""

    def __init__(self, rng, today):
        self.rng, self.today, self.steps = rng, today, []

    def add(self, to, actor, comment, day):
        day = min(day, self.today)
        at = moment(day, self.rng.randint(8, 17), self.rng.randint(0, 59))
        if self.steps and at <= self.steps[-1][4]:
            at = self.steps[-1][4] + datetime.timedelta(minutes=self.rng.randint(20, 120))
        self.steps.append((self.steps[-1][1] if self.steps else "", to, actor, comment, at))
        return at


class Claimants:
    """(user, organisation or None, name shown) of each kind of claimant."""

    def __init__(self, ctx):
        self.users = {"branch": ctx.user("zhibu_shuji"), "liaison": ctx.user("lianluoyuan"),
                      "volunteer": ctx.user("zhiyuanzhe"), "sibling": ctx.user("ju_admin_b")}
        grant = RoleGrant.objects.filter(user=self.users["branch"], role=Role.BRANCH_SECRETARY).select_related(
            "node").first() if self.users["branch"] else None
        self.orgs = {"branch": grant.node if grant else None, "liaison": grant.node if grant else None,
                     "sibling": ctx.nodes.get(SIBLING_COMMITTEE)}

    def get(self, kind):
        user = self.users.get(kind) or (None if kind == "sibling" else self.users["volunteer"])
        if user is None:
            return None
        org = self.orgs.get(kind) if self.users.get(kind) else None
        return (user, org, org.name) if org is not None else (user, None, user.full_name)


def _walls(ctx):
    walls = {"home": ctx.nodes.get(HOME_COMMUNITY), "street": ctx.nodes.get(HOME_COMMUNITY.rsplit("-", 1)[0]),
             "county": ctx.nodes[COUNTY_CODE], "sibling": ctx.nodes.get(SIBLING_CODE)}
    return {k: v for k, v in walls.items() if v is not None}


def _people(rng, ctx):
    alive = [p for p in ctx.county_people() if ctx.local(p, ctx.today) and p.pk != ctx.retiree_pk]
    home = [p for p in alive if ctx.community(p).code == HOME_COMMUNITY]
    street = [p for p in alive if ctx.community(p).code.startswith(HOME_COMMUNITY.rsplit("-", 1)[0] + "-")]
    pools = {"home": home, "street": street or alive, "county": alive,
             "sibling": [p for p in ctx.county_people(SIBLING_PREFIX) if ctx.local(p, ctx.today)]}
    for pool in pools.values():
        rng.shuffle(pool)
    return pools


def seed_wishes(rng, ctx, visits):
    walls, pools, claimants = _walls(ctx), _people(rng, ctx), Claimants(ctx)
    people = {p.pk: p for p in ctx.people}
    from_visits = [v for v in visits if v.needs in WISH_KEYS and v.person_id in people
                   and ctx.unit(people[v.person_id]).code.startswith("QH-")
                   and v.visited_on >= ctx.today - days(120)]
    keys = list(texts.WISHES)
    rng.shuffle(keys)
    next_key, used = iter(keys * 3), set()
    wishes, claims, trails = [], [], []
    for state, wall_key, claimant_kind in PLAN + SIBLING_PLAN:
        wall = walls.get(wall_key)
        if wall is None:
            continue
        visit = None
        if state in (COL, PUB) and wall_key != "sibling":
            visit = next((v for v in reversed(from_visits) if v.person_id not in used
                          and _on_wall(ctx, people[v.person_id], wall_key)), None)
        if visit is not None:
            from_visits.remove(visit)
            person, key = people[visit.person_id], WISH_KEYS[visit.needs]
        else:
            person = next((p for p in pools[wall_key] if p.pk not in used), None)
            if person is None and wall_key != "sibling":  # a small demo: someone of the county, on its wall
                person, wall = next((p for p in pools["county"] if p.pk not in used), None), walls["county"]
            key = next(next_key)
        if person is None:
            continue
        used.add(person.pk)
        claimant = claimants.get(claimant_kind) if claimant_kind else None
        if claimant_kind and claimant is None:
            state = PUB
        made = _wish(rng, ctx, person, key, wall, state, claimant, visit)
        wishes.append(made[0])
        claims.extend(made[1])
        trails.append(made[2])
    return _save(ctx, wishes, claims, trails)


def _on_wall(ctx, person, wall_key):
    """Whether a wish of ``person`` belongs on that wall (their community's, their street's or the county's)."""
    code = ctx.community(person).code
    if wall_key == "home":
        return code == HOME_COMMUNITY
    if wall_key == "street":
        return code.startswith(HOME_COMMUNITY.rsplit("-", 1)[0] + "-")
    return True


def _publisher(ctx, wall, person):
    if wall.code == HOME_COMMUNITY and ctx.user("shequ_admin"):
        return ctx.user("shequ_admin")
    return ctx.bureau(person)


def _wish(rng, ctx, person, key, wall, state, claimant, visit):
    """One wish with its claims and trail; the dates run backwards from today by state."""
    today = ctx.today
    title, reason, cost = texts.WISHES[key]
    collector = (ctx.user_by_pk(visit.created_by_id) if visit else None) or ctx.recorder(person)
    wish = Wish(uid=new_uid(rng), person=person, title=title, reason=reason, estimated_cost=Decimal(cost),
                status=PUB if state == EXPIRED else state, wall=wall, wall_path=wall.path, source_visit=visit,
                collected_by=collector)
    claimed_ago = {CLM: (1, 12), FUL: (8, 30), CONF: (20, 90), EXPIRED: (24, 40)}.get(state)
    claim_day = today - days(rng.randint(*claimed_ago)) if claimed_ago else None
    if state == COL:
        collected = visit.visited_on if visit else today - days(rng.randint(1, 10))
    elif claim_day:
        collected = claim_day - days(rng.randint(4, 15))
    else:
        collected = visit.visited_on if visit else today - days(rng.randint(5, 60))
    trail = Trail(rng, today)
    trail.add(COL, collector, "", collected)
    publisher = _publisher(ctx, wall, person)
    if state == REJ:
        wish.reason_closed = rng.choice(texts.WISH_REJECTIONS)
        trail.add(REJ, publisher, wish.reason_closed, collected + days(rng.randint(1, 4)))
        return wish, [], trail
    if state == COL:
        return wish, [], trail
    published_day = collected + days(rng.randint(1, 3))
    if claim_day:
        published_day = min(published_day, claim_day - days(1))
    wish.published_at = trail.add(PUB, publisher, f"审核通过，发布到{wall.name}心愿墙。", published_day)
    if state == WDR:
        wish.reason_closed = rng.choice(texts.WISH_WITHDRAWALS)
        trail.add(WDR, publisher, wish.reason_closed, published_day + days(rng.randint(2, 10)))
        return wish, [], trail
    if not claim_day:
        return wish, [], trail
    user, org, name = claimant
    claim = WishClaim(wish=wish, claimant=user, claimant_org=org, claimant_name=name[:120],
                      fulfil_by=claim_day + days(CLAIM_DAYS))
    claim.claimed_at = trail.add(CLM, user, f"{name}认领。", claim_day)
    if state == CLM:
        return wish, [claim], trail
    if state == EXPIRED:
        claim.status = ClaimStatus.EXPIRED
        claim.ended_at = moment(claim.fulfil_by + days(1), 2, 0)
        trail.steps.append((CLM, PUB, None, f"认领后{CLAIM_DAYS}天内未完成，心愿回到心愿墙。", claim.ended_at))
        return wish, [claim], trail
    claim.status = ClaimStatus.FULFILLED
    claim.fulfilment_note = rng.choice(texts.CLAIM_NOTES)
    fulfilled = trail.add(FUL, user, claim.fulfilment_note,
                          min(claim_day + days(rng.randint(2, CLAIM_DAYS - 1)), today - days(1)))
    claim.fulfilled_at = claim.ended_at = wish.fulfilled_at = fulfilled
    if state == CONF:
        wish.beneficiary_words = rng.choice(texts.BENEFICIARY_WORDS)
        wish.confirmed_by_proxy = True
        wish.confirmed_at = trail.add(CONF, ctx.recorder(person), f"代老同志确认：{wish.beneficiary_words}",
                                      min(fulfilled.date() + days(rng.randint(1, 5)), today))
    return wish, [claim], trail


def _save(ctx, wishes, claims, trails):
    Wish.objects.bulk_create(wishes)
    for wish, trail in zip(wishes, trails, strict=True):
        wish.created_at = trail.steps[0][4]
    Wish.objects.bulk_update(wishes, ["created_at"])
    claimed = [c.claimed_at for c in claims]
    for claim in claims:
        claim.wish_id = claim.wish.pk
    WishClaim.objects.bulk_create(claims)
    for claim, at in zip(claims, claimed, strict=True):
        claim.claimed_at = at
    WishClaim.objects.bulk_update(claims, ["claimed_at"])
    steps = [WishStep(wish=wish, from_status=f, to_status=t, actor=actor, comment=comment)
             for wish, trail in zip(wishes, trails, strict=True) for f, t, actor, comment, _at in trail.steps]
    moments = iter(at for trail in trails for *_rest, at in trail.steps)
    for step in steps:
        step.at = next(moments)
    insert(WishStep, steps)
    return {
        "wishes": len(wishes),
        "wishes_by_status": {s.value: sum(1 for w in wishes if w.status == s) for s in WishStatus},
        "wishes_from_visits": sum(1 for w in wishes if w.source_visit_id),
        "claims_active": sum(1 for c in claims if c.status == ClaimStatus.ACTIVE),
        "claims_expired": sum(1 for c in claims if c.status == ClaimStatus.EXPIRED),
    }
