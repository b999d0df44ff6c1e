"""API access: authenticated, a role in use (from the X-Yinfa-Grant header, else the session's choice, else the
first grant), and the permissions the view names. Out-of-scope objects answer 404 because views query through
visible_to.

Token authentication bypasses the interactive gates of the web pages (second factor, forced password change),
so a token is refused for an account that would be stopped by those gates: one holding an administrator role
(system, security, audit) while the second factor is required, or one whose password must be changed.
"""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, permissions
from rest_framework.authentication import TokenAuthentication

from yinfa.core import context
from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.middleware import SCOPE_SESSION_KEY, active_grants, holds_admin_role, password_change_due
from yinfa.core.scope import Scope


def _wanted_grant(request):
    header = request.headers.get("X-Yinfa-Grant")
    if header:
        return header
    session = getattr(request._request, "session", None)
    return session.get(SCOPE_SESSION_KEY) if session is not None else None


def api_scope(request, grants=None):
    grants = active_grants(request.user) if grants is None else grants
    if not grants:
        return None
    wanted = _wanted_grant(request)
    grant = next((g for g in grants if str(g.pk) == str(wanted)), grants[0])
    return Scope.from_grant(grant)


class ScopedPermission(permissions.BasePermission):
    """Default permission of every API view: deny unless the view declares itself scope-checked."""

    message = _("Your role in use does not allow this.")

    def has_permission(self, request, view):
        if getattr(view, "yinfa_access", None) != SCOPE_CHECKED:
            return False
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        grants = active_grants(request.user)
        if isinstance(request.successful_authenticator, TokenAuthentication):
            if settings.YINFA_REQUIRE_TOTP_FOR_ADMINS and holds_admin_role(grants):
                raise exceptions.PermissionDenied(
                    _("Administrator accounts use the API only in a browser session with the second factor."))
            if password_change_due(request.user):
                raise exceptions.PermissionDenied(_("Change your password before using the API."))
        scope = api_scope(request, grants)
        request._request.scope = scope
        request.scope = scope
        ctx = context.current()
        ctx.user = request.user
        ctx.scope_path = scope.path if scope else ""
        if scope is None:
            return False
        return all(scope.has(p) for p in getattr(view, "yinfa_perms", ()))
