"""The scheduler and the platform's periodic jobs."""

import datetime
import logging

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from yinfa.core import scheduling, system_settings
from yinfa.core import tasks as core_tasks
from yinfa.core.models import Notification, PeriodicRun
from yinfa.core.scheduling import PeriodicJob, periodic

pytestmark = pytest.mark.django_db

RAN = []


@task()
def record_hourly():
    RAN.append("hourly")


@task()
def record_daily():
    RAN.append("daily")


@pytest.fixture
def registry(monkeypatch):
    """A registry holding only two test jobs, used by the scheduler command too."""
    jobs = {
        "test_hourly": PeriodicJob("test_hourly", datetime.timedelta(hours=1), record_hourly),
        "test_daily": PeriodicJob("test_daily", datetime.timedelta(days=1), record_daily),
    }
    monkeypatch.setattr(scheduling, "REGISTRY", jobs)
    RAN.clear()
    yield jobs
    RAN.clear()


T0 = datetime.datetime(2026, 11, 22, 8, 0, tzinfo=datetime.UTC)


def test_once_enqueues_due_jobs_and_not_the_others(registry):
    with time_machine.travel(T0, tick=False):
        call_command("run_scheduler", "--once", verbosity=0)
    assert sorted(RAN) == ["daily", "hourly"]
    assert PeriodicRun.objects.get(name="test_hourly").last_enqueued_at == T0
    RAN.clear()
    with time_machine.travel(T0 + datetime.timedelta(minutes=59), tick=False):
        call_command("run_scheduler", "--once", verbosity=0)
    assert RAN == []
    with time_machine.travel(T0 + datetime.timedelta(minutes=61), tick=False):
        call_command("run_scheduler", "--once", verbosity=0)
    assert RAN == ["hourly"]
    with time_machine.travel(T0 + datetime.timedelta(hours=24, minutes=1), tick=False):
        call_command("run_scheduler", "--once", verbosity=0)
    assert sorted(RAN) == ["daily", "hourly", "hourly"]
    assert PeriodicRun.objects.get(name="test_daily").last_enqueued_at == T0 + datetime.timedelta(hours=24, minutes=1)


def test_a_job_enqueued_by_another_scheduler_is_not_enqueued_again(registry):
    PeriodicRun.objects.create(name="test_hourly", last_enqueued_at=T0)
    with time_machine.travel(T0 + datetime.timedelta(minutes=5), tick=False):
        assert scheduling.enqueue_due() == ["test_daily"]
    assert RAN == ["daily"]


def test_a_failing_enqueue_does_not_stop_the_other_jobs(registry, monkeypatch, caplog):
    class Broken:
        module_path = "tests.broken"

        def enqueue(self):
            raise RuntimeError("queue down")

    registry["a_broken"] = PeriodicJob("a_broken", datetime.timedelta(hours=1), Broken())
    with caplog.at_level(logging.ERROR, logger="yinfa.scheduler"):
        assert scheduling.enqueue_due() == ["test_daily", "test_hourly"]
    assert "a_broken" in caplog.text
    assert PeriodicRun.objects.get(name="a_broken").last_enqueued_at == scheduling.NEVER


def test_periodic_registers_a_task_and_refuses_a_plain_function(monkeypatch):
    monkeypatch.setattr(scheduling, "REGISTRY", {})
    assert periodic("x", every=datetime.timedelta(minutes=5))(record_hourly) is record_hourly
    assert scheduling.REGISTRY["x"].task is record_hourly
    with pytest.raises(TypeError):
        periodic("y", every=datetime.timedelta(minutes=5))(lambda: None)
    with pytest.raises(ValueError):
        periodic("z", every=datetime.timedelta(0))
    with pytest.raises(ValueError):
        periodic("x", every=datetime.timedelta(minutes=5))(record_daily)


def test_discovery_finds_the_platforms_periodic_jobs():
    names = set(scheduling.discover())
    assert {"clear_expired_sessions", "purge_audit", "password_expiry_reminders", "prune_task_results"} <= names
    assert scheduling.REGISTRY["clear_expired_sessions"].every == datetime.timedelta(hours=1)


def test_the_scheduler_refuses_a_nonpositive_interval(registry):
    with pytest.raises(CommandError):
        call_command("run_scheduler", "--interval", "0", verbosity=0)


def test_clear_expired_sessions_deletes_only_expired_ones():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="x", expire_date=now - datetime.timedelta(minutes=1))
    Session.objects.create(session_key="new", session_data="x", expire_date=now + datetime.timedelta(minutes=30))
    core_tasks.clear_expired_sessions.call()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]


def test_purge_audit_logs_loudly_when_its_command_is_missing(monkeypatch, caplog):
    def missing(name, *args, **kwargs):
        raise CommandError(f"Unknown command: {name!r}")

    monkeypatch.setattr(core_tasks, "call_command", missing)
    with caplog.at_level(logging.ERROR, logger="yinfa.tasks"):
        assert core_tasks.purge_audit.call() == {"ok": False, "error": "missing command purge_audit"}
    assert "purge_audit" in caplog.text


