"""Figures for the home page, read through each module's scoped query sets.

The figures are counts over the whole scope (a province holds a million people), so they are computed at most
once every few minutes per scope and kept in the cache, never on every page view.
"""

from django.core.cache import cache
from django.utils.translation import gettext as _

from yinfa.core.models import OrgNode

CACHE_SECONDS = 300


def _compute(scope):
    items = [{"label": _("Organisations in scope"), "value": OrgNode.objects.visible_to(scope).open_on().count()}]
    try:
        from yinfa.people.querysets import headline_figures
    except ImportError:
        return items
    return items + headline_figures(scope)


def summary_for(scope):
    """A few headline figures for the scope in use; each module adds its own when it exists."""
    key = f"yinfa:home-summary:{scope.path}"
    items = cache.get(key)
    if items is None:
        items = _compute(scope)
        cache.set(key, items, CACHE_SECONDS)
    return items
