"""The demo's branches and members: branch profiles and founding dates, organisational and functional
memberships (with a few transfers, deaths and probationary members), 社区报到 registrations and committee terms.

Everything is planned in memory first (``DemoBranch`` and ``DemoMember``, which the meetings and dues read),
then written with a handful of bulk statements. A few branches are shaped on purpose so that every warning of
the branch list shows somewhere: one founded in April 2026 still short of full members, one grown past 50 after
a merger, two with 7+ full members and no committee, terms ending soon or already over.
"""

import datetime
from dataclasses import dataclass, field

from yinfa.core.demo.names import full_name
from yinfa.core.models import OrgKind
from yinfa.partylife.models import (
    COMMITTEE_FROM,
    COMMUNITY_TERM_YEARS,
    MAX_MEMBERS,
    TERM_YEARS,
    Branch,
    BranchKind,
    CommitteeMember,
    CommitteePost,
    CommitteeTerm,
    CommunityRegistration,
    JoinedBy,
    LeftBy,
    Membership,
    Relation,
    Standing,
)
from yinfa.people.models import Person, SelfCare

BATCH = 1000
NEW_BRANCH_DAY = datetime.date(2026, 4, 16)
MERGER_DAY = datetime.date(2025, 9, 1)
TRANSFER_SHARE = 0.04
REGISTERED_SHARE = 0.6


def years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def day_between(rng, start, end):
    return start + datetime.timedelta(days=rng.randint(0, max(0, (end - start).days)))


@dataclass(eq=False)
class DemoMember:
    """One membership row of the plan (organisational or functional)."""

    person: Person
    record: object  # the PersonRecord
    branch: "DemoBranch"
    started_on: datetime.date
    joined_by: str
    standing: str = Standing.FULL
    relation: str = Relation.ORGANISATIONAL
    ended_on: datetime.date | None = None
    left_by: str = ""
    transfer_in_from: str = ""
    transfer_out_to: str = ""
    probation_from: datetime.date | None = None
    probation_until: datetime.date | None = None
    group: object = None  # OrgNode of the party group
    note: str = ""

    def active_on(self, day):
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)

    def voting_on(self, day):
        return self.standing == Standing.FULL and not (self.probation_until and day <= self.probation_until)

    @property
    def name(self):
        return self.record.name

    def needs_delivery(self, day):
        """Too frail to come: 送学上门 (dependent, partly dependent or 90 and over)."""
        age = self.record.age_on(day)
        return self.record.self_care in (SelfCare.DEPENDENT, SelfCare.PARTLY) or age >= 90


@dataclass(eq=False)
class DemoBranch:
    branch: Branch
    node: object
    code: str
    county: str  # "QH" or "BX"
    groups: list
    place: str
    opened_on: datetime.date | None = None
    members: list = field(default_factory=list)  # DemoMember rows held here (closed ones too)
    functional: list = field(default_factory=list)
    committee: dict = field(default_factory=dict)  # post -> DemoMember of the current term
    elected_on: datetime.date | None = None
    terms: list = field(default_factory=list)  # (elected on, {post: DemoMember}), latest first
    habit: str = "diligent"  # diligent, behind, sloppy
    theme_day: int = 10
    under_committee: bool = False  # in the subtree of the county's work committee (工委)

    @property
    def name(self):
        return self.node.name

    @property
    def kind(self):
        return self.branch.kind

    def members_on(self, day, group=None):
        rows = self.functional if self.kind == BranchKind.FUNCTIONAL else self.members
        return [m for m in rows if m.active_on(day) and (group is None or m.group is group)]

    def full_now(self, today):
        return [m for m in self.members if m.active_on(today) and m.voting_on(today)]

    def secretary_name(self):
        member = self.committee.get(CommitteePost.SECRETARY)
        return member.name if member else ""

    def delivery_names(self):
        """Who takes the material home to frail members: committee members, else the liaison."""
        names = [m.name for post, m in self.committee.items() if post != CommitteePost.DISCIPLINE]
        return names or [self.branch.liaison_name]


