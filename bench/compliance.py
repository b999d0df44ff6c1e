"""Benchmark: the compliance engine on a province of 100,000 branches with a year of meetings (~3.4M rows).

Run against a scratch PostgreSQL database (created and migrated if needed; the province is built once, so a rerun
only times):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yinfa_bench_compliance .venv/bin/python bench/compliance.py
    options: --runs 3 (full refresh)  --branch-runs 50  --tree-runs 10

The tree: 1 province bureau, 14 cities, 120 counties; in each county a work committee (工委) with about 340
branches, 30 units with 10 branches each, 8 streets with 6 communities of 4 branches each (100,000 branches; a
few opened or closed during the year). The meetings of the year before the current one: for each branch a
diligence between 45 % and 100 % decides whether each period of the 8 default rules got its meeting; about 8 %
are held after their period ended, 5 % lack attendance or minutes (not qualifying), 3 % are make-up meetings.
Inserted with COPY.

Prints the median time and the SQL query count of: the full ``refresh(year)`` into an empty year and again over
the stored rows (only changed rows are written), ``refresh_branch`` of random branches, and the tree aggregation
(``node_summary``) and the tree page for the province, a city and a county; for comparison, summing the rows per
child in Python at the province.
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinfa.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from yinfa.core.models import OrgKind, OrgNode, RoleGrant, User  # noqa: E402
from yinfa.core.scope import Scope  # noqa: E402
from yinfa.core.services.org import path_for  # noqa: E402
from yinfa.partylife.models import Branch, BranchCompliance, BranchKind, Meeting, MeetingKind  # noqa: E402
from yinfa.partylife.periods import days_after_ends, period_bounds  # noqa: E402
from yinfa.partylife.selectors_compliance import node_summary  # noqa: E402
from yinfa.partylife.services import compliance  # noqa: E402

PROVINCE_CODE = "CB"
BRANCHES = 100_000
CITIES, COUNTIES = 14, 120
UNITS, UNIT_BRANCHES = 30, 10
STREETS, COMMUNITIES, COMMUNITY_BRANCHES = 8, 6, 4
YEAR = timezone.localdate().year - 1
MONTHLY = (MeetingKind.COMMITTEE, MeetingKind.GROUP, MeetingKind.THEME_DAY)
QUARTERLY = (MeetingKind.GENERAL, MeetingKind.LECTURE)
YEARLY = (MeetingKind.LIFE_MEETING, MeetingKind.EVALUATION, MeetingKind.HEART_TALK)


# --- building ---------------------------------------------------------------------------------------------------

class Tree:
    def __init__(self):
        self.next_id = (OrgNode.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.nodes = []
        self.branches = []

    def add(self, parent, kind, name, code):
        node = OrgNode(pk=self.next_id, kind=kind, code=code, name=name, parent=parent,
                       path=path_for(parent.path if parent else "", self.next_id),
                       depth=(parent.depth + 1) if parent else 0, sort_order=len(self.nodes))
        self.next_id += 1
        self.nodes.append(node)
        if parent is not None:
            parent.child_count += 1
        return node

    def branch(self, parent, name, kind, rng):
        node = self.add(parent, OrgKind.BRANCH, name, f"{PROVINCE_CODE}-B{len(self.branches) + 1}")
        roll = rng.random()
        if roll < 0.01:
            node.opened_on = datetime.date(YEAR, rng.randint(2, 11), rng.randint(1, 28))
        elif roll < 0.02:
            node.closed_on = datetime.date(YEAR, rng.randint(2, 11), rng.randint(1, 28))
        self.branches.append(Branch(node_id=node.pk, path=node.path, kind=kind))


def build_tree(rng):
    tree = Tree()
    province = tree.add(None, OrgKind.BUREAU, "基准省委老干部局", PROVINCE_CODE)
    counties_left = COUNTIES
    per_county = [BRANCHES // COUNTIES + (1 if n < BRANCHES % COUNTIES else 0) for n in range(COUNTIES)]
    county_no = 0
    for c in range(CITIES):
        city = tree.add(province, OrgKind.BUREAU, f"第{c + 1}市委老干部局", f"{PROVINCE_CODE}-C{c + 1}")
        counties_here = counties_left // (CITIES - c)
        counties_left -= counties_here
        for k in range(counties_here):
            county = tree.add(city, OrgKind.DISTRICT, f"第{c + 1}市第{k + 1}县", f"{PROVINCE_CODE}-K{county_no + 1}")
            fixed = UNITS * UNIT_BRANCHES + STREETS * COMMUNITIES * COMMUNITY_BRANCHES
            committee = tree.add(county, OrgKind.PARTY_COMMITTEE, f"{county.name}离退休干部工委", f"{county.code}-GW")
            for b in range(per_county[county_no] - fixed):
                tree.branch(committee, f"{county.name}工委第{b + 1}支部", BranchKind.UNIT, rng)
            for u in range(UNITS):
                unit = tree.add(county, OrgKind.UNIT, f"{county.name}第{u + 1}局", f"{county.code}-U{u + 1}")
                for b in range(UNIT_BRANCHES):
                    tree.branch(unit, f"{unit.name}离退休第{b + 1}支部", BranchKind.UNIT, rng)
            for s in range(STREETS):
                street = tree.add(county, OrgKind.STREET, f"{county.name}第{s + 1}镇", f"{county.code}-S{s + 1}")
                for m in range(COMMUNITIES):
                    community = tree.add(street, OrgKind.COMMUNITY, f"{street.name}第{m + 1}社区",
                                         f"{street.code}-M{m + 1}")
                    for b in range(COMMUNITY_BRANCHES):
                        tree.branch(community, f"{community.name}第{b + 1}支部", BranchKind.COMMUNITY, rng)
            county_no += 1
    OrgNode.objects.bulk_create(tree.nodes, batch_size=5000)
    Branch.objects.bulk_create(tree.branches, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('core_orgnode', 'id'), "
                           "(SELECT max(id) FROM core_orgnode))")
    return province, tree.branches


def meetings_of(branch, rng):
    """The year's meetings of one branch: (kind, held_on, counts_month, qualifies)."""
    diligence = rng.uniform(0.45, 1.0)

    def one(kind, frequency, index):
        first, last = period_bounds(frequency, YEAR, index)
        month = rng.randint(first.month, last.month)
        roll = rng.random()
        if roll < 0.08:  # held after the period ended
            held_on = last + datetime.timedelta(days=rng.randint(1, 20))
        elif roll < 0.11 and month < last.month:  # a make-up meeting, held a month later
            held_on = datetime.date(YEAR, month + 1, rng.randint(1, 28))
        else:
            held_on = datetime.date(YEAR, month, rng.randint(1, 28))
        return kind, held_on, month, rng.random() > 0.05

    rows = []
    for kind in MONTHLY:
        rows += [one(kind, "month", i) for i in range(12) if rng.random() < diligence]
    for kind in QUARTERLY:
        rows += [one(kind, "quarter", i) for i in range(4) if rng.random() < diligence]
    for kind in YEARLY:
        if rng.random() < diligence:
            rows.append(one(kind, "year", 0))
    return rows


