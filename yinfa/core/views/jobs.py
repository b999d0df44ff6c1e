"""Placeholder: being built."""

from django.http import HttpResponse

from yinfa.core.access import scope_checked


@scope_checked()
def job_detail(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def job_download(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def job_list(request, **kwargs):
    return HttpResponse("building")