@dataclass
class PartyPlan:
    """What the member phase decided, for the meetings, dues and assessment phases."""

    branches: list  # DemoBranch, by node code
    by_code: dict
    secretary_branch: DemoBranch
    new_branch: DemoBranch | None
    big_branch: DemoBranch | None
    functional_branch: DemoBranch | None
    committee_path: str
    today: datetime.date
    registrations: int = 0
    moved: dict = field(default_factory=dict)  # person pk -> DemoBranch (or None) whose anchor changed

    def organisational(self):
        return [m for b in self.branches for m in b.members]


# --- branch profiles --------------------------------------------------------------------------------------------

UNIT_LIAISON_POSTS = ("机关党委专职副书记", "办公室副主任", "老干部工作科科长", "人事科副科长", "机关党委组织委员",
                      "离退休人员管理科科长", "党群工作部副部长")
COMMUNITY_LIAISON_POSTS = ("社区党委副书记", "社区党委委员", "社区居委会委员")
JOINT_LIAISON_POSTS = ("县委老干部局组织科科员", "县委老干部局组织科副科长")


def _liaison_post(rng, demo, unit_name):
    if demo.kind == BranchKind.COMMUNITY:
        return f"{demo.node.parent.name}{rng.choice(COMMUNITY_LIAISON_POSTS)}"
    if demo.kind == BranchKind.JOINT:
        return rng.choice(JOINT_LIAISON_POSTS)
    if demo.kind == BranchKind.FUNCTIONAL:
        return "县老干部活动中心主任"
    return f"{unit_name}{rng.choice(UNIT_LIAISON_POSTS)}"


def _place(demo, unit_name):
    if demo.kind == BranchKind.COMMUNITY:
        return f"{demo.node.parent.name}党群服务中心"
    if demo.kind == BranchKind.JOINT:
        return "县老干部活动中心党员活动室"
    if demo.kind == BranchKind.FUNCTIONAL:
        return "县老干部活动中心志愿服务站"
    return f"{unit_name}老干部活动室"


def _founded(rng, demo):
    if demo.kind == BranchKind.COMMUNITY:
        return day_between(rng, datetime.date(2006, 1, 1), datetime.date(2020, 6, 30))
    if demo.kind == BranchKind.JOINT:
        return day_between(rng, datetime.date(1998, 1, 1), datetime.date(2012, 12, 31))
    if demo.kind == BranchKind.FUNCTIONAL:
        return datetime.date(2019, 6, 28)
    return day_between(rng, datetime.date(1990, 3, 1), datetime.date(2008, 12, 31))


def plan_branches(rng, nodes, blueprint, today):
    """The DemoBranch of every branch node with its profile values set in memory (not yet saved)."""
    branches = {b.pk: b for b in Branch.objects.all()}
    unit_of = {}
    for county in (blueprint.county, blueprint.sibling):
        for unit in county.units:
            for code in unit.branches:
                unit_of.setdefault(code, []).append(unit.name)
    committees = {blueprint.county.committee: nodes[blueprint.county.committee].path,
                  blueprint.sibling.committee: nodes[blueprint.sibling.committee].path}
    groups = {}
    for node in nodes.values():
        if node.kind == OrgKind.PARTY_GROUP:
            groups.setdefault(node.parent_id, []).append(node)
    parents = {node.pk: node for node in nodes.values()}
    demos = []
    for code, node in nodes.items():
        if node.kind != OrgKind.BRANCH:
            continue
        node.parent = parents[node.parent_id]
        branch = branches[node.pk]
        branch.node = node
        units = unit_of.get(code, [])
        unit_name = units[0].removeprefix("青禾县").removeprefix("白溪县") if len(units) == 1 else ""
        demo = DemoBranch(branch=branch, node=node, code=code, county=code.split("-")[0],
                          groups=sorted(groups.get(node.pk, []), key=lambda g: g.sort_order), place="",
                          under_committee=any(node.path.startswith(p) for p in committees.values()))
        demo.place = _place(demo, unit_name or "县直机关")
        demo.opened_on = _founded(rng, demo)
        branch.liaison_name = full_name(rng, rng.choice(("male", "female")))
        branch.liaison_position = _liaison_post(rng, demo, unit_name or "县委老干部局")
        branch.liaison_phone = f"139{rng.randrange(10 ** 8):08d}"
        demo.theme_day = rng.choice((5, 8, 10, 12, 15, 18))
        demos.append(demo)
    demos.sort(key=lambda d: d.code)  # never by path or pk: those differ between databases
    return demos


