"""Benchmark: three SQL shapes of the person list's pinyin search, on the synthetic province of bench/people.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yinfa_bench_people .venv/bin/python bench/people_search_shapes.py

The list is ordered by (name_pinyin, id) and the search ``q`` matches the pinyin or the initials by prefix. For a
wide match (``wang``: about 7 % of a province) the database walks the (name_pinyin, id) index in order and filters
each row; with ``name_pinyin LIKE 'q%' OR name_initials LIKE 'q%'`` the walk starts at 'a'. Shapes compared (first
page of 51 ids, living people, median of 5 warm runs; each shape is checked to return the same ids):

- ``OR walk``: the plain condition;
- ``first-letter range``: the same plus ``name_pinyin >= q[0] AND name_pinyin < q[0]+1`` (every match of either
  alternative starts with the first letter), so the walk starts at that letter;
- ``split in two``: the pinyin alternative as a range ``[q, q+1)`` on the leading sort column (an index range
  walked in order, stopping after a page) and the initials alternative with the first-letter range, each limited
  to a page, merged by (name_pinyin, id).
Prints figures only.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yinfa.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Q  # noqa: E402

from yinfa.core.models import OrgNode  # noqa: E402
from yinfa.core.scope import Scope  # noqa: E402
from yinfa.people.models import Person  # noqa: E402
from yinfa.people.synth.tree import PROVINCE_CODE, city_code, county_code  # noqa: E402

PAGE = 51
QUERIES = ("wang", "wu", "zh", "li", "w", "wangguo", "wgh")


def median_ms(call, runs=5):
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def after(text):
    """The smallest string greater than every string starting with ``text``."""
    return text[:-1] + chr(ord(text[-1]) + 1)


def shapes(people, q):
    either = Q(name_pinyin__startswith=q) | Q(name_initials__startswith=q)
    first = Q(name_pinyin__gte=q[0], name_pinyin__lt=after(q[0]))

    def or_walk():
        return list(people.filter(either).values_list("id", flat=True)[:PAGE])

    def first_letter():
        return list(people.filter(either, first).values_list("id", flat=True)[:PAGE])

    def split():
        by_pinyin = people.filter(name_pinyin__gte=q, name_pinyin__lt=after(q))
        by_initials = people.filter(first, name_initials__startswith=q)
        rows = {*by_pinyin.values_list("name_pinyin", "id")[:PAGE],
                *by_initials.values_list("name_pinyin", "id")[:PAGE]}
        return [pk for _name, pk in sorted(rows)[:PAGE]]

    return {"OR walk": or_walk, "first-letter range": first_letter, "split in two": split}


def main():
    print(f"people: {Person.objects.count():,}")
    print(f"{'scope':10} {'q':9} " + " ".join(f"{name:>20}" for name in ("OR walk", "first-letter range",
                                                                         "split in two")))
    for label, code in (("county", county_code(0)), ("city", city_code(0)), ("province", PROVINCE_CODE)):
        node = OrgNode.objects.get(code=code)
        scope = Scope(grant_id=0, node_id=node.pk, node_name=node.name, path=node.path, depth=node.depth,
                      role="bureau_admin")
        people = Person.objects.visible_to(scope).alive().order_by("name_pinyin", "id")
        for q in QUERIES:
            calls = shapes(people, q)
            results = {name: call() for name, call in calls.items()}
            same = len({tuple(ids) for ids in results.values()}) == 1
            times = " ".join(f"{median_ms(call):17.1f} ms" for call in calls.values())
            print(f"{label:10} {q:9} {times}{'' if same else '   (results differ!)'}")


if __name__ == "__main__":
    main()
