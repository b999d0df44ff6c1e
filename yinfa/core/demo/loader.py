"""Writes the demo to the database: the tree, the people, the demo accounts, and one audit event."""

import random
import statistics
from dataclasses import dataclass, field

import pyotp
from django.db import connection, transaction
from django.utils import timezone

from yinfa.care.demo import seed_care, visits_with_needs
from yinfa.core import audit
from yinfa.core.demo import DEFAULT_SEED, DEMO_PASSWORD, DEMO_TOTP_SECRETS, REFERENCE_DATE
from yinfa.core.demo.blueprint import COUNTY_CODE, ROOT_CODE, SIBLING_CODE, build_blueprint
from yinfa.core.demo.files import FileRecords, generate_files
from yinfa.core.demo.people import (
    COUNTY_LIXIU,
    COUNTY_PEOPLE,
    SIBLING_PEOPLE,
    digest,
    generate_people,
    scaled,
)
from yinfa.core.models import AuditAction, OrgKind, OrgNode, User
from yinfa.core.permissions import Perm, Role
from yinfa.core.scope import Scope
from yinfa.core.services import accounts
from yinfa.core.services.org import path_for
from yinfa.needs.demo import seed_needs
from yinfa.partylife.demo import seed_party_life
from yinfa.partylife.profiles import ensure_branch_profiles
from yinfa.people.models import Contact, Health, Honour, LifeEvent, Person

BATCH = 500


class AlreadySeeded(Exception):
    """The demo is already in this database."""


class DatabaseNotEmpty(Exception):
    """The database holds other organisations or accounts; the demo loads only into an empty one."""


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    roles: tuple  # (role, node code) pairs
    mobile: str
    totp_secret: str = ""


# One account per role (and one holding two roles, for the scope switcher).
DEMO_LOGINS = (
    DemoLogin("ju_admin", "陈建华", ((Role.BUREAU_ADMIN, COUNTY_CODE), (Role.COMMITTEE_ADMIN, "QH-GW")),
              "13900000001"),
    DemoLogin("danwei_admin", "刘丽萍", ((Role.UNIT_ADMIN, "QH-U15"),), "13900000002"),
    DemoLogin("shequ_admin", "赵秀云", ((Role.COMMUNITY_ADMIN, "QH-S01-C01"),), "13900000003"),
    DemoLogin("gongwei_admin", "孙志明", ((Role.COMMITTEE_ADMIN, "QH-GW"),), "13900000004"),
    DemoLogin("zhibu_shuji", "周德山", ((Role.BRANCH_SECRETARY, "@unit-branch:QH-U15"),), "13900000005"),
    DemoLogin("lianluoyuan", "吴晓红", ((Role.LIAISON, "@unit-branch:QH-U15"),), "13900000006"),
    DemoLogin("zhiyuanzhe", "郑海燕", ((Role.VOLUNTEER, "QH-S01-C01"),), "13900000007"),
    DemoLogin("laotongzhi", "", ((Role.RETIREE, "@retiree-community"),), "13900000008"),
    DemoLogin("ju_admin_b", "林国栋", ((Role.BUREAU_ADMIN, SIBLING_CODE),), "13900000009"),
    DemoLogin("xitong_admin", "系统管理员", ((Role.SYSTEM_ADMIN, ROOT_CODE),), "13900000010",
              DEMO_TOTP_SECRETS["xitong_admin"]),
    DemoLogin("anquan_admin", "安全管理员", ((Role.SECURITY_ADMIN, ROOT_CODE),), "13900000011",
              DEMO_TOTP_SECRETS["anquan_admin"]),
    DemoLogin("shenji_admin", "审计管理员", ((Role.AUDIT_ADMIN, ROOT_CODE),), "13900000012",
              DEMO_TOTP_SECRETS["shenji_admin"]),
)


@dataclass
class SeedResult:
    nodes_by_kind: dict
    people: dict
    lixiu_average_age: float
    digest: str
    logins: list = field(default_factory=list)  # (username, role label, node name, totp secret)
    files: dict = field(default_factory=dict)  # figures of the file rows (FileRecords.figures)
    party: dict = field(default_factory=dict)  # figures of party life and dues (yinfa.partylife.demo)
    care: dict = field(default_factory=dict)  # figures of visits, campaigns, aid and care contacts (yinfa.care.demo)
    needs: dict = field(default_factory=dict)  # figures of the three lists, orders and wishes (yinfa.needs.demo)


def plan(seed=DEFAULT_SEED, scale=1.0):
    """Everything the demo will contain, without touching the database: (blueprint, county people, sibling people)."""
    rng = random.Random(seed)
    blueprint = build_blueprint(rng)
    county_people = generate_people(rng, blueprint.county, total=scaled(COUNTY_PEOPLE, scale),
                                    lixiu=scaled(COUNTY_LIXIU, scale))
    sibling_total = max(6, round(SIBLING_PEOPLE * scale))
    sibling_people = generate_people(rng, blueprint.sibling, total=sibling_total, lixiu=1)
    return blueprint, county_people, sibling_people


