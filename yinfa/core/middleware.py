"""Request context, session lifetime, scope resolution, security gates and deny-by-default access."""

import logging
import re
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import access, context
from yinfa.core.models import AuditAction, AuditOutcome, RoleGrant
from yinfa.core.permissions import ADMIN_ROLES
from yinfa.core.scope import Scope

log = logging.getLogger("yinfa.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,36}$")
SCOPE_SESSION_KEY = "yinfa_scope_grant"
AUTH_AT_KEY = "yinfa_auth_at"
SEEN_AT_KEY = "yinfa_seen_at"
OTP_OK_KEY = "yinfa_otp_ok"


def client_ip(request):
    """The client's address; behind YINFA_TRUSTED_PROXIES proxies, read from X-Forwarded-For."""
    proxies = settings.YINFA_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.scope = None
        request.grants = []
        token = context.activate(context.RequestContext(request_id=request.request_id, ip=client_ip(request)))
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        response["X-Request-ID"] = request.request_id
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class SessionLifetimeMiddleware:
    """Idle timeout and absolute session lifetime (等保 2.0)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            auth_at = request.session.get(AUTH_AT_KEY, now)
            seen_at = request.session.get(SEEN_AT_KEY, now)
            reason = None
            if now - seen_at > settings.YINFA_IDLE_TIMEOUT.total_seconds():
                reason = "idle"
            elif now - auth_at > settings.YINFA_SESSION_LIFETIME.total_seconds():
                reason = "lifetime"
            if reason:
                from yinfa.core import audit

                audit.record(AuditAction.LOGOUT, actor=request.user, detail={"reason": reason})
                request.yinfa_logout_audited = True
                logout(request)
                messages.info(request, _("Your session has expired. Please log in again."))
                return redirect(settings.LOGIN_URL)
            request.session[AUTH_AT_KEY] = auth_at
            request.session[SEEN_AT_KEY] = now
        return self.get_response(request)


def active_grants(user):
    return list(
        RoleGrant.objects.active()
        .filter(user=user)
        .exclude(node__closed_on__lte=timezone.localdate())
        .select_related("node")
        .order_by("node__path", "role", "pk")
    )


def resolve_scope(request, grants):
    """The role in use: the one chosen in this session, else the first one."""
    if not grants:
        return None
    chosen = request.session.get(SCOPE_SESSION_KEY) if hasattr(request, "session") else None
    grant = next((g for g in grants if g.pk == chosen), grants[0])
    return Scope.from_grant(grant)


class ScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.grants = active_grants(request.user)
            request.scope = resolve_scope(request, request.grants)
            ctx = context.current()
            ctx.user = request.user
            ctx.scope_path = request.scope.path if request.scope else ""
        return self.get_response(request)


def holds_admin_role(grants):
    return any(g.role in ADMIN_ROLES for g in grants)


def _gate_exempt(view_func):
    # Class views (LogoutView) carry the flag on the class; as_view() does not copy class attributes.
    view_class = getattr(view_func, "view_class", None)
    return getattr(view_func, "yinfa_gate_exempt", False) or getattr(view_class, "yinfa_gate_exempt", False)


class SecurityGateMiddleware:
    """Second factor for the three administrators, then forced and periodic password change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or _gate_exempt(view_func):
            return None
        user = request.user
        if settings.YINFA_REQUIRE_TOTP_FOR_ADMINS and holds_admin_role(request.grants):
            if not user.has_totp:
                return redirect("core:totp_setup")
            if not request.session.get(OTP_OK_KEY):
                return redirect("core:totp_verify")
        if password_change_due(user):
            return redirect("core:password_change")
        return None


def password_change_due(user):
    if user.must_change_password:
        return True
    from yinfa.core import system_settings

    max_age = system_settings.password_max_age_days()
    if max_age:
        if user.password_changed_at is None:
            return True
        return (timezone.now() - user.password_changed_at).days >= max_age
    return False


def _is_api(view_func):
    view_class = getattr(view_func, "cls", None)
    if view_class is None:
        return False
    from rest_framework.views import APIView

    return isinstance(view_class, type) and issubclass(view_class, APIView)


class AccessControlMiddleware:
    """Deny by default: a view must declare itself public, own-account or scope-checked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        declared, perms = access.declaration_of(view_func)
        if declared not in access.DECLARATIONS:
            log.error("refused undeclared view %s", getattr(view_func, "__qualname__", view_func))
            raise PermissionDenied("undeclared view")
        if declared == access.PUBLIC or _is_api(view_func):
            return None  # API views authenticate and check scope in their permission class.
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if declared == access.OWN_ACCOUNT:
            return None
        if request.scope is None:
            raise access.NoScope
        missing = [p for p in perms if not request.scope.has(p)]
        if missing:
            from yinfa.core import audit

            audit.record(AuditAction.ACCESS_DENIED, outcome=AuditOutcome.DENIED,
                         detail={"path": request.path, "missing": [str(p) for p in missing]})
            raise PermissionDenied
        return None
