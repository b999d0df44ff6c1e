"""``{% subnav "care" "visits" %}``: a module's tabs (``yinfa.<app>.navigation.TABS``), only those the role in use
may open, the current one marked."""

from importlib import import_module

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.inclusion_tag("core/_subnav.html", takes_context=True)
def subnav(context, app, active):
    scope = getattr(context.get("request"), "scope", None)
    tabs = []
    for tab in import_module(f"yinfa.{app}.navigation").TABS:
        if tab.perms and (scope is None or not any(scope.has(p) for p in tab.perms)):
            continue
        try:
            url = reverse(tab.url_name)
        except NoReverseMatch:  # a part not built yet
            continue
        tabs.append({"label": tab.label, "url": url, "current": tab.key == active, "key": tab.key})
    return {"tabs": tabs, "app": app}
