"""System administration: run-time settings and the maintenance page (system administrator only)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tasks_db.models import DBTaskResult

from yinfa.core import scheduling
from yinfa.core import system_settings as runtime_settings
from yinfa.core.access import scope_checked
from yinfa.core.forms import StyledFormMixin
from yinfa.core.models import AuditEvent, OrgNode, PeriodicRun, User, WorkerHeartbeat
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.views.jobs import jobs_for_maintenance

RECENT = 10


class SystemSettingsForm(StyledFormMixin, forms.Form):
    system_name = forms.CharField(
        label=runtime_settings.LABELS[runtime_settings.SYSTEM_NAME], max_length=60, required=False,
        help_text=gettext_lazy("Shown in the top bar and the browser title. Leave empty to use the default name."))
    password_max_age_days = forms.IntegerField(
        label=runtime_settings.LABELS[runtime_settings.PASSWORD_MAX_AGE_DAYS], min_value=0, max_value=3650,
        help_text=gettext_lazy("Users must change their password after this many days; 0 means never. "
                               "Level 3 protection expects 90 days or less."))
    login_notice = forms.CharField(
        label=runtime_settings.LABELS[runtime_settings.LOGIN_NOTICE], max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("A short notice shown on the login page, e.g. planned maintenance. Leave empty "
                               "for none."))
    wish_claim_days = forms.IntegerField(
        label=runtime_settings.LABELS[runtime_settings.WISH_CLAIM_DAYS], min_value=1, max_value=365,
        help_text=gettext_lazy("A claimed micro-wish not fulfilled within this many days returns to the wish wall."))

    def clean_system_name(self):
        return self.cleaned_data["system_name"].strip()

    def clean_login_notice(self):
        return self.cleaned_data["login_notice"].strip()


def _tabs(request, current):
    scope = request.scope
    tabs = []
    if scope.has(Perm.SYSTEM_SETTINGS):
        tabs.append({"key": "settings", "label": _("Settings"), "url_name": "core:system_settings"})
    if scope.has(Perm.SYSTEM_SETTINGS):
        tabs.append({"key": "holidays", "label": _("Holiday table"), "url_name": "core:holiday_table"})
    if scope.has(Perm.SYSTEM_MAINTENANCE):
        tabs.append({"key": "maintenance", "label": _("Maintenance"), "url_name": "core:system_maintenance"})
    for tab in tabs:
        tab["current"] = tab["key"] == current
    return tabs


@module("system")
@scope_checked(Perm.SYSTEM_SETTINGS)
def system_settings(request):
    form = SystemSettingsForm(request.POST or None, initial=runtime_settings.current_values())
    if request.method == "POST" and form.is_valid():
        changed = runtime_settings.update_settings(actor=request.user, values=form.cleaned_data)
        if changed:
            labels = ", ".join(str(runtime_settings.LABELS[key]) for key in changed)
            messages.success(request, _("Saved: %(settings)s.") % {"settings": labels})
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("core:system_settings")
    return render(request, "core/system/settings.html", {
        "form": form, "tabs": _tabs(request, "settings"),
        "environment_name": settings.YINFA_SYSTEM_NAME,
    })


def _heartbeats(now):
    max_age = settings.YINFA_WORKER_HEARTBEAT_MAX_AGE
    rows = list(WorkerHeartbeat.objects.order_by("-beat_at")[:RECENT])
    for row in rows:
        row.healthy = now - row.beat_at <= max_age
    return rows


def every_text(period):
    """'1 day', '6 hours', '30 minutes' for a job's period."""
    seconds = int(period.total_seconds())
    if seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}


def _periodic_rows(now):
    registry = scheduling.discover()
    runs = dict(PeriodicRun.objects.filter(name__in=list(registry)).values_list("name", "last_enqueued_at"))
    rows = []
    for name, job in sorted(registry.items()):
        last = runs.get(name)
        if last == scheduling.NEVER:
            last = None
        rows.append({"name": name, "every": every_text(job.every), "last": last,
                     "next": (last + job.every) if last else None,
                     "due": last is None or now - last >= job.every,
                     "doc": (job.task.func.__doc__ or "").strip().split("\n")[0]})
    return rows


def _database():
    try:
        version = ".".join(str(part) for part in connection.get_database_version())
    except Exception:  # noqa: BLE001 - the version is informative only
        version = ""
    return {
        "vendor": connection.display_name, "version": version,
        # Whole-table counts: fine on this rarely visited page, never on a hot one.
        "counts": [
            {"label": _("Organisations"), "value": OrgNode.objects.count()},
            {"label": _("Accounts"), "value": User.objects.count()},
            {"label": _("Audit events"), "value": AuditEvent.objects.count()},
            {"label": _("Tasks waiting"), "value": DBTaskResult.objects.ready().count()},
        ],
    }


@module("system")
@scope_checked(Perm.SYSTEM_MAINTENANCE)
def maintenance(request):
    if request.method == "POST":
        name = request.POST.get("run", "")
        try:
            scheduling.run_now(actor=request.user, name=name)
        except KeyError:
            raise Http404 from None
        messages.success(request, _("“%(name)s” has been queued; the worker runs it shortly.") % {"name": name})
        return redirect("core:system_maintenance")
    now = timezone.now()
    heartbeats = _heartbeats(now)
    context = {
        "tabs": _tabs(request, "maintenance"),
        "now": now,
        "heartbeats": heartbeats,
        "worker_healthy": bool(heartbeats) and heartbeats[0].healthy,
        "heartbeat_max_age": int(settings.YINFA_WORKER_HEARTBEAT_MAX_AGE.total_seconds()),
        "periodic": _periodic_rows(now),
        "recent_jobs": list(jobs_for_maintenance(request.scope).select_related("owner")
                            .order_by("-created_at", "-id")[:RECENT]),
        "failed_tasks": list(DBTaskResult.objects.failed().order_by("-finished_at")
                             .only("id", "task_path", "finished_at", "exception_class_path", "traceback")[:RECENT]),
        "database": _database(),
    }
    return render(request, "core/system/maintenance.html", context)
