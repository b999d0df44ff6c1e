"""Background tasks of the import flow: check a batch (the preview) and run it (the import).

Progress of the real run is written through a second database connection on PostgreSQL, because the run is
one transaction and the page polling the job would not see writes made inside it. On SQLite a second writer
would wait for the first, so progress shows when the run commits.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from yinfa.core.models import Job, JobStatus
from yinfa.core.permissions import Perm
from yinfa.core.scope import Scope
from yinfa.core.services.notifications import notify
from yinfa.people.imports.reader import RosterError
from yinfa.people.imports.run import ImportPass
from yinfa.people.imports.safety import UnsafeFile
from yinfa.people.imports.services import errors_relative, media_path
from yinfa.people.models import ImportBatch, ImportStatus

log = logging.getLogger("yinfa.people.imports")


class JobProgress:
    """Like ``yinfa.core.services.jobs.Progress`` (set_total/advance, throttled), but usable inside the run's
    transaction."""

    def __init__(self, job_id, every=0.5):
        self.job_id = job_id
        self.every = every
        self.done = 0
        self.total = 0
        self._last = 0.0
        self._side = None

    def __enter__(self):
        Job.objects.filter(pk=self.job_id).update(status=JobStatus.RUNNING, started_at=timezone.now(),
                                                  message="", done=0)
        if connection.vendor == "postgresql":
            self._side = connections.create_connection("default")
        return self

    def _write(self, force=False):
        now = timezone.now().timestamp()
        if not force and now - self._last < self.every:
            return
        self._last = now
        if self._side is not None and connection.in_atomic_block:
            with self._side.cursor() as cursor:
                cursor.execute(f"UPDATE {Job._meta.db_table} SET done = %s, total = %s WHERE id = %s",
                               [self.done, self.total, self.job_id])
        else:
            Job.objects.filter(pk=self.job_id).update(done=self.done, total=self.total)

    def set_total(self, total):
        self.total = total
        self._write(force=True)

    def advance(self, count=1, message=None):
        self.done += count
        self.total = max(self.total, self.done)
        self._write()

    def finish(self, status, message="", result=None):
        Job.objects.filter(pk=self.job_id).update(
            status=status, done=self.total if status == JobStatus.SUCCEEDED else self.done, total=self.total,
            message=message[:300], result=result or {}, finished_at=timezone.now())

    def __exit__(self, exc_type, exc, tb):
        if self._side is not None:
            self._side.close()
        if exc is not None:
            self.finish(JobStatus.FAILED, str(exc))
        return False


def batch_scope(job):
    """The scope the job runs in: the owner's role grant named in the job, if still held and allowed."""
    from yinfa.core.middleware import active_grants

    grant_id = job.params.get("grant_id")
    grant = next((g for g in active_grants(job.owner) if g.pk == grant_id), None) if job.owner else None
    if grant is None:
        raise PermissionDenied(_("The role this import was started with is no longer held."))
    scope = Scope.from_grant(grant)
    if not scope.has(Perm.PEOPLE_IMPORT):
        raise PermissionDenied(_("The role this import was started with may not import rosters."))
    return scope


def _load(job_id):
    job = Job.objects.select_related("owner").get(pk=job_id)
    batch = ImportBatch.objects.select_related("unit").get(pk=job.params["batch"])
    return job, batch


def _stop(batch, progress, message, status=ImportStatus.FAILED):
    batch.summary = {**batch.summary, "message": message}
    batch.status = status
    batch.finished_at = timezone.now()
    batch.save(update_fields=["summary", "status", "finished_at"])
    progress.finish(JobStatus.FAILED, message)


def _pass(batch, job, scope, progress, write):
    relative = errors_relative(batch)
    return ImportPass(path=media_path(batch.stored_file), original_name=batch.original_name, scope=scope,
                      unit=batch.unit, actor=job.owner, write=write, errors_path=media_path(relative),
                      progress=progress, audit_detail={"batch": str(batch.uid), "file": batch.original_name})


@task()
def validate_batch(job_id):
    """Check an uploaded roster without writing anything: the preview."""
    job, batch = _load(job_id)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), JobProgress(job_id) as progress:
        if batch.status != ImportStatus.UPLOADED:
            progress.finish(JobStatus.SUCCEEDED, _("Nothing to check: the import is %(status)s.") % {
                "status": batch.get_status_display()})
            return {"skipped": True}
        scope = batch_scope(job)
        try:
            outcome = _pass(batch, job, scope, progress, write=False).run()
        except (UnsafeFile, RosterError) as exc:
            _stop(batch, progress, exc.reason)
            return {"refused": exc.reason}
        batch.summary = {**outcome.summary(), "checked": True}
        batch.errors = outcome.error_list()
        batch.errors_file = errors_relative(batch) if outcome.invalid else ""
        batch.status = ImportStatus.PREVIEWED
        batch.save(update_fields=["summary", "errors", "errors_file", "status"])
        message = _("%(valid)s rows can be imported, %(invalid)s cannot.") % {
            "valid": outcome.valid, "invalid": outcome.invalid}
        progress.finish(JobStatus.SUCCEEDED, message, result={"rows": outcome.rows, "errors": outcome.invalid})
    return {"valid": outcome.valid, "invalid": outcome.invalid}


@task()
def run_batch(job_id):
    """Import a checked roster: one transaction; the batch is marked imported in the same transaction."""
    job, batch = _load(job_id)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), JobProgress(job_id) as progress:
        scope = batch_scope(job)
        messages = []

        def mark_imported(outcome):
            """Inside the run's transaction: the batch is imported exactly when the people are."""
            batch.summary = {**outcome.summary(), "checked": True}
            batch.errors = outcome.error_list()
            batch.errors_file = errors_relative(batch) if outcome.invalid else ""
            batch.status = ImportStatus.SUCCEEDED
            batch.finished_at = timezone.now()
            batch.save(update_fields=["summary", "errors", "errors_file", "status", "finished_at"])
            message = _("%(new)s people added, %(update)s updated, %(unchanged)s unchanged, %(invalid)s rows "
                        "not imported.") % {"new": outcome.new, "update": outcome.update,
                                            "unchanged": outcome.unchanged, "invalid": outcome.invalid}
            messages.append(message)
            notify(recipients=[job.owner], title=_("Roster imported: %(name)s") % {"name": batch.original_name},
                   body=message, url=reverse("people:import_detail", args=[batch.uid]), obj=batch)

        try:
            import_pass = _pass(batch, job, scope, progress, write=True)
            import_pass.on_written = mark_imported
            outcome = import_pass.run()
        except (UnsafeFile, RosterError) as exc:
            _stop(batch, progress, exc.reason)
            return {"refused": exc.reason}
        except Exception as exc:
            log.exception("import %s failed", batch.uid)
            _stop(batch, progress, _("The import failed and nothing was written: %(error)s") % {"error": exc})
            return {"failed": str(exc)[:300]}
        message = messages[0]
        progress.finish(JobStatus.SUCCEEDED, message, result={
            "created": outcome.new, "updated": outcome.update, "skipped": outcome.skipped,
            "errors": outcome.invalid})
    return {"created": outcome.new, "updated": outcome.update}
