"""Party life and dues of the demo counties, written straight to the models in bulk (``seed_party_life``).

Called by ``yinfa.core.demo.loader.load`` once the organisations, people and accounts exist. Deterministic for a
given ``random.Random``; the demo's "today" is ``REFERENCE_DATE`` (2026-11-22), never the real date.

1. Branch profiles (liaisons, notes) and founding dates; 2. memberships, 社区报到, committee terms, then the
cached counts; 3. a year of meetings with attendance; 4. compliance for 2025 and 2026; 5. party dues (bases,
payments, arrears, a waiver and a reduction); 6. one 六好 assessment round under review.
"""

import hashlib
import json
import random

from yinfa.core.demo import REFERENCE_DATE
from yinfa.core.models import User
from yinfa.partylife import demo_members as members
from yinfa.partylife.demo_assessment import seed_assessment
from yinfa.partylife.demo_meetings import save_meetings
from yinfa.partylife.models import (
    MAX_MEMBERS,
    Attendance,
    BranchKind,
    CommitteeMember,
    CommunityRegistration,
    ItemScore,
    Meeting,
    Membership,
)

BEHIND_SHARE = 0.15
SLOPPY_SHARE = 0.12
NOTES = {
    "new": "2026年4月经工委批准成立，党员组织关系正在陆续转入。",
    "big": "2025年9月支部调整合并后党员人数超过50人，拟按居住区域分设支部。",
    "no_committee": "正式党员已达7人以上，拟于近期召开党员大会选举支部委员会。",
    "over": "本届任期已满，换届选举工作正在筹备中。",
    "soon": "本届任期即将届满，已向工委报送换届请示。",
    "functional": "依托县银发志愿服务队成立，党员组织关系仍在原支部，参加志愿服务和主题党日活动。",
}
PLAIN_NOTES = ("实行“统分结合、就近便利”的活动方式，对行动不便的老党员送学上门。",
               "每月固定主题党日，党员按居住地分为党小组就近活动。", "", "", "")


def seed_party_life(*, rng, blueprint, records, people, nodes, today=REFERENCE_DATE):
    """Write the party life and dues of the demo; returns the figures for the summary."""
    from yinfa.dues.demo import seed_dues
    from yinfa.partylife.services.counts import recount

    parts = {name: random.Random(rng.getrandbits(64)) for name in
             ("branches", "members", "registrations", "committees", "meetings", "dues", "assessment")}
    users = {u.username: u for u in User.objects.filter(username__in=("zhibu_shuji", "gongwei_admin"))}
    plan = _plan(parts, blueprint, records, people, nodes, today)
    secretary_user = users.get("zhibu_shuji")
    creators = {plan.secretary_branch.code: secretary_user} if secretary_user else {}

    members.save_branches(plan)
    figures = {"memberships": members.save_members(plan, plan.moved)}
    figures["registrations"] = members.save_registrations(parts["registrations"], plan, nodes)
    figures["terms"] = members.save_committees(plan)
    recount([demo.branch.pk for demo in plan.branches])
    figures.update(save_meetings(parts["meetings"], plan, creators))
    _refresh_compliance(today)
    figures.update(seed_dues(parts["dues"], plan, creators))
    figures.update(seed_assessment(parts["assessment"], plan, nodes[blueprint.county.committee], users))
    figures["branches"] = len(plan.branches)
    figures["members"] = sum(1 for m in plan.organisational() if m.ended_on is None)
    figures["secretary_branch"] = plan.secretary_branch.name
    return figures


def _plan(parts, blueprint, records, people, nodes, today):
    demos = members.plan_branches(parts["branches"], nodes, blueprint, today)
    by_code = {demo.code: demo for demo in demos}
    finance = next(u for u in blueprint.county.units if u.code == "QH-U15")
    alive = {}
    for record in records:
        if record.branch and record.deceased_on is None and record.political_status in ("party_member",
                                                                                            "probationary"):
            alive[record.branch] = alive.get(record.branch, 0) + 1
    plan = members.PartyPlan(
        branches=demos, by_code=by_code, secretary_branch=by_code[finance.branches[0]],
        new_branch=_new_branch(demos, alive), big_branch=None,
        functional_branch=next((d for d in demos if d.kind == BranchKind.FUNCTIONAL and d.county == "QH"), None),
        committee_path=nodes[blueprint.county.committee].path, today=today)
    plan.big_branch = _big_branch(blueprint, by_code, alive, plan)
    if plan.new_branch is not None:
        plan.new_branch.opened_on = members.NEW_BRANCH_DAY
    plan.moved = members.plan_members(parts["members"], plan, records, people, blueprint, nodes)
    members.plan_functional(parts["members"], plan)
    shaped = members.plan_committees(parts["committees"], plan)
    _habits_and_notes(parts["branches"], plan, shaped)
    return plan


