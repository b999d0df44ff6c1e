"""Build (or top up) the synthetic province: the tree first, then each county's people in batches.

On PostgreSQL the counties are shared among worker processes (forked after the tree is committed; each opens
its own connection). SQLite allows one writer, so it runs in the calling process; so does a run inside an
open transaction (a test), where other processes could not see the tree.
"""

import multiprocessing
import os
import time
from dataclasses import dataclass

from django.db import connection, connections, transaction

from yinfa.core.demo.people import COUNTY_LIXIU, COUNTY_PEOPLE
from yinfa.people.models import Person
from yinfa.people.synth.people import county_people
from yinfa.people.synth.tree import create_counties, existing_county_count, existing_province

DEFAULT_COUNTY_SIZE = 3400
DEFAULT_BATCH = 5000
LIXIU_SHARE = COUNTY_LIXIU / COUNTY_PEOPLE  # about 7 %

# Set in the parent before forking the workers, read by them (not pickled).
_RUN = {}


@dataclass
class SynthResult:
    people_before: int
    people_added: int
    counties_added: int
    nodes_added: int
    workers: int
    tree_seconds: float
    people_seconds: float
    analyze_seconds: float
    province_path: str

    @property
    def people_total(self):
        return self.people_before + self.people_added


def county_sizes(people, county_size):
    """``people`` split into counties of ``county_size``, the last one holding the rest."""
    full, rest = divmod(people, county_size)
    return [county_size] * full + ([rest] if rest else [])


def insert_county(job, seed, batch):
    """Generate and insert one county's people, ``batch`` people per transaction. Returns how many."""
    people = county_people(job, seed)
    for start in range(0, len(people), batch):
        with transaction.atomic():
            Person.objects.bulk_create(people[start:start + batch], batch_size=1000)
    return len(people)


def _insert_in_worker(index):
    job = _RUN["jobs"][index]
    return insert_county(job, _RUN["seed"], _RUN["batch"])


def default_workers():
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def synthesize(*, people, seed, county_size=DEFAULT_COUNTY_SIZE, batch=DEFAULT_BATCH, workers=None,
               progress=None):
    """Make the province hold ``people`` people (adding counties to an existing one). ``progress(done, total,
    seconds)`` is called after each county."""
    if people < 1 or county_size < 1 or batch < 1:
        raise ValueError("people, county size and batch must be positive")
    province = existing_province()
    before = Person.objects.filter(unit_path__startswith=province.path).count() if province else 0
    first = existing_county_count(province) if province else 0
    missing = max(0, people - before)
    workers = workers or default_workers()
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        workers = 1
    started = time.monotonic()
    if not missing:
        return SynthResult(before, 0, 0, 0, workers, 0.0, 0.0, 0.0, province.path)
    province, jobs, nodes_added = create_counties(seed=seed, first=first, sizes=county_sizes(missing, county_size),
                                                  lixiu_share=LIXIU_SHARE)
    tree_seconds = time.monotonic() - started
    started = time.monotonic()
    done = 0
    if workers == 1:
        for job in jobs:
            done += insert_county(job, seed, batch)
            if progress:
                progress(done, missing, time.monotonic() - started)
    else:
        _RUN.update(jobs=jobs, seed=seed, batch=batch)
        connections.close_all()  # the workers must not share the parent's connection
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for added in pool.imap_unordered(_insert_in_worker, range(len(jobs))):
                    done += added
                    if progress:
                        progress(done, missing, time.monotonic() - started)
        finally:
            _RUN.clear()
    people_seconds = time.monotonic() - started
    started = time.monotonic()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Fresh planner statistics and visibility map for the benchmark's first queries.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE people_person")
            cursor.execute("VACUUM ANALYZE core_orgnode")
    return SynthResult(before, done, len(jobs), nodes_added, workers, tree_seconds, people_seconds,
                       time.monotonic() - started, province.path)
