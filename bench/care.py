"""Benchmark: care contacts, escalations, the needs list and the wish wall on a province of 200,000 people.

Run against a scratch PostgreSQL database (created and migrated if needed; ``manage.py synth`` builds the province
and the care data are generated once, so a rerun only times):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yinfa_bench_care .venv/bin/python bench/care.py
    options: --people 200000  --runs 5  --assignments 20000  --orders 100000  --wishes 20000  --no-pages
             --explain-over 1.0 (EXPLAIN ANALYZE every captured SELECT slower than this many seconds)

The care data (COPY and bulk inserts): about 400 volunteer accounts, each granted at the communities of one street
(a resource-list entry each), a community head per community of those streets and a unit head per unit; a few
care-policy overrides; ~20,000 open care assignments of vulnerable people (独居, 不能自理, 90+, 空巢; interval of the
policy in force) of those streets plus ~800 ended ones, ~10 contacts each (some unanswered, some "needs help"),
~2 % overdue, past escalations (followed up; a few open); 100,000 service orders of people all over the province in
every state (open ones from the last month, closed ones over two years); 20,000 micro-wishes on community, street
and county walls in every state, with their claims. "Today" of the care data is the day after the latest contact
(the day they were built), so a rerun on a later day sees the same overdue set.

Prints the median time of ``--runs`` runs (after one warm-up for the reads) and the SQL query count of:
``escalate_overdue`` (a first run that opens the escalations — they are deleted with their notifications before
each run — and a second, idempotent run), the unassigned vulnerable people (first page of 50 and the count), the
needs-list statistics and first page, the escalation dashboard and the wish wall (first page and the counts) for
the province, a city and a county (bureau-admin scopes), and the same pages through the Django test client.
Prints figures only; asserts nothing.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinfa.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from yinfa.care import policies  # noqa: E402
from yinfa.care.filters_contacts import EscalationFilter  # noqa: E402
from yinfa.care.models import (  # noqa: E402
    CareAssignment,
    CarePolicy,
    Condition,
    Escalation,
    EscalationReason,
    EscalationStatus,
)
from yinfa.care.services.escalations import escalate_overdue  # noqa: E402
from yinfa.care.views.contacts_common import ascending_page  # noqa: E402
from yinfa.core.keyset import keyset_page  # noqa: E402
from yinfa.core.models import Notification, OrgKind, OrgNode, RoleGrant, User  # noqa: E402
from yinfa.core.permissions import Role  # noqa: E402
from yinfa.core.scope import Scope, ancestor_paths  # noqa: E402
from yinfa.needs import filters_orders  # noqa: E402
from yinfa.needs.models import (  # noqa: E402
    OPEN_ORDER_STATUSES,
    OrderStatus,
    Resource,
    ServiceCategory,
    ServiceItem,
    ServiceOrder,
    Wish,
    WishStatus,
)
from yinfa.needs.services import wish_reads  # noqa: E402
from yinfa.people.models import Person  # noqa: E402
from yinfa.people.synth.tree import PROVINCE_CODE, city_code, county_code  # noqa: E402

PAGE = 50
WALL_PAGE = 30
SCOPES = (("province", PROVINCE_CODE), ("city", city_code(0)), ("county", county_code(0)))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国明华丽芳伟强军平秀英志刚玉兰海燕文杰红梅"
WISH_TITLES = ("一台收音机", "一副老花镜", "一台助行器", "一台血压计", "上门理一次发", "教会用智能手机", "一床厚棉被",
               "一辆轮椅", "一套书法字帖", "一次体检陪同")


def aware(day, hour=10, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def copy_rows(table, columns, rows):
    """COPY ``rows`` into ``table``; returns how many."""
    count = 0
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def next_id(model):
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequence(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


# --- building ---------------------------------------------------------------------------------------------------

class Province:
    """The synthetic tree, loaded once: nodes by id and path, streets with their communities, counties."""

    def __init__(self, province):
        nodes = list(OrgNode.objects.filter(path__startswith=province.path).values("pk", "path", "kind", "parent_id",
                                                                                  "depth", "name"))
        self.by_id = {node["pk"]: node for node in nodes}
        self.by_path = {node["path"]: node for node in nodes}
        self.streets = {node["pk"]: [] for node in nodes if node["kind"] == OrgKind.STREET}
        for node in nodes:
            if node["kind"] == OrgKind.COMMUNITY and node["parent_id"] in self.streets:
                self.streets[node["parent_id"]].append(node["pk"])
        self.units = [node["pk"] for node in nodes if node["kind"] == OrgKind.UNIT]
        self.counties = [node["pk"] for node in nodes if node["depth"] == province.depth + 2]
        self.county_depth = province.depth + 2

    def county_of(self, path):
        return self.by_path[ancestor_paths(path)[self.county_depth]]["pk"]


def random_name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def make_accounts(rng, prefix, role, node_lists, password, now):
    """One account per entry of ``node_lists`` (the nodes it is granted the role at). Returns the accounts."""
    users = User.objects.bulk_create([
        User(username=f"{prefix}{n:05d}", full_name=random_name(rng), password=password, must_change_password=False,
             password_changed_at=now) for n in range(len(node_lists))], batch_size=2000)
    RoleGrant.objects.bulk_create([RoleGrant(user=user, role=role, node_id=node_id)
                                   for user, node_ids in zip(users, node_lists, strict=True) for node_id in node_ids],
                                  batch_size=5000)
    return users


def make_policies(tree):
    """A few overrides of the default policy, so the SQL interval expression has real cases."""
    city = OrgNode.objects.get(code=city_code(0))
    county_b = OrgNode.objects.get(code=county_code(1))
    street = OrgNode.objects.filter(path__startswith=OrgNode.objects.get(code=county_code(0)).path,
                                    kind=OrgKind.STREET).order_by("pk").first()
    rows = [CarePolicy(node=city, node_path=city.path, condition=Condition.EMPTY_NEST, interval_days=10),
            CarePolicy(node=county_b, node_path=county_b.path, condition=Condition.AGED_90, interval_days=7,
                       active=False),
            CarePolicy(node=street, node_path=street.path, condition=Condition.ALONE, interval_days=5)]
    CarePolicy.objects.bulk_create(rows)
    return policies.PolicySet(CarePolicy.objects.all())


def care_people(today, policy_set):
    """Living people with their effective care interval (None: not vulnerable)."""
    fields = ("pk", "community_id", "unit_id", "community_path", "unit_path", "living_status", "self_care",
              "birth_date", "deceased_on")
    people = []
    for row in Person.objects.order_by("pk").values(*fields).iterator(chunk_size=20000):
        person = SimpleNamespace(**row)
        if person.deceased_on is None:
            person.interval = policy_set.effective(person, today).interval_days
            people.append(person)
    return people


def contact_history(rng, interval, today, overdue):
    """(contact days newest first, outcomes, unanswered in a row) of one assignment."""
    last = today - datetime.timedelta(days=interval + rng.randint(1, 20) if overdue else rng.randint(1, interval))
    days = [last - datetime.timedelta(days=k * interval + (rng.randint(0, 1) if k else 0))
            for k in range(rng.randint(6, 14))]
    outcomes = [rng.choices(("well", "no_answer", "needs_help"), (86, 9, 5))[0] for _ in days]
    in_a_row = 0
    for outcome in outcomes:
        if outcome != "no_answer":
            break
        in_a_row += 1
    return days, outcomes, in_a_row


ASSIGNMENT_COLUMNS = ("id", "person_id", "carer_id", "interval_days", "started_on", "ended_on", "last_contact_on",
                      "next_due_on", "unanswered_in_a_row", "created_by_id")
CONTACT_COLUMNS = ("assignment_id", "person_id", "carer_id", "contacted_at", "method", "outcome", "note",
                   "created_at")
ESCALATION_COLUMNS = ("assignment_id", "person_id", "reason", "status", "opened_at", "follow_up", "resolved_by_id",
                      "resolved_at")


def build_care(rng, tree, today, counts):
    now = timezone.now()
    password = make_password("Bench@2026x")
    street_ids = sorted(tree.streets)
    chosen_streets = sorted(rng.sample(street_ids, min(400, len(street_ids))))
    volunteers = make_accounts(rng, "bench_care_vol", Role.VOLUNTEER,
                               [tree.streets[s] or [s] for s in chosen_streets], password, now)
    covered = {c: v for s, v in zip(chosen_streets, volunteers, strict=True) for c in tree.streets[s]}
    heads = make_accounts(rng, "bench_care_com", Role.COMMUNITY_ADMIN, [[c] for c in sorted(covered)], password, now)
    head_of = {c: u.pk for c, u in zip(sorted(covered), heads, strict=True)}
    make_accounts(rng, "bench_care_unit", Role.UNIT_ADMIN, [[u] for u in tree.units], password, now)
    policy_set = make_policies(tree)
    people = care_people(today, policy_set)
    candidates = [p for p in people if p.interval is not None and p.community_id in covered]
    rng.shuffle(candidates)
    open_people = candidates[:counts.assignments]
    ended_people = candidates[counts.assignments:counts.assignments + counts.assignments // 25]

    assignments, contacts, escalations = [], [], []
    first_id = next_id(CareAssignment)
    for n, person in enumerate(open_people + ended_people):
        pk = first_id + n
        carer = covered[person.community_id].pk
        ended = n >= len(open_people)
        overdue = not ended and n > 0 and rng.random() < 0.02
        days, outcomes, in_a_row = contact_history(rng, person.interval, today, overdue)
        if n == 0:  # the anchor: the latest contact was yesterday
            days[0] = today - datetime.timedelta(days=1)
        started = days[-1] - datetime.timedelta(days=rng.randint(0, 5))
        ended_on = days[0] + datetime.timedelta(days=rng.randint(1, 30)) if ended else None
        if ended_on is not None and ended_on >= today:
            ended_on = today - datetime.timedelta(days=1)
        next_due = days[0] + datetime.timedelta(days=person.interval)
        assignments.append((pk, person.pk, carer, person.interval, started, ended_on, days[0], next_due, in_a_row,
                            head_of.get(person.community_id)))
        for day, outcome in zip(days, outcomes, strict=True):
            at = aware(day, rng.randint(8, 17), rng.randint(0, 59))
            method = "visit" if rng.random() < 0.3 else "phone"
            note = "需要帮忙买药" if outcome == "needs_help" else ""
            contacts.append((pk, person.pk, carer, at, method, outcome, note, at))
        head = head_of.get(person.community_id)
        if overdue and rng.random() < 0.15:  # this missed due date was escalated and followed up already
            opened = aware(next_due + datetime.timedelta(days=1), 2)
            escalations.append((pk, person.pk, "overdue", "resolved", opened, "已电话联系，本人安好", head,
                                opened + datetime.timedelta(hours=20)))
        elif rng.random() < 0.04:  # an older escalation, followed up
            opened = aware(rng.choice(days[1:]), 18)
            escalations.append((pk, person.pk, rng.choice(EscalationReason.values), "resolved", opened,
                                "社区已上门查看", head, opened + datetime.timedelta(days=rng.randint(0, 3))))
        if not ended and (in_a_row >= 2 or (outcomes[0] == "needs_help" and rng.random() < 0.5)):
            reason = "no_answer" if in_a_row >= 2 else "needs_help"
            escalations.append((pk, person.pk, reason, "open", aware(days[0], 18), "", None, None))
    copy_rows("care_careassignment", ASSIGNMENT_COLUMNS, assignments)
    reset_sequence("care_careassignment")
    copy_rows("care_carecontact", CONTACT_COLUMNS, contacts)
    copy_rows("care_escalation", ESCALATION_COLUMNS, escalations)
    print(f"care: {len(volunteers)} volunteers, {len(heads)} community heads, {len(tree.units)} unit heads; "
          f"{len(candidates):,} vulnerable people in their streets; {len(open_people):,} open and "
          f"{len(ended_people):,} ended assignments, {len(contacts):,} contacts, {len(escalations):,} escalations")
    return people, volunteers, covered, head_of


ORDER_STATES = ((OrderStatus.SUBMITTED, 6), (OrderStatus.ACCEPTED, 4), (OrderStatus.ASSIGNED, 6),
                (OrderStatus.DONE, 4), (OrderStatus.CONFIRMED, 62), (OrderStatus.CANCELLED, 10),
                (OrderStatus.REJECTED, 8))
ORDER_COLUMNS = ("uid", "person_id", "item_id", "details", "wanted_on", "channel", "ordered_by_id", "proxy_name",
                 "proxy_relation", "handler_id", "handler_path", "status", "provider_id", "assignee_id", "accept_by",
                 "due_on", "accepted_at", "assigned_at", "done_at", "done_note", "closed_at", "rating",
                 "rating_comment", "confirmed_by_proxy", "reason", "created_at")


def build_menu(tree, province, volunteers, covered):
    items = [ServiceItem(node_id=province.pk, node_path=province.path, name=label[:80], category=value,
                         accept_days=1, complete_days=5) for value, label in ServiceCategory.choices]
    for county in tree.counties:
        node = tree.by_id[county]
        items += [ServiceItem(node_id=county, node_path=node["path"], name=f"{node['name']}{what}", category=category,
                              accept_days=2, complete_days=7)
                  for what, category in (("助浴", ServiceCategory.HOUSEHOLD), ("送医陪诊", ServiceCategory.HEALTH))]
    ServiceItem.objects.bulk_create(items)
    streets = {}
    for community, volunteer in covered.items():
        streets.setdefault(volunteer.pk, (tree.by_id[community]["parent_id"], community, volunteer))
    resources = Resource.objects.bulk_create([
        Resource(node_id=street, node_path=tree.by_id[street]["path"], provider_kind="volunteer",
                 provider_name=volunteer.full_name, provider_user=volunteer, community_id=community,
                 categories=["household", "errands", "company"], offer="上门帮忙、代购、陪伴聊天")
        for street, community, volunteer in streets.values()])
    by_county = {}
    for resource in resources:
        by_county.setdefault(tree.county_of(resource.node_path), []).append(resource)
    province_items = [item for item in items if item.node_id == province.pk]
    county_items = {}
    for item in items:
        if item.node_id != province.pk:
            county_items.setdefault(item.node_id, []).append(item)
    return province_items, county_items, resources, by_county


def order_row(rng, person, tree, menu, now):
    province_items, county_items, resources, by_county = menu
    county = tree.county_of(person.unit_path)
    item = rng.choice(county_items[county]) if rng.random() < 0.3 else rng.choice(province_items)
    status = rng.choices([s for s, _ in ORDER_STATES], [w for _, w in ORDER_STATES])[0]
    is_open = status in OPEN_ORDER_STATUSES
    created = now - datetime.timedelta(days=rng.uniform(0, 30 if is_open else 730))
    day = timezone.localdate(created)
    accept_by, due_on = day + datetime.timedelta(days=item.accept_days), day + datetime.timedelta(days=7)
    channel = rng.choices(("self", "family", "staff"), (45, 20, 35))[0]
    proxy = {"family": (random_name(rng), "子女"), "staff": ("社区工作人员", "社区")}.get(channel, ("", ""))
    handler = person.community_id or person.unit_id
    steps = {}
    late = rng.random() < 0.15
    accepted = status in (OrderStatus.ACCEPTED, OrderStatus.ASSIGNED, OrderStatus.DONE, OrderStatus.CONFIRMED)
    if accepted or (status in (OrderStatus.REJECTED, OrderStatus.CANCELLED) and rng.random() < 0.4):
        steps["accepted_at"] = created + datetime.timedelta(hours=rng.uniform(1, 40))
    if status in (OrderStatus.ASSIGNED, OrderStatus.DONE, OrderStatus.CONFIRMED):
        steps["assigned_at"] = steps["accepted_at"] + datetime.timedelta(hours=rng.uniform(1, 24))
    if status in (OrderStatus.DONE, OrderStatus.CONFIRMED):
        steps["done_at"] = created + datetime.timedelta(days=rng.uniform(8, 15) if late else rng.uniform(1, 6))
    closed = None
    if status == OrderStatus.CONFIRMED:
        closed = steps["done_at"] + datetime.timedelta(days=rng.uniform(0, 3))
    elif status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
        closed = created + datetime.timedelta(days=rng.uniform(0, 4))
    provider = assignee = None
    if "assigned_at" in steps:
        provider = rng.choice(by_county.get(county) or resources)
        assignee = provider.provider_user_id
    rated = status == OrderStatus.CONFIRMED and rng.random() < 0.9
    reason = {OrderStatus.CANCELLED: "本人不需要了", OrderStatus.REJECTED: "不在服务范围内"}.get(status, "")
    return (uuid.uuid4(), person.pk, item.pk, "请上门" if rng.random() < 0.5 else "", None, channel, None, *proxy,
            handler, tree.by_id[handler]["path"], status, provider.pk if provider else None, assignee, accept_by,
            due_on, steps.get("accepted_at"), steps.get("assigned_at"), steps.get("done_at"),
            "已完成" if "done_at" in steps else "", closed,
            rng.choices((5, 4, 3, 2, 1), (55, 30, 10, 3, 2))[0] if rated else None, "", False, reason, created)


WISH_STATES = ((WishStatus.COLLECTED, 10), (WishStatus.PUBLISHED, 25), (WishStatus.CLAIMED, 15),
               (WishStatus.FULFILLED, 10), (WishStatus.CONFIRMED, 30), (WishStatus.REJECTED, 5),
               (WishStatus.WITHDRAWN, 5))
WISH_COLUMNS = ("id", "uid", "person_id", "title", "reason", "estimated_cost", "status", "wall_id", "wall_path",
                "collected_by_id", "published_at", "fulfilled_at", "confirmed_at", "confirmed_by_proxy",
                "beneficiary_words", "reason_closed", "created_at")
CLAIM_COLUMNS = ("wish_id", "claimant_id", "claimant_name", "status", "claimed_at", "fulfil_by", "fulfilled_at",
                 "fulfilment_note", "ended_at")


def wish_rows(rng, people, vulnerable, tree, volunteers_by_county, volunteers, head_of, now, count):
    wishes, claims = [], []
    first = next_id(Wish)
    for n in range(count):
        person = rng.choice(vulnerable) if rng.random() < 0.7 else rng.choice(people)
        county = tree.county_of(person.unit_path)
        roll = rng.random()
        if person.community_id and roll < 0.7:
            wall = person.community_id
        elif person.community_id and roll < 0.9:
            wall = tree.by_id[person.community_id]["parent_id"]
        else:
            wall = county
        status = rng.choices([s for s, _ in WISH_STATES], [w for _, w in WISH_STATES])[0]
        created = now - datetime.timedelta(days=rng.uniform(0, 40 if status == WishStatus.COLLECTED else 400))
        published = fulfilled = confirmed = None
        if status not in (WishStatus.COLLECTED, WishStatus.REJECTED):
            published = created + datetime.timedelta(days=rng.uniform(0.2, 3))
        claimant = rng.choice(volunteers_by_county.get(county) or volunteers)
        if status in (WishStatus.CLAIMED, WishStatus.FULFILLED, WishStatus.CONFIRMED):
            claimed = published + datetime.timedelta(days=rng.uniform(0.5, 20))
            if status != WishStatus.CLAIMED:
                fulfilled = claimed + datetime.timedelta(days=rng.uniform(1, 12))
            if status == WishStatus.CONFIRMED:
                confirmed = fulfilled + datetime.timedelta(days=rng.uniform(0, 5))
            claims.append((first + n, claimant.pk, claimant.full_name,
                           "active" if status == WishStatus.CLAIMED else "fulfilled", claimed,
                           timezone.localdate(claimed) + datetime.timedelta(days=14), fulfilled,
                           "已送到本人手中" if fulfilled else "", fulfilled))
        elif status == WishStatus.PUBLISHED and rng.random() < 0.2:
            claimed = published + datetime.timedelta(days=rng.uniform(0.5, 5))
            claims.append((first + n, claimant.pk, claimant.full_name, "expired", claimed,
                           timezone.localdate(claimed) + datetime.timedelta(days=14), None, "",
                           claimed + datetime.timedelta(days=15)))
        closed = {WishStatus.REJECTED: "不符合条件", WishStatus.WITHDRAWN: "本人已不需要"}.get(status, "")
        wishes.append((first + n, uuid.uuid4(), person.pk, rng.choice(WISH_TITLES), "生活困难，行动不便",
                       Decimal(rng.randrange(3000, 50000)) / 100, status, wall, tree.by_id[wall]["path"],
                       head_of.get(person.community_id), published, fulfilled, confirmed, False,
                       "谢谢大家" if confirmed else "", closed, created))
    return wishes, claims


def build(counts):
    rng = random.Random(2026)
    province = OrgNode.objects.get(code=PROVINCE_CODE)
    tree = Province(province)
    today = timezone.localdate()
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        people, volunteers, covered, head_of = build_care(rng, tree, today, counts)
        menu = build_menu(tree, province, volunteers, covered)
        vulnerable = [p for p in people if p.interval is not None]
        orders = copy_rows("needs_serviceorder", ORDER_COLUMNS,
                           (order_row(rng, rng.choice(people), tree, menu, now) for _ in range(counts.orders)))
        volunteers_by_county = {}
        for resource in menu[2]:
            volunteers_by_county.setdefault(tree.county_of(resource.node_path), []).append(resource.provider_user)
        wishes, claims = wish_rows(rng, people, vulnerable, tree, volunteers_by_county, volunteers, head_of, now,
                                   counts.wishes)
        copy_rows("needs_wish", WISH_COLUMNS, wishes)
        reset_sequence("needs_wish")
        copy_rows("needs_wishclaim", CLAIM_COLUMNS, claims)
    print(f"needs: {orders:,} service orders, {len(wishes):,} wishes, {len(claims):,} claims; "
          f"built in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        for table in ("care_careassignment", "care_carecontact", "care_escalation", "care_carepolicy",
                      "needs_serviceorder", "needs_serviceitem", "needs_resource", "needs_wish", "needs_wishclaim",
                      "core_user", "core_rolegrant"):
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- timing -----------------------------------------------------------------------------------------------------

class Timer:
    def __init__(self, runs, explain_over):
        self.runs = runs
        self.explain_over = explain_over
        self.rows = []
        self.slow = {}  # sql -> (label, seconds)

    def measure(self, label, scope_label, fn, *, warm=True, before=None, note=None):
        """Median ms of ``fn()`` over the runs (``before()`` untimed ahead of each), the queries of the last run."""
        if warm:
            fn()
        times, result = [], None
        for _ in range(self.runs):
            if before is not None:
                before()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = fn()
                times.append((time.perf_counter() - started) * 1000)
        for query in captured.captured_queries:
            seconds = float(query["time"])
            if seconds >= self.explain_over and query["sql"].lstrip().upper().startswith("SELECT"):
                known = self.slow.get(query["sql"])
                if known is None or known[1] < seconds:
                    self.slow[query["sql"]] = (f"{label} [{scope_label}]", seconds)
        self.rows.append((label, scope_label, statistics.median(times), len(captured),
                          note(result) if note else ""))
        return result

    def print(self):
        print(f"\n{'measure':52} {'scope':9} {'median ms':>10} {'queries':>8}  rows / figures")
        for label, scope_label, ms, queries, note in self.rows:
            print(f"{label:52} {scope_label:9} {ms:10.1f} {queries:8d}  {note}")

    def explain(self):
        for sql, (label, seconds) in sorted(self.slow.items(), key=lambda item: -item[1][1]):
            print(f"\nEXPLAIN ANALYZE of a query of {label} ({seconds * 1000:.0f} ms in the last run):\n{sql}\n")
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print("\n".join(row[0] for row in cursor.fetchall()))


def bureau_account(label, node):
    user, created = User.objects.get_or_create(username=f"bench_care_{label}",
                                               defaults={"must_change_password": False})
    if created:
        user.set_password("Bench@2026x")
        user.password_changed_at = timezone.now()
        user.save()
        RoleGrant.objects.create(user=user, role=Role.BUREAU_ADMIN, node=node)
    return user


def reset_overdue():
    """Delete the open overdue escalations (opened by the job: the build opens none) and their notifications."""
    ids = list(Escalation.objects.filter(reason=EscalationReason.OVERDUE, status=EscalationStatus.OPEN)
               .values_list("pk", flat=True))
    Notification.objects.filter(object_type="care.escalation", object_id__in=[str(pk) for pk in ids]).delete()
    Escalation.objects.filter(pk__in=ids).delete()


def unassigned_page(scope, today):
    policy_set = policies.PolicySet.for_people(Person.objects.visible_to(scope))
    return list(policies.unassigned(scope, today, policy_set).select_related("community", "unit")
                .order_by("name_pinyin", "pk")[:PAGE])


def unassigned_count(scope, today):
    policy_set = policies.PolicySet.for_people(Person.objects.visible_to(scope))
    return policies.unassigned(scope, today, policy_set).count()


def order_page(scope, data):
    results = filters_orders.OrderFilter(data, scope=scope).results()
    return keyset_page(results.select_related("person__community", "item", "provider", "handler"), size=PAGE).rows


def order_stats(scope, data):
    return filters_orders.statistics(filters_orders.OrderFilter(data, scope=scope).results())


def escalation_dashboard(scope, today):
    """The rows the escalation page reads: the first 50 open (oldest first) and the recently followed-up."""
    filterset = EscalationFilter({}, scope=scope, today=today)
    related = ("person", "person__community", "person__unit", "assignment", "assignment__carer")
    rows = filterset.results().filter(status=EscalationStatus.OPEN).select_related(*related)
    page = ascending_page(rows, size=PAGE, field="opened_at")
    since = timezone.now() - datetime.timedelta(days=30)
    recent = list(filterset.results().filter(status=EscalationStatus.RESOLVED, resolved_at__gte=since)
                  .select_related(*related, "resolved_by").order_by("-resolved_at", "-pk")[:20])
    return page.rows, recent


def wall_page(scope):
    fields = ("pk", "title", "reason", "estimated_cost", "status", "published_at", "wall_path", "person", "wall",
              "person__name", "person__account", "wall__name")
    wishes = wish_reads.with_claim(wish_reads.wall_wishes(scope).select_related("person", "wall").only(*fields))
    return keyset_page(wishes, size=WALL_PAGE, field="published_at").rows, wish_reads.wall_counts(scope)


def page_call(client, url, params=None):
    def call():
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise SystemExit(f"{url} {params or ''} answered {response.status_code}")
        return response
    return call


def measure(timer, today, pages):
    reset_overdue()
    opened = timer.measure("escalate_overdue: first run (opens)", "province",
                           lambda: escalate_overdue(today=today), warm=False, before=reset_overdue,
                           note=lambda result: f"{len(result)} opened")
    timer.measure("escalate_overdue: second run (idempotent)", "province", lambda: escalate_overdue(today=today),
                  warm=False, note=lambda result: f"{len(result)} opened")
    print(f"escalate_overdue(today={today}) opened {len(opened)} escalations")
    nodes = {label: OrgNode.objects.get(code=code) for label, code in SCOPES}
    scopes = {}
    for label, node in nodes.items():
        user = bureau_account(label, node)
        scopes[label] = (Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user)), user)
    current, everything = {}, {"period": filters_orders.Period.ALL}
    for label, (scope, _user) in scopes.items():
        timer.measure("unassigned: first page of 50", label, lambda s=scope: unassigned_page(s, today),
                      note=lambda rows: f"{len(rows)} rows")
        timer.measure("unassigned: count", label, lambda s=scope: unassigned_count(s, today),
                      note=lambda n: f"{n:,} unassigned")
        for data, which in ((current, "open + 90 days"), (everything, "all")):
            timer.measure(f"needs list statistics ({which})", label, lambda s=scope, d=data: order_stats(s, d),
                          note=lambda st: f"{st['total']:,} orders, on time {st['on_time_rate']} %")
            timer.measure(f"needs list first page ({which})", label, lambda s=scope, d=data: order_page(s, d),
                          note=lambda rows: f"{len(rows)} rows")
        timer.measure("escalation dashboard (50 open + recent)", label,
                      lambda s=scope: escalation_dashboard(s, today),
                      note=lambda r: f"{len(r[0])} open, {len(r[1])} recent")
        timer.measure("wish wall first page + counts", label, lambda s=scope: wall_page(s),
                      note=lambda r: f"{len(r[0])} rows, " + ", ".join(f"{c['status']} {c['count']}" for c in r[1]))
    if not pages:
        return
    names = (("page care:assignment_list", "care:assignment_list"), ("page needs:order_list", "needs:order_list"),
             ("page care:escalation_list", "care:escalation_list"), ("page needs:wish_wall", "needs:wish_wall"))
    for label, (_scope, user) in scopes.items():
        client = Client()
        client.force_login(user)
        for title, name in names:
            try:
                url = reverse(name)
            except NoReverseMatch:
                continue
            timer.measure(title, label, page_call(client, url), note=lambda r: f"{len(r.content) // 1024} KiB")


def ensure_database():
    """Create the scratch PostgreSQL database named by DATABASE_URL when it does not exist yet."""
    import psycopg
    from django.db.utils import OperationalError

    settings = connection.settings_dict
    try:
        connection.ensure_connection()
        return
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    with psycopg.connect(dbname="postgres", user=settings["USER"], password=settings["PASSWORD"] or None,
                         host=settings["HOST"] or None, port=settings["PORT"] or None, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    print(f"created database {settings['NAME']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--assignments", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--wishes", type=int, default=20_000)
    parser.add_argument("--no-pages", action="store_true", help="time the queries only, not the pages")
    parser.add_argument("--explain-over", type=float, default=1.0)
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/care.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_database()
    call_command("migrate", verbosity=0)
    province = OrgNode.objects.filter(code=PROVINCE_CODE).first()
    held = Person.objects.filter(unit_path__startswith=province.path).count() if province else 0
    if held < options.people:
        started = time.perf_counter()
        print(f"synth --people {options.people}")
        call_command("synth", people=options.people)
        print(f"synth took {time.perf_counter() - started:.1f} s")
    if not CareAssignment.objects.exists():
        build(options)
    today = CareAssignment.objects.aggregate(last=Max("last_contact_on"))["last"] + datetime.timedelta(days=1)
    print(f"database {connection.settings_dict['NAME']}: {Person.objects.count():,} people, "
          f"{CareAssignment.objects.filter(ended_on__isnull=True).count():,} open assignments "
          f"({CareAssignment.objects.filter(ended_on__isnull=True, next_due_on__lt=today).count():,} overdue on "
          f"{today}), {ServiceOrder.objects.count():,} orders, {Wish.objects.count():,} wishes")
    print(f"load average before measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    timer = Timer(options.runs, options.explain_over)
    measure(timer, today, not options.no_pages)
    print(f"\nload average after measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"median of {options.runs} runs (reads after one warm-up); queries of the last run")
    timer.print()
    timer.explain()
    connections.close_all()


if __name__ == "__main__":
    main()