def _new_branch(demos, alive):
    """The community branch founded in April 2026: the smallest one of the county that has members."""
    candidates = [d for d in demos if d.county == "QH" and d.kind == BranchKind.COMMUNITY and alive.get(d.code)]
    return min(candidates, key=lambda d: (alive[d.code], d.code)) if candidates else None


def _big_branch(blueprint, by_code, alive, plan):
    """The first branch of the largest unit with three or more branches, if merging members from its siblings can
    take it past 50 and still leave each sibling a dozen."""
    best = None
    for unit in blueprint.county.units:
        if len(unit.branches) < 3 or plan.secretary_branch.code in unit.branches:
            continue
        total = sum(alive.get(code, 0) for code in unit.branches)
        if total >= MAX_MEMBERS + 3 + 12 * (len(unit.branches) - 1) and (best is None or total > best[0]):
            best = (total, unit)
    return by_code[best[1].branches[0]] if best else None


def _habits_and_notes(rng, plan, shaped):
    ordinary = [d for d in plan.branches if d.kind != BranchKind.FUNCTIONAL
                and d not in (plan.secretary_branch, plan.new_branch)]
    behind = set(rng.sample(ordinary, round(len(ordinary) * BEHIND_SHARE)))
    rest = [d for d in ordinary if d not in behind]
    sloppy = set(rng.sample(rest, round(len(ordinary) * SLOPPY_SHARE)))
    no_committee, soon, over = shaped
    for demo in plan.branches:
        demo.habit = "behind" if demo in behind else "sloppy" if demo in sloppy else "diligent"
        if demo is plan.new_branch:
            note = NOTES["new"]
        elif demo is plan.big_branch:
            note = NOTES["big"]
        elif demo in no_committee:
            note = NOTES["no_committee"]
        elif demo in over:
            note = NOTES["over"]
        elif demo in soon:
            note = NOTES["soon"]
        elif demo.kind == BranchKind.FUNCTIONAL:
            note = NOTES["functional"]
        else:
            note = rng.choice(PLAIN_NOTES)
        demo.branch.note = note


def _refresh_compliance(today):
    """The compliance engine's own full refresh, for the history year and this one."""
    from yinfa.partylife.services import compliance

    for year in (2025, 2026):
        compliance.refresh(year=year, today=today)


def party_digest():
    """A stable fingerprint of the demo's party data (natural keys only, no primary keys or timestamps)."""
    from yinfa.dues.models import DuesDecision, DuesPayment, PensionBase

    payload = {
        "memberships": list(Membership.objects.order_by("person__uid", "started_on", "relation").values_list(
            "person__uid", "branch__node__code", "relation", "standing", "started_on", "ended_on", "left_by",
            "party_group__code")),
        "registrations": list(CommunityRegistration.objects.order_by("person__uid", "registered_on").values_list(
            "person__uid", "community__code", "registered_on", "ended_on")),
        "posts": list(CommitteeMember.objects.order_by("term__branch__node__code", "started_on", "post").values_list(
            "term__branch__node__code", "post", "person__uid", "started_on", "ended_on", "term__ends_on")),
        "meetings": list(Meeting.objects.order_by("uid").values_list(
            "uid", "branch__node__code", "kind", "held_on", "counts_month", "topic", "minutes", "qualifies",
            "present_count", "delivered_count")),
        "attendance": list(Attendance.objects.order_by("meeting__uid", "person__uid").values_list(
            "meeting__uid", "person__uid", "status", "is_voting", "leave_reason", "delivered_by", "delivered_on")),
        "bases": list(PensionBase.objects.order_by("person__uid", "effective_month").values_list(
            "person__uid", "effective_month", "amount")),
        "payments": list(DuesPayment.objects.order_by("person__uid", "month").values_list(
            "person__uid", "month", "branch__node__code", "amount_due", "amount_paid", "paid_on", "batch")),
        "decisions": list(DuesDecision.objects.order_by("person__uid").values_list(
            "person__uid", "kind", "monthly_amount", "from_month", "decision")),
        "scores": list(ItemScore.objects.order_by("assessment__branch__node__code", "item__sort_order").values_list(
            "assessment__branch__node__code", "assessment__status", "item__title", "system_score", "self_score",
            "final_score")),
    }
    text = json.dumps(payload, default=str, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