def save_branches(plan):
    """Founding dates on the nodes, liaison and notes on the profiles (two bulk updates)."""
    from yinfa.core.models import OrgNode

    field = Branch._meta.get_field("liaison_phone")
    nodes, profiles = [], []
    for demo in plan.branches:
        demo.node.opened_on = demo.opened_on
        nodes.append(demo.node)
        branch = demo.branch
        branch.liaison_phone = field.pre_save(branch, False)  # bulk_update does not encrypt
        profiles.append(branch)
    OrgNode.objects.bulk_update(nodes, ["opened_on"], batch_size=BATCH)
    Branch.objects.bulk_update(profiles, ["kind", "liaison_name", "liaison_position", "liaison_phone", "note"],
                               batch_size=BATCH)


# --- memberships --------------------------------------------------------------------------------------------------

def _first_membership(record, person, demo, unit_name):
    """The membership a member holds in ``demo`` from retirement (or the branch's founding, or admission)."""
    if record.political_status == "probationary":
        admitted = record.joined_party_on
        return DemoMember(person=person, record=record, branch=demo, started_on=max(admitted, demo.opened_on),
                          joined_by=JoinedBy.ADMITTED, standing=Standing.PROBATIONARY, probation_from=admitted,
                          probation_until=years_after(admitted, 1))
    if record.retired_on <= demo.opened_on:
        return DemoMember(person=person, record=record, branch=demo, started_on=demo.opened_on,
                          joined_by=JoinedBy.FOUNDING)
    return DemoMember(person=person, record=record, branch=demo, started_on=record.retired_on,
                      joined_by=JoinedBy.TRANSFER_IN, transfer_in_from=f"{unit_name}在职党支部")


def _transfer(member, new_branch, day, note=""):
    """Close ``member`` on ``day`` and return the membership opened in ``new_branch`` the same day."""
    member.ended_on, member.left_by, member.transfer_out_to = day, LeftBy.TRANSFER, new_branch.name
    return DemoMember(person=member.person, record=member.record, branch=new_branch, started_on=day,
                      joined_by=JoinedBy.TRANSFER_IN, transfer_in_from=member.branch.name, standing=member.standing,
                      probation_from=member.probation_from, probation_until=member.probation_until, note=note)


def plan_members(rng, plan, records, people, blueprint, nodes):
    """Organisational memberships of every CPC person, with the special branches shaped; returns the people
    whose branch anchor moved ({person pk: DemoBranch or None})."""
    by_code = plan.by_code
    units = {u.code: u for county in (blueprint.county, blueprint.sibling) for u in county.units}
    unit_names = {code: nodes[code].name for code in units}
    home = {}  # record uid -> branch code after the shaping below
    cpc = [r for r in records if r.branch and r.political_status in ("party_member", "probationary")]
    for record in cpc:
        home[record.uid] = record.branch
    moved = {}

    # The branch founded in April 2026: two full members have transferred in, the others are still in their units.
    new = plan.new_branch
    new_arrivals = set()
    if new is not None:
        mine = sorted((r for r in cpc if home[r.uid] == new.code and r.deceased_on is None
                       and r.political_status == "party_member"), key=lambda r: r.uid)
        new_arrivals = {r.uid for r in mine[:2]}
        for record in cpc:
            if home[record.uid] == new.code and record.uid not in new_arrivals:
                home[record.uid] = rng.choice(units[record.unit].branches)
    # The branch grown past 50 by a merger in September 2025.
    big = plan.big_branch
    merged = set()
    if big is not None:
        count = sum(1 for r in cpc if home[r.uid] == big.code and r.deceased_on is None)
        unit = units[next(r.unit for r in cpc if home[r.uid] == big.code)]
        by_sibling = {}
        for record in sorted(cpc, key=lambda r: r.uid):
            if home[record.uid] in unit.branches and home[record.uid] != big.code and record.deceased_on is None \
                    and record.political_status == "party_member":
                by_sibling.setdefault(home[record.uid], []).append(record)
        queues = [by_sibling[code] for code in sorted(by_sibling)]
        wanted = max(0, MAX_MEMBERS + 3 - count)
        while wanted and any(queues):
            for queue in queues:
                if queue and wanted:
                    merged.add(queue.pop().uid)
                    wanted -= 1

    for record in cpc:
        person = people[record.uid]
        demo = by_code[home[record.uid]]
        unit_name = unit_names[record.unit]
        if record.uid in new_arrivals:
            old = by_code[rng.choice(units[record.unit].branches)]
            first = _first_membership(record, person, old, unit_name)
            member = _transfer(first, demo, NEW_BRANCH_DAY, note="新成立支部，组织关系转入")
            old.members.append(first)
        elif record.uid in merged:
            first = _first_membership(record, person, demo, unit_name)
            member = _transfer(first, big, MERGER_DAY, note="支部调整合并")
            demo.members.append(first)
            demo = big
        else:
            member = _first_membership(record, person, demo, unit_name)
            if (record.deceased_on is None and member.standing == Standing.FULL and rng.random() < TRANSFER_SHARE
                    and member.started_on < datetime.date(2024, 1, 1)):
                member = _with_history(rng, member, units[record.unit], by_code)
        if member.started_on >= (record.deceased_on or datetime.date.max):
            member.started_on = record.deceased_on - datetime.timedelta(days=365)
        if record.deceased_on:
            member.ended_on, member.left_by = record.deceased_on, LeftBy.DIED
        demo.members.append(member)
        if demo.code != record.branch:
            moved[person.pk] = demo
    _transfers_out(rng, plan, moved)
    for demo in plan.branches:
        _assign_groups(demo)
    return moved


