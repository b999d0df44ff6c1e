"""Placeholder: being built."""

from django.http import HttpResponse

from yinfa.core.access import scope_checked


@scope_checked()
def notification_list(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def notification_open(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def notification_read_all(request, **kwargs):
    return HttpResponse("building")
