"""Benchmark: the organisation tree pages on a province-sized tree (about 100,000 nodes).

Run against a scratch PostgreSQL database (it is created and migrated if needed; nodes are added once):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yinfa_bench .venv/bin/python bench/org_tree.py

Prints the median time and the SQL query count of: the tree page, a lazy children request of a county
(about 660 children; the first batch of 200 is shown), a search by name, and the same at the top of the province.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinfa.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from yinfa.core.models import OrgKind, OrgNode, RoleGrant, User  # noqa: E402
from yinfa.core.services.org import path_for  # noqa: E402

CITIES, COUNTIES, UNITS, STREETS, COMMUNITIES, BRANCHES, GROUPS = 16, 12, 40, 12, 8, 150, 2


def build():
    """Bulk-create the province with explicit ids, so paths are known before insert."""
    next_id = (OrgNode.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows = []

    def add(parent, kind, name):
        nonlocal next_id
        node = OrgNode(pk=next_id, kind=kind, code=f"B{next_id}", name=name, parent=parent,
                       path=path_for(parent.path if parent else "", next_id),
                       depth=(parent.depth + 1) if parent else 0)
        next_id += 1
        rows.append(node)
        if parent is not None:
            parent.child_count += 1
        return node

    province = add(None, OrgKind.BUREAU, "基准省委老干部局")
    for c in range(CITIES):
        city = add(province, OrgKind.BUREAU, f"第{c + 1}市委老干部局")
        for k in range(COUNTIES):
            county = add(city, OrgKind.DISTRICT, f"第{c + 1}市第{k + 1}县")
            for u in range(UNITS):
                add(county, OrgKind.UNIT, f"{county.name}第{u + 1}局")
            for s in range(STREETS):
                street = add(county, OrgKind.STREET, f"{county.name}第{s + 1}镇")
                for m in range(COMMUNITIES):
                    add(street, OrgKind.COMMUNITY, f"{street.name}第{m + 1}社区")
            committee = add(county, OrgKind.PARTY_COMMITTEE, f"{county.name}离退休干部工委")
            for b in range(BRANCHES):
                branch = add(committee, OrgKind.BRANCH, f"{county.name}离退休干部第{b + 1}支部")
                for g in range(GROUPS):
                    add(branch, OrgKind.PARTY_GROUP, f"{branch.name}第{g + 1}党小组")
            for b in range(BRANCHES * 4):  # one very wide county per city: 600 units directly under it
                if k == 0:
                    add(county, OrgKind.UNIT, f"{county.name}直属单位{b + 1}")
    OrgNode.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('core_orgnode', 'id'), "
                           "(SELECT max(id) FROM core_orgnode))")
            cursor.execute("ANALYZE core_orgnode")
    return province


def account(username, node):
    user, created = User.objects.get_or_create(username=username, defaults={"must_change_password": False})
    if created:
        from django.utils import timezone

        user.set_password("Bench@2026x")
        user.password_changed_at = timezone.now()
        user.save()
        RoleGrant.objects.create(user=user, role="bureau_admin", node=node)
    return user


def measure(client, url, params=None, runs=15):
    client.get(url, params or {})  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params or {})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params or {})
    return statistics.median(times), len(queries)


def main():
    call_command("migrate", verbosity=0)
    province = OrgNode.objects.filter(depth=0, name="基准省委老干部局").first()
    if province is None:
        started = time.perf_counter()
        province = build()
        print(f"built {OrgNode.objects.count():,} nodes in {time.perf_counter() - started:.1f} s")
    total = OrgNode.objects.count()
    wide_county = OrgNode.objects.filter(kind=OrgKind.DISTRICT).order_by("child_count").last()
    print(f"database: {connection.vendor}; nodes: {total:,}; widest county: {wide_county.name} "
          f"with {wide_county.child_count} children")
    rows = []
    for label, node in (("province", province), ("county", wide_county)):
        client = Client()
        client.force_login(account(f"bench_{label}", node))
        rows.append((f"{label}: tree page", *measure(client, reverse("core:org_tree"))))
        rows.append((f"{label}: children of the widest county",
                     *measure(client, reverse("core:org_children", kwargs={"pk": wide_county.pk}))))
        rows.append((f"{label}: search '第3镇'", *measure(client, reverse("core:org_search"), {"q": "第3镇"})))
    print(f"{'page':48} {'median ms':>10} {'queries':>8}")
    for label, ms, count in rows:
        print(f"{label:48} {ms:10.1f} {count:8d}")


if __name__ == "__main__":
    main()