def _with_history(rng, member, unit, by_code):
    """A member who held the membership elsewhere first (their unit's branch, then the community's, or a
    sibling branch of the same unit)."""
    demo = member.branch
    others = [by_code[c] for c in unit.branches if c != demo.code]
    if not others:
        return member
    old = rng.choice(others)
    start = max(member.started_on, old.opened_on)
    day = day_between(rng, start + datetime.timedelta(days=200), datetime.date(2025, 6, 30))
    if day <= start or day <= demo.opened_on:
        return member
    first = DemoMember(person=member.person, record=member.record, branch=old, started_on=start,
                       joined_by=member.joined_by, transfer_in_from=member.transfer_in_from)
    old.members.append(first)
    note = "随居住地变动转入" if demo.kind == BranchKind.COMMUNITY else "支部调整"
    return _transfer(first, demo, day, note=note)


def _transfers_out(rng, plan, moved):
    """Two members living with their children in another city moved their relationship there in 2026."""
    candidates = [m for demo in plan.branches if demo.county == "QH" for m in demo.members
                  if m.record.lives_elsewhere and m.ended_on is None and m.standing == Standing.FULL]
    for member in sorted(candidates, key=lambda m: m.record.uid)[:2]:
        member.ended_on = datetime.date(2026, rng.randint(3, 8), rng.randint(1, 28))
        member.left_by = LeftBy.TRANSFER_OUT
        member.transfer_out_to = f"{member.record.elsewhere_place}（随子女居住地）社区党组织"
        moved[member.person.pk] = None


