"""Build a province-sized synthetic data set for benchmarks: ``manage.py synth --people N [--seed S]
[--county-size 3400] [--workers W] [--batch 5000]``.

A province bureau (华阳省, fictional), cities of 12 counties, and one county shaped like the demo county per
``--county-size`` people, with N retirees generated like the demo's (valid ID numbers, encrypted personal data).
Run again with a larger N to top the province up: counties are added, existing people stay as they are.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yinfa.people.synth.build import DEFAULT_BATCH, DEFAULT_COUNTY_SIZE, synthesize

DEFAULT_SEED = 20261122


class Command(BaseCommand):
    help = "Build (or top up) a synthetic province of N retirees for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="how many people the province should hold")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
        parser.add_argument("--county-size", type=int, default=DEFAULT_COUNTY_SIZE,
                            help="people per county (default: %(default)s, like the demo county)")
        parser.add_argument("--workers", type=int, default=None,
                            help="processes inserting people (default: the CPUs, up to 4, on PostgreSQL; 1 on SQLite)")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH,
                            help="people per transaction (default: %(default)s)")

    def handle(self, *args, people, seed, county_size, workers, batch, **options):
        if settings.YINFA_ENV == "production":
            raise CommandError("synth writes fictional people; it refuses to run in production.")
        if people < 1 or county_size < 1 or batch < 1 or (workers is not None and workers < 1):
            raise CommandError("--people, --county-size, --batch and --workers must be positive.")
        started = time.monotonic()
        last = {"printed": 0.0}

        def progress(done, total, seconds):
            if done < total and seconds - last["printed"] < 5:
                return
            last["printed"] = seconds
            rate = done / seconds if seconds else 0
            self.stdout.write(f"  people {done:>11,} / {total:,} ({100 * done / total:5.1f} %)  "
                              f"{rate:,.0f} people/s  {seconds:.0f} s")
            self.stdout.flush()

        result = synthesize(people=people, seed=seed, county_size=county_size, batch=batch, workers=workers,
                            progress=progress)
        if not result.people_added:
            self.stdout.write(f"The synthetic province already holds {result.people_before:,} people; nothing to "
                              f"add.")
            return
        total = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Added {result.people_added:,} people in {result.counties_added:,} counties "
            f"({result.nodes_added:,} organisations) in {total:.1f} s; the province holds {result.people_total:,}."))
        rate = result.people_added / result.people_seconds if result.people_seconds else 0
        self.stdout.write(f"  tree {result.tree_seconds:.1f} s; people {result.people_seconds:.1f} s "
                          f"({rate:,.0f} people/s, {result.workers} worker(s)); analyze {result.analyze_seconds:.1f} s")
