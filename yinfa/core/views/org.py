"""Placeholder: being built."""

from django.http import HttpResponse

from yinfa.core.access import scope_checked


@scope_checked()
def children(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def close(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def create(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def detail(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def edit(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def move(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def reopen(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def search(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def tree(request, **kwargs):
    return HttpResponse("building")
