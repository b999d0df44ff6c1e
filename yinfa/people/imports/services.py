"""The writes of the web import flow: upload (store, check, start the preview), confirm, cancel, retry.

Each step is audited (AuditAction.IMPORT with the step in ``detail``). A batch belongs to the scope of the
role that uploaded it (``scope_path``).
"""

import datetime
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, AuditOutcome, JobStatus, OrgKind, OrgNode
from yinfa.core.scope import scoped
from yinfa.core.services.jobs import start_job
from yinfa.people.imports.safety import ACCEPTED_EXTENSIONS, UnsafeFile, check_file, check_name, check_size
from yinfa.people.models import ImportBatch, ImportStatus

IMPORT_DIR = "imports"
# A run that has not finished after this long died with its worker: it may be started again.
STALE_RUN = datetime.timedelta(minutes=15)
KIND_EXTENSIONS = {kind: ext for ext, kind in ACCEPTED_EXTENSIONS.items()}


def batches_visible_to(scope):
    """Import batches uploaded within the scope's subtree (the one scoping function)."""
    return scoped(ImportBatch.objects.all(), scope, "scope_path")


def units_for_import(scope):
    """The open work units of the scope, which a roster may be imported into."""
    return OrgNode.objects.visible_to(scope).open_on().filter(kind=OrgKind.UNIT)


def media_path(relative) -> Path | None:
    """The absolute path of a file stored under MEDIA_ROOT/imports, or None if outside that folder."""
    if not relative:
        return None
    root = (Path(settings.MEDIA_ROOT) / IMPORT_DIR).resolve()
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    return path if root in path.parents else None


def errors_relative(batch):
    return f"{IMPORT_DIR}/{batch.uid}-errors.xlsx"


def _remove(relative):
    path = media_path(relative)
    if path is not None and path.exists():
        os.unlink(path)


def _refuse(actor, unit, name, reason):
    with transaction.atomic():
        audit.record(AuditAction.IMPORT, actor=actor, obj=unit, outcome=AuditOutcome.FAILURE,
                     object_repr=name[:200], detail={"step": "upload", "file": name[:200], "refused": reason})
    raise ValidationError({"file": reason})


def upload_roster(*, actor, scope, unit, uploaded, language=""):
    """Store an uploaded roster, refuse it if unsafe, and start its check (the preview) as a job."""
    from yinfa.people.imports.jobs import validate_batch

    if not units_for_import(scope).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("Choose a work unit within your scope.")})
    name = Path(uploaded.name or "").name[:200]
    try:
        kind = check_name(name)
        check_size(uploaded.size)
    except UnsafeFile as exc:
        _refuse(actor, unit, name, exc.reason)
    batch = ImportBatch(unit=unit, scope_path=scope.path, original_name=name, file_size=uploaded.size,
                        uploaded_by=actor)
    relative = f"{IMPORT_DIR}/{batch.uid}{KIND_EXTENSIONS[kind]}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
    try:
        check_file(path, name)
    except UnsafeFile as exc:
        os.unlink(path)
        _refuse(actor, unit, name, exc.reason)
    batch.stored_file = relative
    with transaction.atomic():
        batch.save()
        job = start_job(actor=actor, scope=scope, kind="people_import_check",
                        title=_("Check roster: %(name)s") % {"name": name}, task=validate_batch,
                        params={"batch": batch.pk, "grant_id": scope.grant_id, "language": language})
        batch.job = job
        batch.save(update_fields=["job"])
        audit.record(AuditAction.IMPORT, actor=actor, obj=batch, object_repr=name,
                     detail={"step": "upload", "unit": unit.name, "size": uploaded.size, "batch": str(batch.uid)})
    return batch


def can_confirm(batch):
    return batch.status == ImportStatus.PREVIEWED and batch.summary.get("valid", 0) > 0


def can_retry(batch, now=None):
    """A run that failed, or whose worker died (nothing was written: it was one transaction)."""
    if batch.status == ImportStatus.FAILED:
        return bool(batch.summary.get("checked"))
    if batch.status != ImportStatus.RUNNING or batch.job is None:
        return False
    if batch.job.status == JobStatus.FAILED:
        return True
    started = batch.job.started_at or batch.job.created_at
    return batch.job.finished_at is None and (now or timezone.now()) - started > STALE_RUN


def can_cancel(batch):
    return batch.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED)


@transaction.atomic
def confirm_import(*, actor, scope, batch, language=""):
    """Start the import of a checked batch (or run it again after a failure) as a background job."""
    from yinfa.people.imports.jobs import run_batch

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    retry = can_retry(batch)
    if not (can_confirm(batch) or retry):
        raise ValidationError(_("This import cannot be started now (it is %(status)s).") % {
            "status": batch.get_status_display()})
    job = start_job(actor=actor, scope=scope, kind="people_import_run",
                    title=_("Import roster: %(name)s") % {"name": batch.original_name}, task=run_batch,
                    params={"batch": batch.pk, "grant_id": scope.grant_id, "language": language})
    batch.status = ImportStatus.RUNNING
    batch.job = job
    batch.save(update_fields=["status", "job"])
    audit.record(AuditAction.IMPORT, actor=actor, obj=batch, object_repr=batch.original_name,
                 detail={"step": "retry" if retry else "confirm", "batch": str(batch.uid),
                         "expected": {k: batch.summary.get(k, 0) for k in ("new", "update", "unchanged")}})
    return batch


@transaction.atomic
def cancel_import(*, actor, scope, batch):
    """Drop a batch that was not imported: its stored file and error workbook are deleted."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not can_cancel(batch):
        raise ValidationError(_("This import can no longer be cancelled."))
    stored, errors_file = batch.stored_file, batch.errors_file
    batch.status = ImportStatus.CANCELLED
    batch.stored_file = ""
    batch.errors_file = ""
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "stored_file", "errors_file", "finished_at"])
    audit.record(AuditAction.IMPORT, actor=actor, obj=batch, object_repr=batch.original_name,
                 detail={"step": "cancel", "batch": str(batch.uid)})
    transaction.on_commit(lambda: (_remove(stored), _remove(errors_file)))
    return batch


@transaction.atomic
def record_errors_download(*, actor, batch):
    """The error workbook holds personal data (the rows as uploaded): its download is audited."""
    audit.record(AuditAction.EXPORT, actor=actor, obj=batch, object_repr=batch.original_name,
                 detail={"step": "errors_download", "batch": str(batch.uid), "file": batch.errors_file},
                 personal_data=True)
