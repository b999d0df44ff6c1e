"""Figures for the home page, read through each module's scoped query sets."""

from django.utils.translation import gettext as _

from yinfa.core.models import OrgNode


def summary_for(scope):
    """A few headline figures for the scope in use; each module adds its own when it exists."""
    items = [{"label": _("Organisations in scope"), "value": OrgNode.objects.visible_to(scope).open_on().count()}]
    try:
        from yinfa.people.querysets import headline_figures
    except ImportError:
        return items
    return items + headline_figures(scope)
