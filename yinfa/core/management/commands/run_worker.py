"""The background worker: django-tasks-db's ``db_worker`` plus a heartbeat that /healthz checks.

Options are those of ``db_worker`` (``--queue-name``, ``--interval``, ``--batch``, ``--worker-id``…) and
``--heartbeat`` (seconds between beats, default 15).
"""

import datetime
import logging
import os
import socket
import threading

from django.db import connections
from django.utils import timezone
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from yinfa.core.models import WorkerHeartbeat

log = logging.getLogger("yinfa.worker")

HEARTBEAT_SECONDS = 15
STALE_ROWS_AFTER = datetime.timedelta(days=7)


def beat(worker_id, started_at):
    """Record that worker ``worker_id`` is alive now (one row per worker, upserted)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:64],
        defaults={"hostname": socket.gethostname()[:120], "pid": os.getpid(), "started_at": started_at,
                  "beat_at": timezone.now()},
    )


def forget_old_workers(now=None):
    """Delete heartbeat rows of workers silent for a week (workers get a new id at each start)."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(beat_at__lt=now - STALE_ROWS_AFTER).delete()[0]


class HeartbeatThread(threading.Thread):
    """A daemon thread that beats every ``interval`` seconds until ``stop()``; it never holds a connection.

    The first beat is the starter's job (``beat`` before ``start``), so a worker shows up at once.
    """

    def __init__(self, worker_id, interval=HEARTBEAT_SECONDS):
        super().__init__(name="yinfa-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.interval = interval
        self.started_at = timezone.now()
        self._stop_event = threading.Event()

    def run(self):
        try:
            forget_old_workers()
        except Exception:  # noqa: BLE001 - housekeeping must not stop the heartbeat
            log.exception("could not delete old heartbeat rows")
        finally:
            connections.close_all()
        while not self._stop_event.wait(self.interval):
            try:
                beat(self.worker_id, self.started_at)
            except Exception:  # noqa: BLE001 - a database hiccup must not kill the thread; /healthz will tell
                log.exception("worker heartbeat failed")
            finally:
                connections.close_all()

    def stop(self):
        self._stop_event.set()


class Command(DbWorkerCommand):
    help = "Run the background worker (django-tasks database backend) with a heartbeat for /healthz"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--heartbeat", type=float, default=HEARTBEAT_SECONDS,
                            help="seconds between heartbeats (default: %(default)s)")

    def handle(self, *args, heartbeat, **options):
        # With --reload the parent process only restarts the child; the child does the work and beats.
        reloading_parent = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        thread = None
        if not reloading_parent:
            thread = HeartbeatThread(options["worker_id"], interval=max(1.0, heartbeat))
            beat(thread.worker_id, thread.started_at)
            thread.start()
            log.info("worker %s started on %s (pid %s)", options["worker_id"], socket.gethostname(), os.getpid())
        try:
            return super().handle(*args, **options)
        finally:
            if thread is not None:
                thread.stop()
                thread.join(timeout=5)
