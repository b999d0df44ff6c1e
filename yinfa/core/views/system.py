"""Placeholder: being built."""

from django.http import HttpResponse

from yinfa.core.access import scope_checked


@scope_checked()
def maintenance(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def system_settings(request, **kwargs):
    return HttpResponse("building")
