"""A system check: every URL must lead to a view that declares its access (deny by default)."""

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from yinfa.core.access import DECLARATIONS, declaration_of


def iter_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


@checks.register(checks.Tags.security)
def every_view_declares_access(app_configs, **kwargs):
    errors = []
    for route, pattern in iter_patterns():
        declared, _ = declaration_of(pattern.callback)
        if declared not in DECLARATIONS:
            errors.append(checks.Error(
                f"view for {route!r} does not declare public/own_account/scope_checked",
                id="yinfa.E001",
            ))
    return errors