def _assign_groups(demo):
    """Members in party groups by where they live (neighbours meet together)."""
    if not demo.groups:
        return
    rows = sorted(demo.members, key=lambda m: (m.record.community or "", m.record.uid))
    size = -(-len(rows) // len(demo.groups)) if rows else 1
    for n, member in enumerate(rows):
        member.group = demo.groups[min(n // size, len(demo.groups) - 1)]


def plan_functional(rng, plan):
    """Volunteers of the county's volunteer team join its functional branch (功能型党支部) besides."""
    demo = plan.functional_branch
    if demo is None:
        return
    pool = [m for b in plan.branches if b.county == demo.county and b is not demo for m in b.members
            if m.ended_on is None and m.standing == Standing.FULL and m.record.age_on(plan.today) < 78
            and m.record.self_care == SelfCare.INDEPENDENT and not m.record.lives_elsewhere]
    pool.sort(key=lambda m: m.record.uid)
    chosen = rng.sample(pool, min(len(pool), max(4, len(pool) // 80)))
    group = demo.groups[0] if demo.groups else None
    for n, member in enumerate(chosen):
        row = DemoMember(person=member.person, record=member.record, branch=demo, relation=Relation.FUNCTIONAL,
                         started_on=day_between(rng, demo.opened_on, datetime.date(2025, 12, 31)),
                         joined_by=JoinedBy.JOINED, group=group)
        if n % 12 == 11:
            row.ended_on = day_between(rng, row.started_on + datetime.timedelta(days=60), plan.today)
            row.left_by = LeftBy.QUIT
            row.note = "身体原因退出志愿服务队"
        demo.functional.append(row)


def save_members(plan, moved):
    """Bulk-create the membership rows and move the person anchors that the shaping changed."""
    rows = []
    for demo in plan.branches:
        for member in (*demo.members, *demo.functional):
            rows.append(Membership(
                person=member.person, branch=demo.branch, branch_path=demo.branch.path, party_group=member.group,
                relation=member.relation, standing=member.standing, probation_from=member.probation_from,
                probation_until=member.probation_until, started_on=member.started_on, joined_by=member.joined_by,
                transfer_in_from=member.transfer_in_from, ended_on=member.ended_on, left_by=member.left_by,
                transfer_out_to=member.transfer_out_to, note=member.note))
    Membership.objects.bulk_create(rows, batch_size=BATCH)
    targets = {}
    for person_id, demo in moved.items():
        targets.setdefault(demo, []).append(person_id)
    for demo, person_ids in targets.items():
        node = demo.node if demo is not None else None
        Person.objects.filter(pk__in=person_ids).update(branch=node, branch_path=node.path if node else "")
    return len(rows)


# --- 社区报到 ----------------------------------------------------------------------------------------------------

def save_registrations(rng, plan, nodes):
    """About 60 % of the members living in a community registered with it (or another one); the person's
    ``registered_community`` anchor follows the open registration (and is cleared for everyone else)."""
    rows, open_by_community = [], {}
    seen = set()
    for member in sorted(plan.organisational(), key=lambda m: m.record.uid):
        record = member.record
        if record.uid in seen or not record.community:
            continue
        seen.add(record.uid)
        if rng.random() >= REGISTERED_SHARE:
            continue
        community = nodes[record.registered_community or record.community]
        start = max(record.retired_on, datetime.date(2016, 3, 1))
        registered_on = day_between(rng, start, min(plan.today, start + datetime.timedelta(days=2500)))
        if record.deceased_on and registered_on >= record.deceased_on:
            continue
        if rng.random() < 0.04 and registered_on > datetime.date(2018, 1, 1):
            earlier = nodes[record.community]
            first_day = registered_on - datetime.timedelta(days=rng.randint(400, 900))
            rows.append(CommunityRegistration(person=member.person, community=earlier, community_path=earlier.path,
                                              registered_on=first_day, ended_on=registered_on, note="搬迁新居"))
        ended_on = record.deceased_on
        rows.append(CommunityRegistration(person=member.person, community=community, community_path=community.path,
                                          registered_on=registered_on, ended_on=ended_on,
                                          note="去世" if ended_on else ""))
        if ended_on is None:
            open_by_community.setdefault(community, []).append(member.person.pk)
    CommunityRegistration.objects.bulk_create(rows, batch_size=BATCH)
    Person.objects.exclude(registered_community=None).update(registered_community=None, registered_path="")
    for community, person_ids in open_by_community.items():
        Person.objects.filter(pk__in=person_ids).update(registered_community=community,
                                                        registered_path=community.path)
    plan.registrations = sum(len(ids) for ids in open_by_community.values())
    return len(rows)


# --- committees ---------------------------------------------------------------------------------------------------

POSTS = (CommitteePost.SECRETARY, CommitteePost.DEPUTY_SECRETARY, CommitteePost.ORGANISATION,
         CommitteePost.PROPAGANDA, CommitteePost.DISCIPLINE)


def _candidates(demo, today):
    """Full members able to serve: independent, youngest first, those who served before ahead."""
    able = [m for m in demo.full_now(today) if m.record.self_care == SelfCare.INDEPENDENT
            and not m.record.lives_elsewhere and m.relation == Relation.ORGANISATIONAL]
    rank = {"支部书记": 0, "支部委员": 1}
    return sorted(able, key=lambda m: (rank.get(m.record.party_roles, 2), m.record.age_on(today) // 5,
                                       m.record.uid))


def plan_committees(rng, plan):
    """Who holds which post in the current term, and when it was elected; a few terms end soon or are over,
    two large branches have a secretary only."""
    today = plan.today
    qh = [d for d in plan.branches if d.county == "QH" and d.kind != BranchKind.FUNCTIONAL
          and d not in (plan.secretary_branch, plan.new_branch)]
    large = sorted((d for d in qh if len(d.full_now(today)) >= COMMITTEE_FROM), key=lambda d: d.code)
    picks = rng.sample(large, min(len(large), 7))
    no_committee, soon, over = set(picks[:2]), set(picks[2:5]), set(picks[5:7])
    for demo in plan.branches:
        full = demo.full_now(today)
        candidates = _candidates(demo, today) or full
        if not candidates:
            continue
        years = COMMUNITY_TERM_YEARS if demo.kind == BranchKind.COMMUNITY else TERM_YEARS
        if demo in soon:
            ends = today + datetime.timedelta(days=rng.randint(20, 80))
            elected = _years_before(ends, years)
        elif demo in over:
            ends = today - datetime.timedelta(days=rng.randint(20, 70))
            elected = _years_before(ends, years)
        elif demo is plan.new_branch:
            elected = demo.opened_on
        else:
            latest = today - datetime.timedelta(days=120)
            elected = day_between(rng, _years_before(today, years) + datetime.timedelta(days=150), latest)
        demo.elected_on = max(elected, demo.opened_on)
        if len(full) >= COMMITTEE_FROM and demo not in no_committee:
            posts = list(POSTS) if len(full) >= 15 and rng.random() < 0.5 else [
                p for p in POSTS if p != CommitteePost.DEPUTY_SECRETARY]
        else:
            posts = [CommitteePost.SECRETARY]
        serving = [m for m in candidates if m.started_on <= demo.elected_on] or candidates
        for post, member in zip(posts, serving, strict=False):
            demo.committee[post] = member
        demo.terms = [(demo.elected_on, demo.committee)]
        previous = _years_before(demo.elected_on, years)
        if previous > demo.opened_on:
            before = [m for m in demo.members if m.active_on(previous) and m.voting_on(previous)
                      and m.record.self_care == SelfCare.INDEPENDENT]
            before.sort(key=lambda m: (m.record.age_on(previous) // 5, m.record.uid))
            old_posts = (CommitteePost.SECRETARY, CommitteePost.ORGANISATION, CommitteePost.PROPAGANDA)
            count = 3 if len(demo.committee) > 1 else 1
            demo.terms.append((previous, dict(zip(old_posts[:count], before[:count], strict=False))))
    return no_committee, soon, over


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def save_committees(plan):
    """The current term (and the one before, where the branch is old enough) with its posts; party roles on the
    person files follow the current posts."""
    terms, posts_of = [], []
    for demo in plan.branches:
        years = COMMUNITY_TERM_YEARS if demo.kind == BranchKind.COMMUNITY else TERM_YEARS
        next_elected = None
        for elected, posts in demo.terms:
            if not posts:
                continue
            if next_elected is not None:
                note = "已换届"
            elif len(posts) > 1:
                note = "支部党员大会选举产生"
            else:
                note = "支部党员大会选举支部书记"
            term = CommitteeTerm(branch=demo.branch, elected_on=elected, ends_on=CommitteeTerm.default_end(
                elected, years), ended_on=next_elected, note=note)
            terms.append(term)
            for post, member in posts.items():
                end = next_elected
                if member.ended_on and (end is None or member.ended_on < end):
                    end = member.ended_on
                posts_of.append((term, post, member.person, elected, end))
            next_elected = elected
    CommitteeTerm.objects.bulk_create(terms, batch_size=BATCH)
    CommitteeMember.objects.bulk_create([
        CommitteeMember(term=term, post=post, person=person, started_on=start, ended_on=end)
        for term, post, person, start, end in posts_of], batch_size=BATCH)
    _party_roles(plan)
    return len(terms)


def _party_roles(plan):
    """The 党内职务 on the person files: 支部书记 / 支部委员 for the current posts, cleared for the others."""
    secretary, member = [], []
    for demo in plan.branches:
        for post, m in demo.committee.items():
            (secretary if post == CommitteePost.SECRETARY else member).append(m.person.pk)
    Person.objects.filter(party_roles__in=("支部书记", "支部委员")).update(party_roles="")
    Person.objects.filter(pk__in=secretary).update(party_roles="支部书记")
    Person.objects.filter(pk__in=member).update(party_roles="支部委员")
