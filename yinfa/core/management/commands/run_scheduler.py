"""The scheduler: enqueue every periodic job that is due (``--once``) or keep doing it (loop mode).

Run it from the run script, cron or a systemd timer (``--once``), or as a long-running process.
Several schedulers may run at once: the PeriodicRun rows are locked, a job is enqueued once.
"""

import signal
from time import monotonic, sleep

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from yinfa.core import scheduling


class Command(BaseCommand):
    help = "Enqueue the periodic jobs that are due (once, or every --interval seconds)"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every due job once and exit")
        parser.add_argument("--interval", type=float, default=60,
                            help="seconds between checks in loop mode (default: %(default)s)")

    def handle(self, *args, once, interval, **options):
        if interval <= 0:
            raise CommandError("--interval must be positive")
        registry = scheduling.discover()
        names = ", ".join(sorted(registry)) or "-"
        if options["verbosity"] >= 1:
            self.stdout.write(f"periodic jobs: {names}")
        if once:
            self._tick(registry, options["verbosity"])
            return
        self._running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while self._running:
            close_old_connections()
            self._tick(registry, options["verbosity"])
            close_old_connections()
            deadline = monotonic() + interval
            while self._running and monotonic() < deadline:
                sleep(min(1.0, interval))

    def _tick(self, registry, verbosity):
        enqueued = scheduling.enqueue_due(registry)
        if verbosity >= 1 and enqueued:
            self.stdout.write(f"enqueued: {', '.join(enqueued)}")

    def _stop(self, signum, frame):
        self._running = False
