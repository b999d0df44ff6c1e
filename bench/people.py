"""Benchmark: the person list at province scale (100,000 and 1,000,000 people), and the roster import.

Run against a scratch PostgreSQL database (created beforehand, e.g. ``createdb -h 127.0.0.1 -U postgres
yinfa_bench_people``); it is migrated, and ``manage.py synth`` tops the synthetic province up to each size in turn
(a database already holding more people than a size skips that size):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yinfa_bench_people .venv/bin/python bench/people.py
    options: --sizes 100000,1000000  --runs 9  --import-rows 100000  --no-import  --no-list

For each size it prints the median time (Django test client, warm) and the SQL query count of the person list
(``people:person_list``; the selector itself if the page is not installed) for three roles (a county bureau with
about 3,400 people, a city bureau of 12 counties, the province bureau): the first page, a page 10,000 rows deep
(through the keyset cursor of the 10,000th row; in a county, as deep as the county goes), a filtered page (离休 in
one community) and pinyin searches (``wgh``, ``wangguo``, and the surnames ``wang`` and ``wu`` alone); then the
growth ratio between the sizes. The JSON API's first and deep pages are timed too.

The import benchmark (when the roster import is installed) writes a 100,000-row .xlsx roster, times a bare parse
of it (python-calamine reading every cell), and ``manage.py import_people`` end to end (and as a dry run) into a
fresh scratch database ``<name>_import`` (dropped afterwards), so the list benchmark's data stay as they are.
Prints figures only; asserts nothing.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinfa.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from yinfa.core.models import OrgNode, RoleGrant, User  # noqa: E402
from yinfa.core.scope import Scope  # noqa: E402
from yinfa.people.models import Person  # noqa: E402
from yinfa.people.synth.tree import PROVINCE_CODE, city_code, county_code  # noqa: E402

PAGE = 50
DEEP = 10_000
ROLES = (("county", county_code(0)), ("city", city_code(0)), ("province", PROVINCE_CODE))


def account(username, node):
    user, created = User.objects.get_or_create(username=username, defaults={"must_change_password": False})
    if created:
        user.set_password("Bench@2026x")
        user.password_changed_at = timezone.now()
        user.save()
        RoleGrant.objects.create(user=user, role="bureau_admin", node=node)
    return user


def scope_of(node):
    from yinfa.core.permissions import ROLE_PERMISSIONS, Role

    return Scope(grant_id=0, node_id=node.pk, node_name=node.name, path=node.path, depth=node.depth,
                 role=Role.BUREAU_ADMIN, permissions=frozenset(ROLE_PERMISSIONS[Role.BUREAU_ADMIN]))


def province_people():
    province = OrgNode.objects.filter(code=PROVINCE_CODE).first()
    return Person.objects.filter(unit_path__startswith=province.path).count() if province else 0


def timed(call, runs):
    """(median ms, queries) of ``call()`` after one warm-up call."""
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(times), len(queries)


def deep_cursor(scope, depth):
    """The list cursor after row ``depth`` of the default order (living people by name), and the depth used."""
    visible = Person.objects.visible_to(scope).alive().order_by("name_pinyin", "id")
    total = min(depth, visible[: depth + PAGE].count() - PAGE)
    row = visible.values_list("id", flat=True)[max(0, total - 1)]
    return f"name.{row}", total


def list_requests(client, scope, community):
    """label -> (path, params) of the pages timed for one role."""
    cursor, depth = deep_cursor(scope, DEEP)
    try:
        page_url = reverse("people:person_list")
    except NoReverseMatch:
        page_url = None
    pages = {
        "first page": {},
        f"page {depth:,} rows deep": {"after": cursor},
        "filtered: lixiu in one community": {"category": "lixiu", "community": community.pk},
        "search 'wgh'": {"q": "wgh"},
        "search 'wangguo'": {"q": "wangguo"},
        "search 'wang' (a surname alone)": {"q": "wang"},
        "search 'wu' (a surname alone)": {"q": "wu"},
    }
    calls = {}
    for label, params in pages.items():
        if page_url:
            calls[label] = _page_call(client, page_url, params)
        else:
            calls[f"{label} (selector)"] = _selector_call(scope, params)
    calls["API: first page"] = _page_call(client, "/api/people/", {})
    calls[f"API: page {depth:,} rows deep"] = _page_call(client, "/api/people/", {"cursor": cursor})
    return calls


def _page_call(client, url, params):
    def call():
        response = client.get(url, params)
        if response.status_code != 200:
            raise SystemExit(f"{url} {params} answered {response.status_code}")
        return response
    return call


def _selector_call(scope, params):
    from yinfa.people.selectors import person_list_page

    params = dict(params)
    after = params.pop("after", None)
    return lambda: person_list_page(scope, params, after=after, size=PAGE)


def measure_lists(runs):
    community = OrgNode.objects.get(code=f"{county_code(0)}-S01-C01")
    rows = []
    for role, code in ROLES:
        node = OrgNode.objects.get(code=code)
        client = Client()
        client.force_login(account(f"bench_people_{role}", node))
        visible = Person.objects.visible_to(scope_of(node)).alive().count()
        for label, call in list_requests(client, scope_of(node), community).items():
            ms, queries = timed(call, runs)
            rows.append((role, visible, label, ms, queries))
    return rows


def print_lists(size, rows):
    print(f"\nperson list at {size:,} people ({connection.vendor}; median of warm runs)")
    print(f"{'role (people visible)':28} {'page':40} {'median ms':>10} {'queries':>8}")
    for role, visible, label, ms, queries in rows:
        print(f"{f'{role} ({visible:,})':28} {label:40} {ms:10.1f} {queries:8d}")


def print_growth(sizes, results):
    small, large = sizes[0], sizes[-1]
    print(f"\ngrowth {small:,} -> {large:,} people (time ratio; target < 1.5; target time at 1,000,000 <= 150 ms)")
    print(f"{'role':10} {'page':40} {'ms ' + format(small, ','):>14} {'ms ' + format(large, ','):>14} "
          f"{'ratio':>7} {'queries':>9}")
    large_rows = {(r[0], _generic(r[2])): r for r in results[large]}
    for role, _visible, label, ms, queries in results[small]:
        other = large_rows.get((role, _generic(label)))
        if other is None:
            continue
        print(f"{role:10} {_generic(label):40} {ms:14.1f} {other[3]:14.1f} {other[3] / ms:7.2f} "
              f"{f'{queries} -> {other[4]}':>9}")


def _generic(label):
    return re.sub(r"[\d,]+ rows deep", "N rows deep", label)


# --- the roster import -------------------------------------------------------------------------------------------

def import_available():
    try:
        from yinfa.people.imports.sample import make_sample_roster  # noqa: F401
    except ImportError:
        return False
    return (ROOT / "yinfa/people/management/commands/import_people.py").exists()


def bare_parse(path):
    from python_calamine import CalamineWorkbook

    cells = 0
    for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        cells += len(row)
    return cells


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True,
                          text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout, time.perf_counter() - started


def measure_import(rows, runs):
    from yinfa.people.imports.sample import make_sample_roster

    path = Path(f"/tmp/yinfa-bench-roster-{rows}.xlsx")
    if not path.exists():
        started = time.perf_counter()
        make_sample_roster(path, rows)
        print(f"\nwrote {path} ({rows:,} rows, {path.stat().st_size / 1e6:.1f} MB) in "
              f"{time.perf_counter() - started:.1f} s")
    parse_ms, _ = timed(lambda: bare_parse(path), max(3, runs // 3))
    settings = connection.settings_dict
    scratch = f"{settings['NAME']}_import"
    base = f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    url = f"{base}/{scratch}"
    try:
        manage(url, "migrate", "-v0")
        manage(url, "synth", "--people", "100")  # a county with its units to import into
        unit = f"{county_code(0)}-U01"
        dry, dry_wall = manage(url, "import_people", str(path), "--org", unit, "--dry-run")
        full, full_wall = manage(url, "import_people", str(path), "--org", unit)
        again, again_wall = manage(url, "import_people", str(path), "--org", unit)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}"')

    def seconds(output):
        match = re.search(r"time ([\d.]+) s", output)
        return float(match.group(1)) if match else float("nan")

    print(f"\nroster import: {rows:,}-row .xlsx ({path.stat().st_size / 1e6:.1f} MB) into an empty unit")
    print(f"{'step':52} {'seconds':>9} {'rows/s':>10} {'x parse':>8}")
    parse_s = parse_ms / 1000
    print(f"{'bare parse (python-calamine, every cell)':52} {parse_s:9.2f} {rows / parse_s:10,.0f} {1:8.1f}")
    for label, output, wall in (("import_people --dry-run (check and plan)", dry, dry_wall),
                                ("import_people (end to end, new people)", full, full_wall),
                                ("import_people again (same file: nothing changes)", again, again_wall)):
        s = seconds(output)
        print(f"{label:52} {s:9.2f} {rows / s:10,.0f} {s / parse_s:8.1f}   (process wall {wall:.1f} s)")
    summary = [line for line in full.splitlines() if line.startswith(("rows ", "new "))]
    print("  " + "; ".join(summary))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--no-import", action="store_true")
    parser.add_argument("--no-list", action="store_true")
    options = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/people.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    sizes = sorted(int(s) for s in options.sizes.split(","))
    results = {}
    for size in [] if options.no_list else sizes:
        held = province_people()
        if held > size:
            print(f"\n{size:,} people: skipped (the database already holds {held:,})")
            continue
        if held < size:
            started = time.perf_counter()
            print(f"\nsynth --people {size}")
            call_command("synth", people=size)
            print(f"synth to {size:,} people took {time.perf_counter() - started:.1f} s")
        results[size] = measure_lists(options.runs)
        print_lists(size, results[size])
    measured = sorted(results)
    if len(measured) >= 2:
        print_growth(measured, results)
    if not options.no_import:
        if import_available():
            measure_import(options.import_rows, options.runs)
        else:
            print("\nroster import: not installed yet (yinfa.people.imports, manage.py import_people); skipped")


if __name__ == "__main__":
    main()
