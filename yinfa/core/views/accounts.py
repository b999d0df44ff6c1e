"""Placeholder: being built."""

from django.http import HttpResponse

from yinfa.core.access import scope_checked


@scope_checked()
def grant_create(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def grant_revoke(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_create(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_detail(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_edit(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_export(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_list(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_reset_password(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_reset_totp(request, **kwargs):
    return HttpResponse("building")


@scope_checked()
def user_set_active(request, **kwargs):
    return HttpResponse("building")
