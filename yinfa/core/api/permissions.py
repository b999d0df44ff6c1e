"""API access: authenticated, a role in use (from the X-Yinfa-Grant header or the first grant), and the
permissions the view names. Out-of-scope objects answer 404 because views query through visible_to."""

from rest_framework import exceptions, permissions

from yinfa.core import context
from yinfa.core.access import SCOPE_CHECKED
from yinfa.core.middleware import active_grants
from yinfa.core.scope import Scope


def api_scope(request):
    grants = active_grants(request.user)
    if not grants:
        return None
    wanted = request.headers.get("X-Yinfa-Grant") or request._request.session.get("yinfa_scope_grant") \
        if hasattr(request._request, "session") else request.headers.get("X-Yinfa-Grant")
    grant = next((g for g in grants if str(g.pk) == str(wanted)), grants[0])
    return Scope.from_grant(grant)


class ScopedPermission(permissions.BasePermission):
    """Default permission of every API view: deny unless the view declares itself scope-checked."""

    def has_permission(self, request, view):
        if getattr(view, "yinfa_access", None) != SCOPE_CHECKED:
            return False
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        scope = api_scope(request)
        request._request.scope = scope
        request.scope = scope
        ctx = context.current()
        ctx.user = request.user
        ctx.scope_path = scope.path if scope else ""
        if scope is None:
            return False
        return all(scope.has(p) for p in getattr(view, "yinfa_perms", ()))

