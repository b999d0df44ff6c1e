"""Rendering a list page whose "load more" button asks htmx for the next rows."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def render_list(request, template, context, *, more=None, partial="rows"):
    """The whole page, or only its ``partial`` (``#rows``) when htmx asks for the next rows (a request with a
    cursor: ``before`` or ``after``, unless ``more`` says otherwise). Varies on HX-Request, so a cache never mixes
    the two."""
    if more is None:
        more = bool(request.GET.get("before") or request.GET.get("after"))
    if request.htmx and more:
        template += f"#{partial}"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