def plan_files(seed, blueprint, county_people, sibling_people):
    """The rest of the files (health, contacts, honours, life events) of both counties, without the database."""
    rng = random.Random(f"{seed}:files")
    files = FileRecords()
    for county, records in ((blueprint.county, county_people), (blueprint.sibling, sibling_people)):
        made = generate_files(rng, records, county_name=county.name,
                              unit_kinds={unit.code: unit.unit_kind for unit in county.units})
        for name in ("health", "contacts", "honours", "events"):
            getattr(files, name).extend(getattr(made, name))
    return files


def _create_files(files, people):
    """Bulk-create the file rows; ``people`` maps person uids to saved Person objects."""
    rows = [
        (Health, [Health(person=people[h.person], **_values(h)) for h in files.health]),
        (Contact, [Contact(person=people[c.person], **_values(c)) for c in files.contacts]),
        (Honour, [Honour(person=people[h.person], **_values(h)) for h in files.honours]),
        (LifeEvent, [LifeEvent(person=people[e.person], **_values(e)) for e in files.events]),
    ]
    for model, objects in rows:
        model.objects.bulk_create(objects, batch_size=BATCH)


def _values(record):
    return {name: value for name, value in vars(record).items() if name != "person"}


def check_empty():
    if OrgNode.objects.filter(code=ROOT_CODE).exists():
        raise AlreadySeeded
    if OrgNode.objects.exists() or User.objects.exists():
        raise DatabaseNotEmpty


def _create_nodes(specs):
    """Bulk-create the tree level by level, with materialised paths and child counts (as services.org does)."""
    if not connection.features.can_return_rows_from_bulk_insert:
        raise RuntimeError("the database must return primary keys from bulk inserts")
    child_counts = {}
    for spec in specs:
        child_counts[spec.parent] = child_counts.get(spec.parent, 0) + 1
    nodes = {}
    levels = {}
    depth_of = {}
    for spec in specs:
        depth_of[spec.code] = 0 if spec.parent is None else depth_of[spec.parent] + 1
        levels.setdefault(depth_of[spec.code], []).append(spec)
    for depth in sorted(levels):
        batch = [
            OrgNode(kind=spec.kind, unit_kind=spec.unit_kind, code=spec.code, name=spec.name,
                    parent=nodes.get(spec.parent), depth=depth, child_count=child_counts.get(spec.code, 0),
                    sort_order=spec.sort_order, path=f"tmp-{spec.code}")
            for spec in levels[depth]
        ]
        OrgNode.objects.bulk_create(batch, batch_size=BATCH)
        for spec, node in zip(levels[depth], batch, strict=True):
            parent = nodes.get(spec.parent)
            node.path = path_for(parent.path if parent else "", node.pk)
            nodes[spec.code] = node
        OrgNode.objects.bulk_update(batch, ["path"], batch_size=BATCH)
    return nodes


def keeps_lunar_birthday(record):
    """About one in six of those born before 1945 keep their birthday by the lunar calendar (fixed by the uid)."""
    return record.birth_date is not None and record.birth_date.year < 1945 and int(record.uid[-4:], 16) % 6 == 0


def person_from_record(record, nodes):
    """An unsaved Person for a generated record; ``nodes`` maps node codes to OrgNode instances carrying pk and
    path (so filling the anchor path copies needs no query)."""
    unit = nodes[record.unit]
    return Person(
        uid=record.uid, name=record.name, gender=record.gender, ethnicity=record.ethnicity,
        birth_date=record.birth_date, birthday_is_lunar=keeps_lunar_birthday(record),
        native_place=record.native_place, id_number=record.id_number,
        phone=record.phone, address=record.address, landline=record.landline,
        category=record.category, joined_work_on=record.joined_work_on,
        joined_revolution_on=record.joined_revolution_on, joined_party_on=record.joined_party_on,
        retired_on=record.retired_on, former_position=record.former_position, level=record.level,
        treatment=record.treatment, treatment_approved_on=record.treatment_approved_on,
        treatment_approval_no=record.treatment_approval_no, managing_unit=unit,
        political_status=record.political_status, party_roles=record.party_roles, unit=unit,
        branch=nodes.get(record.branch), community=nodes.get(record.community),
        registered_community=nodes.get(record.registered_community), living_status=record.living_status,
        self_care=record.self_care, lives_elsewhere=record.lives_elsewhere, elsewhere_place=record.elsewhere_place,
        specialties=record.specialties, hobbies=record.hobbies, social_positions=record.social_positions,
        rehired=record.rehired, deceased_on=record.deceased_on,
    )


def _retiree_with_account(records):
    """The demo retiree who gets the 老同志本人 account: alive, at home in the county, in the finance bureau."""
    candidates = [r for r in records if r.deceased_on is None and r.community and r.phone]
    preferred = [r for r in candidates if r.unit == "QH-U15" and r.branch and r.community == r.registered_community]
    return (preferred or candidates)[0]


