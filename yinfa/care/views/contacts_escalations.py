"""Escalation pages: the dashboard of open escalations of the scope (oldest first, filters, "load more") with the
recently followed-up ones, and one escalation with its follow-up form.

An escalation outside the scope answers 404 (its carer also reaches it while the assignment is open: the notification
links here); recording the follow-up needs CARE_MANAGE (``yinfa.care.services.escalations.resolve_escalation``).
The follow-up of an overdue escalation gives the carer a new interval (see ``services.escalations``): the page says
until when.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.care.filters_contacts import EscalationFilter
from yinfa.care.forms_contacts import ResolveForm
from yinfa.care.models import CareContact, Escalation, EscalationReason, EscalationStatus
from yinfa.care.services import escalations as services
from yinfa.care.services.contacts import is_carer
from yinfa.care.views.contacts_common import ascending_page, next_url
from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list

PAGE_SIZE = 50
RECENT_DAYS = 30
RECENT_LIMIT = 20
RECENT_CONTACTS = 5
ROW_RELATED = ("person", "person__community", "person__unit", "assignment", "assignment__carer")


def decorate(escalation, today):
    escalation.days_open = (today - timezone.localdate(escalation.opened_at)).days
    return escalation


def grace_until(escalation, today):
    """For an overdue escalation of an open assignment: the day by which a contact must be logged after the follow-up
    (recorded, or if recorded today), else it is escalated again the day after. None otherwise."""
    if escalation.reason != EscalationReason.OVERDUE or escalation.assignment.ended_on is not None:
        return None
    followed_up_on = timezone.localdate(escalation.resolved_at) if escalation.resolved_at else today
    return services.grace_until(escalation.assignment, followed_up_on)


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def escalation_list(request):
    today = timezone.localdate()
    filterset = EscalationFilter(request.GET, scope=request.scope, today=today)
    first_page = not request.GET.get("after")
    rows = filterset.results().filter(status=EscalationStatus.OPEN).select_related(*ROW_RELATED)
    page = ascending_page(rows, after=request.GET.get("after"), size=PAGE_SIZE, field="opened_at")
    recent = []
    if first_page:
        since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
        recent = list(filterset.results().filter(status=EscalationStatus.RESOLVED, resolved_at__gte=since)
                      .select_related(*ROW_RELATED, "resolved_by").order_by("-resolved_at", "-pk")[:RECENT_LIMIT])
    context = {
        "filter": filterset, "escalations": [decorate(e, today) for e in page.rows], "recent": recent,
        "next_url": next_url(request, page), "is_first_page": first_page, "recent_days": RECENT_DAYS,
        "can_resolve": services.can_resolve(request.scope), "filtered": filterset.is_filtered,
    }
    return render_list(request, "care/contacts/escalations.html", context, more=not first_page)


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked()
def escalation_resolve(request, pk):
    reachable = (Escalation.objects.visible_to(request.scope)
                 | Escalation.objects.filter(assignment__carer=request.user, assignment__ended_on__isnull=True))
    escalation = get_object_or_404(reachable.select_related(*ROW_RELATED, "resolved_by"), pk=pk)
    if not (request.scope.has(Perm.CARE_VIEW) or is_carer(request.user, escalation.assignment)):
        raise PermissionDenied
    can_resolve = services.can_resolve(request.scope) and escalation.status == EscalationStatus.OPEN
    form = ResolveForm(request.POST or None)
    if request.method == "POST":
        if not services.can_resolve(request.scope):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.resolve_escalation(actor=request.user, scope=request.scope, escalation=escalation,
                                            follow_up=form.cleaned_data["follow_up"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The follow-up is recorded."))
                return redirect("care:escalation_list")
    recent = list(CareContact.objects.filter(assignment_id=escalation.assignment_id).select_related("carer")
                  .order_by("-contacted_at", "-pk")[:RECENT_CONTACTS])
    today = timezone.localdate()
    return render(request, "care/contacts/escalation.html", {
        "escalation": decorate(escalation, today), "form": form, "can_resolve": can_resolve, "recent": recent,
        "can_log": request.scope.has(Perm.CARE_MANAGE) and escalation.assignment.ended_on is None,
        "grace_until": grace_until(escalation, today),
    })
