"""Placeholder: being built."""

from django.http import HttpResponse

from yinfa.core.access import scope_checked


@scope_checked()
def audit_detail(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def audit_export(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def audit_list(request, **kwargs):
    return HttpResponse("building")