def _create_accounts(nodes, blueprint, retiree, now):
    root = nodes[ROOT_CODE]
    bootstrap = Scope(grant_id=0, node_id=root.pk, node_name=root.name, path=root.path, depth=root.depth,
                      role="bootstrap", permissions=frozenset({Perm.GRANT_BUSINESS_ROLES, Perm.GRANT_ADMIN_ROLES}))
    finance = next(u for u in blueprint.county.units if u.code == "QH-U15")
    targets = {"@unit-branch:QH-U15": finance.branches[0], "@retiree-community": retiree.community}
    logins = []
    for login in DEMO_LOGINS:
        full_name = login.full_name or retiree.name
        user = accounts.create_user(actor=None, username=login.username, full_name=full_name,
                                    password=DEMO_PASSWORD, mobile=login.mobile, must_change_password=False)
        user.password_changed_at = now
        user.save(update_fields=["password_changed_at"])
        if login.totp_secret:
            accounts.confirm_totp(actor=None, user=user, secret=login.totp_secret,
                                  code=pyotp.TOTP(login.totp_secret).now())
        for role, code in login.roles:
            node = nodes[targets.get(code, code)]
            accounts.grant_role(actor=None, actor_scope=bootstrap, user=user, role=role, node=node)
            logins.append((login.username, Role(role).label, node.name, login.totp_secret))
        if login.username == "laotongzhi":
            Person.objects.filter(uid=retiree.uid).update(account=user)
    return logins


def _summary(nodes, county_people, sibling_people, logins):
    by_kind = {}
    for node in nodes.values():
        key = (node.code.split("-")[0] if node.depth else ROOT_CODE, node.kind)
        by_kind[key] = by_kind.get(key, 0) + 1
    alive_lixiu = [r for r in county_people if r.category == "lixiu" and r.deceased_on is None]
    people = {
        "county_total": len(county_people),
        "county_lixiu": sum(r.category == "lixiu" for r in county_people),
        "county_tuixiu": sum(r.category == "tuixiu" for r in county_people),
        "county_deceased": sum(r.deceased_on is not None for r in county_people),
        "county_lives_elsewhere": sum(r.lives_elsewhere for r in county_people),
        "county_cpc_members": sum(r.political_status in ("party_member", "probationary") for r in county_people),
        "sibling_total": len(sibling_people),
    }
    average = statistics.mean(r.age_on(REFERENCE_DATE) for r in alive_lixiu) if alive_lixiu else 0.0
    return SeedResult(nodes_by_kind=by_kind, people=people, lixiu_average_age=round(average, 1),
                      digest=digest(county_people + sibling_people), logins=logins)


@transaction.atomic
def load(seed=DEFAULT_SEED, scale=1.0):
    """Load the demo into an empty database. Raises AlreadySeeded or DatabaseNotEmpty otherwise."""
    check_empty()
    blueprint, county_people, sibling_people = plan(seed, scale)
    files = plan_files(seed, blueprint, county_people, sibling_people)
    nodes = _create_nodes(blueprint.nodes)
    ensure_branch_profiles()
    records = county_people + sibling_people
    people = {}
    for start in range(0, len(records), BATCH):
        batch = [person_from_record(r, nodes) for r in records[start:start + BATCH]]
        Person.objects.bulk_create(batch)
        people.update((str(person.uid), person) for person in batch)
    _create_files(files, people)
    now = timezone.now()
    logins = _create_accounts(nodes, blueprint, _retiree_with_account(county_people), now)
    party = seed_party_life(rng=random.Random(f"{seed}:party"), blueprint=blueprint, records=records, people=people,
                            nodes=nodes)
    demo_accounts = {user.username: user for user in User.objects.all()}
    care = seed_care(rng=random.Random(f"{seed}:care"), nodes=nodes, people=people, accounts=demo_accounts)
    needs = seed_needs(rng=random.Random(f"{seed}:needs"), nodes=nodes, people=people, accounts=demo_accounts,
                       visits=visits_with_needs())
    result = _summary(nodes, county_people, sibling_people, logins)
    result.files = files.figures()
    result.party = party
    result.care = care
    result.needs = needs
    audit.record(AuditAction.SYSTEM, actor=None, object_type="demo", object_repr="demo data loaded",
                 scope_path=nodes[ROOT_CODE].path,
                 detail={"event": "demo data loaded", "seed": seed, "scale": scale, "people": result.people,
                         "files": result.files, "party": party, "care": care, "needs": needs,
                         "organisations": len(nodes),
                         "accounts": len(DEMO_LOGINS),
                         "digest": result.digest})
    return result


def county_kinds():
    """The node kinds reported in the summary, in tree order."""
    return [OrgKind.BUREAU, OrgKind.DISTRICT, OrgKind.UNIT, OrgKind.STREET, OrgKind.COMMUNITY,
            OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.PARTY_GROUP,
            OrgKind.ASSOCIATION]