MEETING_COLUMNS = ("uid", "branch_id", "branch_path", "kind", "topic", "held_on", "place", "host", "speaker",
                   "agenda", "minutes", "counts_year", "counts_month", "days_after_month", "days_after_quarter",
                   "days_after_year", "attendance_recorded", "qualifies", "expected_count", "present_count",
                   "delivered_count", "leave_count", "absent_count", "voting_count", "voting_present", "created_at",
                   "updated_at")


def meeting_rows(branches, rng, now):
    labels = dict(MeetingKind.choices)
    for branch in branches:
        for kind, held_on, month, qualifies in meetings_of(branch, rng):
            late = days_after_ends(held_on, YEAR, month)
            yield (uuid.uuid4(), branch.node_id, branch.path, kind, f"{held_on:%Y-%m} {labels[kind]}", held_on, "",
                   "", "", "", "记录" if qualifies else "", YEAR, month, *late, qualifies, qualifies, 12, 10, 1, 1,
                   0, 11, 10, now, now)


def insert_meetings(branches, rng):
    now = timezone.now()
    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY partylife_meeting ({', '.join(MEETING_COLUMNS)}) FROM STDIN") as copy:
                for row in meeting_rows(branches, rng, now):
                    copy.write_row(row)
                    count += 1
            cursor.execute("ANALYZE partylife_meeting")
            cursor.execute("ANALYZE core_orgnode")
            cursor.execute("ANALYZE partylife_branch")
        return count
    batch = []
    for row in meeting_rows(branches, rng, now):
        batch.append(Meeting(**dict(zip(MEETING_COLUMNS, row, strict=True))))
        if len(batch) == 20000:
            Meeting.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Meeting.objects.bulk_create(batch)
    return count + len(batch)


def build():
    rng = random.Random(2026)
    started = time.perf_counter()
    with transaction.atomic():
        province, branches = build_tree(rng)
    print(f"built {OrgNode.objects.count():,} nodes, {len(branches):,} branches in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with transaction.atomic():
        count = insert_meetings(branches, rng)
    print(f"inserted {count:,} meetings of {YEAR} in {time.perf_counter() - started:.1f} s")
    return province


# --- timing -----------------------------------------------------------------------------------------------------

def timed(fn, runs):
    times, queries, result = [], 0, None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), queries, result


