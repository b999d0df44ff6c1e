"""Background tasks of the core app: the audit export and the platform's periodic housekeeping."""

import datetime
import logging
from importlib import import_module

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task, task_backends

from yinfa.core import system_settings
from yinfa.core.audit_filters import AuditEventFilter
from yinfa.core.exports import EXPORT_DIR, XlsxStream, export_file
from yinfa.core.models import AuditEvent, Job, Notification, User
from yinfa.core.permissions import Perm
from yinfa.core.scheduling import periodic
from yinfa.core.scope import Scope
from yinfa.core.services.jobs import Progress
from yinfa.core.services.notifications import notify

log = logging.getLogger("yinfa.tasks")

# An xlsx sheet holds 1,048,576 rows; a bigger export must be narrowed by its filter.
MAX_EXPORT_ROWS = 1_000_000
PASSWORD_REMINDER_DAYS = 7
EXPORT_FILES_KEEP_DAYS = 7
TASK_RESULTS_KEEP_DAYS = 30
FAILED_TASK_RESULTS_KEEP_DAYS = 90


def job_scope(job, perm):
    """The scope an export job runs in: the owner's role grant named in the job, if still held and allowed."""
    from yinfa.core.middleware import active_grants

    grant_id = job.params.get("grant_id")
    grant = next((g for g in active_grants(job.owner) if g.pk == grant_id), None) if job.owner else None
    if grant is None:
        raise PermissionDenied(_("The role this export was started with is no longer held."))
    scope = Scope.from_grant(grant)
    if not scope.has(perm):
        raise PermissionDenied(_("The role this export was started with may not export."))
    return scope


AUDIT_EXPORT_COLUMNS = (
    (gettext_lazy("Time"), 20), (gettext_lazy("Actor"), 16), (gettext_lazy("IP address"), 16),
    (gettext_lazy("Action"), 14), (gettext_lazy("Outcome"), 10), (gettext_lazy("Object type"), 18),
    (gettext_lazy("Object id"), 10), (gettext_lazy("Object"), 24), (gettext_lazy("Changes"), 50),
    (gettext_lazy("Detail"), 40), (gettext_lazy("Request id"), 38), (gettext_lazy("Personal data access"), 10),
)


@task()
def export_audit_events(job_id):
    """Write the audit events matching the job's filter (within the owner's scope) to an xlsx file."""
    job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), Progress(job_id) as progress:
        scope = job_scope(job, Perm.AUDIT_EXPORT)
        filterset = AuditEventFilter(job.params.get("filters", {}), queryset=AuditEvent.objects.visible_to(scope))
        if not filterset.is_valid():
            raise ValueError(_("The filter of this export is not valid."))
        rows = filterset.qs.order_by("-at", "-id")
        total = rows.count()
        progress.set_total(min(total, MAX_EXPORT_ROWS))
        relative, path = export_file(job.uid)
        yes, no = _("Yes"), _("No")
        with XlsxStream(path, AUDIT_EXPORT_COLUMNS, sheet_name=_("Audit trail")) as sheet:
            for event in rows[:MAX_EXPORT_ROWS].iterator(chunk_size=2000):
                sheet.write([
                    event.at, event.actor_name, event.ip, event.get_action_display(),
                    event.get_outcome_display(), event.object_type, event.object_id, event.object_repr,
                    event.changes or "", event.detail or "", event.request_id,
                    yes if event.personal_data else no,
                ])
                progress.advance()
        message = _("%(rows)s rows exported.") % {"rows": sheet.rows}
        if total > MAX_EXPORT_ROWS:
            message = _("Only the first %(rows)s of %(total)s rows were exported; narrow the filter.") % {
                "rows": sheet.rows, "total": total}
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        progress.succeed(result={"rows": sheet.rows, "filename": f"audit-{stamp}.xlsx"}, result_file=relative,
                         message=message)
        with transaction.atomic():
            notify(recipients=[job.owner], title=_("Your export is ready: %(title)s") % {"title": job.title},
                   body=message, url=reverse("core:job_detail", args=[job.uid]), obj=job)
    return {"rows": sheet.rows}


@periodic("clear_expired_sessions", every=datetime.timedelta(hours=1))
@task()
def clear_expired_sessions():
    """Delete expired login sessions."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return {"ok": True}


@periodic("purge_audit", every=datetime.timedelta(days=1))
@task()
def purge_audit():
    """Remove audit events past the retention period (the purge_audit command decides what may go)."""
    try:
        call_command("purge_audit")
    except CommandError as exc:
        if "Unknown command" not in str(exc):
            raise
        log.error("periodic job purge_audit: the purge_audit management command is missing (%s)", exc)
        return {"ok": False, "error": "missing command purge_audit"}
    return {"ok": True}


def _reminder_url():
    return reverse("core:password_change")


@periodic("password_expiry_reminders", every=datetime.timedelta(days=1))
@task()
def password_expiry_reminders():
    """Tell each account whose password expires within 7 days, at most once a day."""
    max_age = system_settings.password_max_age_days()
    if not max_age:
        return {"notified": 0}
    now = timezone.now()
    expired_before = now - datetime.timedelta(days=max_age)
    today_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    url = _reminder_url()
    already = Notification.objects.filter(object_type="core.user", url=url, created_at__gte=today_start)
    accounts = (
        User.objects.filter(is_active=True, must_change_password=False,
                            password_changed_at__gt=expired_before,
                            password_changed_at__lte=expired_before + datetime.timedelta(days=PASSWORD_REMINDER_DAYS))
        .exclude(pk__in=already.values("recipient_id"))
        .only("pk", "password_changed_at")
    )
    count = 0
    with transaction.atomic():
        for account in accounts:
            expires = timezone.localtime(account.password_changed_at + datetime.timedelta(days=max_age)).date()
            notify(recipients=[account], obj=account, url=url, title=_("Your password expires soon"),
                   body=_("Your password expires on %(date)s. Change it before then; after that day you "
                          "must change it when you log in.") % {"date": formats.date_format(expires, "Y-m-d")})
            count += 1
    return {"notified": count}


@periodic("prune_task_results", every=datetime.timedelta(days=1))
@task()
def prune_task_results():
    """Delete finished task results older than 30 days (failed ones after 90 days)."""
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(task_backends["default"], DatabaseBackend):
        return {"ok": False, "error": "the task backend keeps no results"}
    call_command("prune_db_task_results", queue_name="*", min_age_days=TASK_RESULTS_KEEP_DAYS,
                 failed_min_age_days=FAILED_TASK_RESULTS_KEEP_DAYS, verbosity=0)
    return {"ok": True}


@periodic("prune_export_files", every=datetime.timedelta(days=1))
@task()
def prune_export_files():
    """Delete export files older than 7 days: exported personal data must not linger on the server."""
    from pathlib import Path

    folder = Path(settings.MEDIA_ROOT) / EXPORT_DIR
    if not folder.is_dir():
        return {"deleted": 0}
    cutoff = timezone.now() - datetime.timedelta(days=EXPORT_FILES_KEEP_DAYS)
    deleted = []
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
            deleted.append(f"{EXPORT_DIR}/{path.name}")
    if deleted:
        Job.objects.filter(result_file__in=deleted).update(result_file="")
    return {"deleted": len(deleted)}
