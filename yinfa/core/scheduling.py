"""Periodic jobs: a tiny registry and the logic of the scheduler command.

A module registers a django-tasks task to run every so often::

    from django_tasks import task
    from yinfa.core.scheduling import periodic

    @periodic("send_reminders", every=timedelta(days=1))
    @task()
    def send_reminders():
        ...

``manage.py run_scheduler`` imports ``<app>.tasks`` of every installed app (``discover``), then enqueues each
job whose last enqueue is older than its period. PeriodicRun rows are locked while deciding, so two
schedulers never enqueue the same job twice.
"""

import importlib
import importlib.util
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from yinfa.core import audit
from yinfa.core.models import AuditAction, PeriodicRun

log = logging.getLogger("yinfa.scheduler")

NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: object  # a django_tasks Task

    @property
    def task_path(self):
        return self.task.module_path


REGISTRY: dict[str, PeriodicJob] = {}


def periodic(name, *, every):
    """Register a django-tasks Task to be enqueued by the scheduler every ``every``."""
    if not isinstance(every, timedelta) or every <= timedelta(0):
        raise ValueError("every must be a positive timedelta")

    def decorator(task_obj):
        if not hasattr(task_obj, "enqueue"):
            raise TypeError(f"@periodic({name!r}) must decorate a django-tasks Task (put @task() below it)")
        existing = REGISTRY.get(name)
        if existing is not None and existing.task_path != task_obj.module_path:
            raise ValueError(f"periodic job {name!r} is already registered by {existing.task_path}")
        REGISTRY[name] = PeriodicJob(name=name, every=every, task=task_obj)
        return task_obj

    return decorator


def discover():
    """Import the ``tasks`` module of every installed app so their periodic jobs register themselves."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.tasks"
        if importlib.util.find_spec(module_name) is not None:
            importlib.import_module(module_name)
    return REGISTRY


def _row(name):
    row, _ = PeriodicRun.objects.get_or_create(name=name, defaults={"last_enqueued_at": NEVER})
    return row


def enqueue_if_due(job, now=None):
    """Enqueue ``job`` when it is due. Returns True when it was enqueued by this call."""
    now = now or timezone.now()
    _row(job.name)
    with transaction.atomic():
        row = PeriodicRun.objects.select_for_update().get(name=job.name)
        if now - row.last_enqueued_at < job.every:
            return False
        job.task.enqueue()
        row.last_enqueued_at = now
        row.save(update_fields=["last_enqueued_at"])
    log.info("enqueued periodic job %s", job.name)
    return True


def enqueue_due(registry=None, now=None):
    """Enqueue every due job of ``registry`` (default: all registered). Returns the names enqueued."""
    registry = REGISTRY if registry is None else registry
    enqueued = []
    for job in sorted(registry.values(), key=lambda j: j.name):
        try:
            if enqueue_if_due(job, now=now):
                enqueued.append(job.name)
        except Exception:  # noqa: BLE001 - one broken job must not stop the others
            log.exception("could not enqueue periodic job %s", job.name)
    return enqueued


@transaction.atomic
def run_now(*, actor, name):
    """Enqueue a periodic job at once (the maintenance page's "run now"), audited."""
    job = discover().get(name)
    if job is None:
        raise KeyError(name)
    _row(name)
    row = PeriodicRun.objects.select_for_update().get(name=name)
    before = row.last_enqueued_at
    job.task.enqueue()
    row.last_enqueued_at = timezone.now()
    row.save(update_fields=["last_enqueued_at"])
    audit.record(AuditAction.SYSTEM, actor=actor, object_type="core.periodicrun", object_id=name,
                 object_repr=name, detail={"run_now": name},
                 changes={"last_enqueued_at": [None if before == NEVER else before.isoformat(),
                                               row.last_enqueued_at.isoformat()]})
    return row