def account(username, node):
    user, created = User.objects.get_or_create(username=username, defaults={"must_change_password": False})
    if created:
        user.set_password("Bench@2026x")
        user.password_changed_at = timezone.now()
        user.save()
        RoleGrant.objects.create(user=user, role="bureau_admin", node=node)
    return user


def python_sums(scope, node):
    """The alternative to the SQL GROUP BY: fetch every row's path and figures and sum per child in Python."""
    sums = {}
    offset = len(node.path)
    rows = BranchCompliance.objects.visible_to(scope).filter(year=YEAR, branch_path__startswith=node.path)
    for path, expected, held, on_time in rows.values_list("branch_path", "expected", "held", "on_time").iterator(
            chunk_size=10000):
        child = path[offset:path.index("/", offset)]
        total = sums.setdefault(child, [0, 0, 0, 0])
        total[0] += 1
        total[1] += expected
        total[2] += held
        total[3] += on_time
    return sums


def ensure_database():
    """Create the scratch PostgreSQL database named by DATABASE_URL when it does not exist yet."""
    if connection.vendor != "postgresql":
        return
    import psycopg

    settings = connection.settings_dict
    from django.db.utils import OperationalError

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
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--branch-runs", type=int, default=50)
    parser.add_argument("--tree-runs", type=int, default=10)
    args = parser.parse_args()

    ensure_database()
    call_command("migrate", verbosity=0)
    province = OrgNode.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        province = build()
    branch_count = Branch.objects.filter(path__startswith=province.path).count()
    meeting_count = Meeting.objects.filter(counts_year=YEAR).count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; branches: {branch_count:,}; "
          f"meetings of {YEAR}: {meeting_count:,}")
    rows = []

    def cold():
        BranchCompliance.objects.filter(year=YEAR).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE partylife_branchcompliance")
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = compliance.refresh(year=YEAR)
            seconds = time.perf_counter() - started
        return seconds, result, len(captured)

    colds = [cold() for _ in range(args.runs)]
    rows.append((f"refresh(year={YEAR}) into an empty year, median of {args.runs}",
                 statistics.median(run[0] for run in colds) * 1000, colds[-1][2]))
    print(f"refresh figures: {colds[-1][1]}")
    seconds, queries, figures = timed(lambda: compliance.refresh(year=YEAR), args.runs)
    rows.append((f"refresh(year={YEAR}) again (rows kept when unchanged), median of {args.runs}", seconds * 1000,
                 queries))
    print(f"refresh figures: {figures}")

    sample = random.Random(7).sample(list(Branch.objects.filter(path__startswith=province.path)
                                          .values_list("pk", flat=True)), args.branch_runs)
    picks = iter(sample)
    seconds, queries, _ = timed(lambda: compliance.refresh_branch(branch=next(picks), year=YEAR), args.branch_runs)
    rows.append((f"refresh_branch, median of {args.branch_runs}", seconds * 1000, queries))

    city = OrgNode.objects.get(code=f"{PROVINCE_CODE}-C1")
    county = OrgNode.objects.get(code=f"{PROVINCE_CODE}-K1")
    user = account("bench_compliance", province)
    scope = Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))
    client = Client()
    client.force_login(user)
    try:
        page = reverse("partylife:compliance")
    except NoReverseMatch:
        page = None
    for label, node in (("province", province), ("city", city), ("county", county)):
        seconds, queries, summary = timed(lambda n=node: node_summary(scope, n, YEAR), args.tree_runs)
        rows.append((f"tree aggregation: {label} ({len(summary.rows)} children, {summary.total.branches:,} "
                     f"branches)", seconds * 1000, queries))
        if page:
            client.get(page, {"node": node.pk, "year": YEAR})  # warm up

            def get(n=node):
                response = client.get(page, {"node": n.pk, "year": YEAR})
                assert response.status_code == 200, response.status_code
            seconds, queries, _ = timed(get, args.tree_runs)
            rows.append((f"tree page: {label}", seconds * 1000, queries))
    seconds, queries, _ = timed(lambda: python_sums(scope, province), args.tree_runs)
    rows.append(("for comparison: province summed in Python", seconds * 1000, queries))

    print(f"{'measure':76} {'median ms':>10} {'queries':>8}")
    for label, ms, count in rows:
        print(f"{label:76} {ms:10.1f} {'' if count is None else count:>8}")
    connections.close_all()


if __name__ == "__main__":
    main()
