"""Home page, scope switcher, large-font mode, health check, error pages."""

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yinfa.core.access import own_account, public
from yinfa.core.middleware import SCOPE_SESSION_KEY
from yinfa.core.models import WorkerHeartbeat
from yinfa.core.services import accounts


def module(key):
    def decorator(view):
        view.yinfa_module = key
        return view

    return decorator


def _safe_next(request, fallback="core:home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@module("home")
@own_account
def home(request):
    """The landing page: the role in use and its scope, or how to get a role when there is none."""
    summary = []
    if request.scope is not None:
        from yinfa.core.home_summary import summary_for

        summary = summary_for(request.scope)
    return render(request, "core/home.html", {"summary": summary})


@require_POST
@own_account
def switch_scope(request):
    grant_id = request.POST.get("grant")
    if not any(str(g.pk) == grant_id for g in request.grants):
        raise Http404
    request.session[SCOPE_SESSION_KEY] = int(grant_id)
    return redirect("core:home")


@require_POST
@own_account
def toggle_large_font(request):
    accounts.set_large_font(actor=request.user, user=request.user, enabled=not request.user.large_font)
    return redirect(_safe_next(request))


@never_cache
@public
def healthz(request):
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = "error"
    latest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first() \
        if checks["database"] == "ok" else None
    if latest and timezone.now() - latest <= settings.YINFA_WORKER_HEARTBEAT_MAX_AGE:
        checks["worker"] = "ok"
    else:
        checks["worker"] = "stale" if latest else "missing"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def error_403(request, exception=None):
    from yinfa.core.access import NoScope

    template = "core/no_scope.html" if isinstance(exception, NoScope) else "403.html"
    return render(request, template, status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    return render(request, "500.html", status=500)
