"""The worker: its heartbeat, /healthz reading it, and run_worker running queued tasks."""

import datetime
import signal

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from yinfa.core.management.commands.run_worker import HeartbeatThread, beat, forget_old_workers
from yinfa.core.models import WorkerHeartbeat

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_a_beat_writes_one_row_per_worker_and_moves_it_forward():
    started = timezone.now()
    with time_machine.travel(started, tick=False):
        beat("worker-1", started)
    with time_machine.travel(started + datetime.timedelta(seconds=15), tick=False):
        beat("worker-1", started)
    row = WorkerHeartbeat.objects.get()
    assert row.worker_id == "worker-1" and row.pid > 0 and row.hostname
    assert row.started_at == started
    assert row.beat_at == started + datetime.timedelta(seconds=15)


@pytest.mark.django_db
def test_workers_silent_for_a_week_are_forgotten():
    now = timezone.now()
    beat("old", now)
    WorkerHeartbeat.objects.filter(worker_id="old").update(beat_at=now - datetime.timedelta(days=8))
    beat("new", now)
    assert forget_old_workers() == 1
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["new"]


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker():
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "worker": "missing"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_heartbeat_is_stale(settings):
    settings.YINFA_WORKER_HEARTBEAT_MAX_AGE = datetime.timedelta(seconds=120)
    beat("w", timezone.now())
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - datetime.timedelta(seconds=121))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale"


@pytest.mark.django_db
def test_healthz_is_200_when_the_heartbeat_is_fresh():
    beat("w", timezone.now())
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "worker": "ok"}}


@pytest.fixture
def restore_signals():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_until_stopped(monkeypatch):
    import threading

    from yinfa.core.management.commands import run_worker

    # The main thread waits on an event, not on the table: the in-memory test database (SQLite shared cache)
    # answers "table is locked" at once to a reader while the thread writes, instead of waiting.
    beaten = threading.Event()
    real_beat = run_worker.beat

    def beat_and_tell(*args, **kwargs):
        real_beat(*args, **kwargs)
        beaten.set()

    monkeypatch.setattr(run_worker, "beat", beat_and_tell)
    thread = HeartbeatThread("thread-worker", interval=0.05)
    thread.start()
    assert beaten.wait(timeout=5)
    thread.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert WorkerHeartbeat.objects.filter(worker_id="thread-worker").exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_run_worker_runs_queued_tasks_and_announces_itself(restore_signals, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from yinfa.core.management.commands import run_worker
    from yinfa.core.tasks import clear_expired_sessions

    # The in-memory test database (SQLite shared cache) answers "table is locked" at once instead of waiting, so the
    # heartbeat thread's housekeeping and beats must not race the worker's transaction here: no housekeeping, and
    # no beat during the run (the first beat is the worker's own, before the thread starts).
    monkeypatch.setattr(run_worker, "forget_old_workers", lambda: 0)

    result = clear_expired_sessions.enqueue()
    assert DBTaskResult.objects.get(id=result.id).status == "READY"
    call_command("run_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "test-worker",
                 "--heartbeat", "60", verbosity=0)
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert WorkerHeartbeat.objects.filter(worker_id="test-worker").exists()
