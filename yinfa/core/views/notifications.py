"""The notification centre: each account sees, opens and marks read only its own notifications."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from yinfa.core.access import own_account
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.models import Notification
from yinfa.core.services.notifications import mark_read
from yinfa.core.views.home import module

PAGE_SIZE = 30


def is_local_path(url):
    """True for a path on this site ('/people/12/'), False for anything that could leave it."""
    return (bool(url) and url.startswith("/") and not url.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(url, allowed_hosts=set()))


@module("notifications")
@own_account
def notification_list(request):
    own = Notification.objects.for_user(request.user)
    page = keyset_page(own.only("pk", "title", "body", "url", "created_at", "read_at"),
                       before=request.GET.get("before"), size=PAGE_SIZE, field="created_at")
    context = {"notifications": page.rows, "next_url": next_page_url(request, page),
               "is_first_page": not request.GET.get("before")}
    template = "core/notifications/list.html"
    if request.htmx and request.GET.get("before"):
        template += "#items"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@own_account
def notification_open(request, pk):
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    if notification.read_at is None:
        mark_read(actor=request.user, notification_ids=[notification.pk])
    if is_local_path(notification.url):
        return redirect(notification.url)
    return redirect("core:notification_list")


@require_POST
@own_account
def notification_read_all(request):
    count = mark_read(actor=request.user)
    if count:
        text = ngettext("%(count)s notification marked read.", "%(count)s notifications marked read.", count)
        messages.success(request, text % {"count": count})
    return redirect("core:notification_list")