def test_purge_audit_calls_the_command(monkeypatch):
    calls = []
    monkeypatch.setattr(core_tasks, "call_command", lambda name, *a, **k: calls.append(name))
    assert core_tasks.purge_audit.call() == {"ok": True}
    assert calls == ["purge_audit"]


class TestPasswordExpiryReminders:
    @pytest.fixture(autouse=True)
    def ninety_days(self, settings):
        settings.YINFA_PASSWORD_MAX_AGE_DAYS = 90
        system_settings.clear_cache()
        yield
        system_settings.clear_cache()

    def age(self, user, days):
        type(user).objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - datetime.timedelta(days=days))

    def reminders(self, user):
        return Notification.objects.filter(recipient=user, url=reverse("core:password_change"))

    def run(self, capture):
        with capture(execute=True):
            return core_tasks.password_expiry_reminders.call()

    def test_it_reminds_accounts_whose_password_expires_within_a_week(self, world, django_capture_on_commit_callbacks):
        self.age(world.county_a_admin, 85)   # expires in 5 days
        self.age(world.county_b_admin, 10)   # far from expiry
        self.age(world.unit_a_admin, 100)    # already expired: the login forces the change
        assert self.run(django_capture_on_commit_callbacks) == {"notified": 1}
        assert self.reminders(world.county_a_admin).count() == 1
        assert not self.reminders(world.county_b_admin).exists()
        assert not self.reminders(world.unit_a_admin).exists()
        assert "过期" in self.reminders(world.county_a_admin).get().body

    def test_it_reminds_at_most_once_a_day(self, world, django_capture_on_commit_callbacks):
        self.age(world.county_a_admin, 85)
        start = timezone.now()
        self.run(django_capture_on_commit_callbacks)
        assert self.run(django_capture_on_commit_callbacks) == {"notified": 0}
        assert self.reminders(world.county_a_admin).count() == 1
        with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
            self.run(django_capture_on_commit_callbacks)
        assert self.reminders(world.county_a_admin).count() == 2

    def test_it_does_nothing_when_passwords_never_expire(self, world, django_capture_on_commit_callbacks, settings):
        settings.YINFA_PASSWORD_MAX_AGE_DAYS = 0
        self.age(world.county_a_admin, 85)
        assert self.run(django_capture_on_commit_callbacks) == {"notified": 0}

    def test_the_system_setting_overrides_the_configured_age(self, world, django_capture_on_commit_callbacks):
        system_settings.update_settings(actor=world.system_admin, values={"password_max_age_days": 30})
        self.age(world.county_a_admin, 85)
        self.age(world.county_b_admin, 25)
        self.run(django_capture_on_commit_callbacks)
        assert not self.reminders(world.county_a_admin).exists()
        assert self.reminders(world.county_b_admin).count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_prune_task_results_deletes_old_finished_results():
    from django_tasks_db.models import DBTaskResult

    old = core_tasks.clear_expired_sessions.enqueue()
    recent = core_tasks.clear_expired_sessions.enqueue()
    waiting = core_tasks.clear_expired_sessions.enqueue()
    DBTaskResult.objects.filter(id=old.id).update(status="SUCCESSFUL",
                                                  finished_at=timezone.now() - datetime.timedelta(days=40))
    DBTaskResult.objects.filter(id=recent.id).update(status="SUCCESSFUL", finished_at=timezone.now())
    assert core_tasks.prune_task_results.call() == {"ok": True}
    assert set(DBTaskResult.objects.values_list("id", flat=True)) == {
        DBTaskResult.objects.get(id=recent.id).id, DBTaskResult.objects.get(id=waiting.id).id}


def test_prune_task_results_skips_a_backend_without_results():
    assert core_tasks.prune_task_results.call()["ok"] is False


def test_loop_mode_checks_again_after_the_interval(registry, monkeypatch):
    import signal

    from yinfa.core.management.commands import run_scheduler

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    naps = []

    class Stop(Exception):
        pass

    def fake_sleep(seconds):
        naps.append(seconds)
        if len(naps) >= 3:
            raise Stop

    # The test runs inside a transaction, which closing "old" connections would end.
    monkeypatch.setattr(run_scheduler, "close_old_connections", lambda: None)
    monkeypatch.setattr(run_scheduler, "sleep", fake_sleep)
    monkeypatch.setattr(run_scheduler, "monotonic", lambda: float(len(naps)))
    try:
        with time_machine.travel(T0, tick=False), pytest.raises(Stop):
            call_command("run_scheduler", "--interval", "2", verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    assert sorted(RAN) == ["daily", "hourly"]  # the second check, 2 s later, found nothing due
    assert PeriodicRun.objects.count() == 2
