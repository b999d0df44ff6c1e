"""The audit trail: read, filter and export (audit administrator only). There is no edit and no delete."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yinfa.core.access import scope_checked
from yinfa.core.audit_filters import AuditEventFilter, filter_params
from yinfa.core.exports import start_export
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.models import AuditEvent, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.tasks import export_audit_events
from yinfa.core.views.home import module

PAGE_SIZE = 50
SUMMARY_FIELDS = 4


def _short(value, limit=40):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def change_summary(event):
    """A one-line summary: the changed fields, else the first items of the detail."""
    if event.changes:
        names = list(event.changes)
        summary = ", ".join(names[:SUMMARY_FIELDS])
        if len(names) > SUMMARY_FIELDS:
            summary += " " + _("and %(count)s more") % {"count": len(names) - SUMMARY_FIELDS}
        return summary
    if isinstance(event.detail, dict) and event.detail:
        return "; ".join(f"{key}: {_short(value)}" for key, value in list(event.detail.items())[:2])
    return ""


@module("audit")
@scope_checked(Perm.AUDIT_VIEW)
def audit_list(request):
    visible = AuditEvent.objects.visible_to(request.scope)
    filterset = AuditEventFilter(request.GET or None, queryset=visible)
    events = filterset.qs if not filterset.is_bound or filterset.is_valid() else visible.none()
    page = keyset_page(events, before=request.GET.get("before"), size=PAGE_SIZE, field="at")
    context = {
        "filter": filterset,
        "rows": [{"event": event, "summary": change_summary(event)} for event in page.rows],
        "next_url": next_page_url(request, page),
        "is_first_page": not request.GET.get("before"),
        "filters": filter_params(request.GET),
        "first_page_url": f"{request.path}?{urlencode(filter_params(request.GET))}",
        "can_export": request.scope.has(Perm.AUDIT_EXPORT),
    }
    template = "core/audit/list.html"
    if request.htmx and request.GET.get("before"):
        template += "#rows"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _change_rows(changes):
    rows = []
    for field, value in sorted((changes or {}).items()):
        if isinstance(value, list | tuple) and len(value) == 2:
            old, new = value
        else:
            old, new = None, value
        rows.append({"field": field, "old": old, "new": new})
    return rows


@module("audit")
@scope_checked(Perm.AUDIT_VIEW)
def audit_detail(request, pk):
    event = get_object_or_404(AuditEvent.objects.visible_to(request.scope), pk=pk)
    scope_node = (OrgNode.objects.visible_to(request.scope).filter(path=event.scope_path).only("name").first()
                  if event.scope_path else None)
    return render(request, "core/audit/detail.html", {
        "event": event,
        "scope_node": scope_node,
        "change_rows": _change_rows(event.changes),
        "detail_json": json.dumps(event.detail, ensure_ascii=False, indent=2, sort_keys=True) if event.detail else "",
    })


@module("audit")
@require_POST
@scope_checked(Perm.AUDIT_EXPORT)
def audit_export(request):
    filterset = AuditEventFilter(request.POST, queryset=AuditEvent.objects.none())
    if not filterset.is_valid():
        messages.error(request, _("The filter is not valid; correct it before exporting."))
        return redirect("core:audit_list")
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    job = start_export(
        actor=request.user, scope=request.scope, kind="audit_export",
        title=_("Audit trail export %(time)s") % {"time": stamp}, task=export_audit_events,
        params={"filters": filter_params(request.POST), "grant_id": request.scope.grant_id,
                "language": getattr(request, "LANGUAGE_CODE", "")},
        exported_type=AuditEvent._meta.label_lower,
    )
    messages.success(request, _("The export has started. The file can be downloaded here when it is ready."))
    return redirect("core:job_detail", uid=job.uid)
