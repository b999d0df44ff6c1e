"""Template context for the page shell: system name, scope, navigation, unread notifications."""

from django.utils.translation import gettext as _

from yinfa.core import system_settings
from yinfa.core.models import Notification
from yinfa.core.navigation import modules_for


def system_name():
    return system_settings.system_name() or _("Yinfa · Retired Cadres Service Platform")


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"system_name": system_name, "login_notice": system_settings.login_notice}
    scope = getattr(request, "scope", None)
    match = getattr(request, "resolver_match", None)
    current = getattr(match, "func", None)
    module_key = getattr(current, "yinfa_module", None) or getattr(
        getattr(current, "view_class", None), "yinfa_module", None)
    grants = getattr(request, "grants", [])
    return {
        "system_name": system_name,
        "scope": scope,
        "scope_grant": next((g for g in grants if scope and g.pk == scope.grant_id), None),
        "grants": grants,
        "nav_modules": lambda: modules_for(scope, module_key),
        "unread_count": lambda: Notification.objects.for_user(user).unread().count(),
    }
