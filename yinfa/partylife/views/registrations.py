"""Community registration (社区报到): the list of members registered with the communities of the scope, its Excel
export, registering a member and ending a registration.

Registrations are read through ``CommunityRegistration.objects.visible_to(scope)``; people through
``Person.objects.visible_to(scope)``. Writes need PARTY_MANAGE or PEOPLE_EDIT and a community inside the scope.
"""

import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core import audit
from yinfa.core.access import scope_checked
from yinfa.core.exports import XlsxStream
from yinfa.core.masking import mask_phone
from yinfa.core.models import AuditAction
from yinfa.core.permissions import Perm
from yinfa.core.scope import scoped
from yinfa.core.views.home import module
from yinfa.partylife.forms_branches import DateForm, RegistrationForm, scope_communities
from yinfa.partylife.models import CommunityRegistration
from yinfa.partylife.services import memberships as services
from yinfa.partylife.views.memberships import chosen_person, party_url, render_form, service_call
from yinfa.people.filters import name_search_condition

ROWS_SHOWN = 200
EXPORT_LIMIT = 100_000
COMMUNITY_SELECT_LIMIT = 300
STATUS_CHOICES = [("current", gettext_lazy("Registered now")), ("ended", gettext_lazy("Ended")),
                  ("all", gettext_lazy("All"))]


def may_register(scope):
    return scope.has(Perm.PARTY_MANAGE) or scope.has(Perm.PEOPLE_EDIT)


def filtered(request):
    """(registrations of the scope narrowed by the query, the query values, the community options)."""
    scope = request.scope
    rows = CommunityRegistration.objects.visible_to(scope)
    status = request.GET.get("status", "current")
    status = status if status in dict(STATUS_CHOICES) else "current"
    if status == "current":
        rows = rows.filter(ended_on__isnull=True)
    elif status == "ended":
        rows = rows.filter(ended_on__isnull=False)
    communities = list(scope_communities(scope)[: COMMUNITY_SELECT_LIMIT + 1])
    community = request.GET.get("community", "")
    chosen = next((c for c in communities if str(c.pk) == community), None)
    if chosen is not None:
        rows = rows.filter(community_path__startswith=chosen.path)
    query = request.GET.get("q", "").strip()
    condition = name_search_condition(query)
    if condition is not None:
        rows = rows.filter(person__in=_people_matching(scope, condition))
    options = communities if len(communities) <= COMMUNITY_SELECT_LIMIT else None
    values = {"status": status, "community": str(chosen.pk) if chosen else "", "q": query}
    return rows.select_related("person", "person__branch", "community"), values, options


def _people_matching(scope, condition):
    from yinfa.people.models import Person

    return Person.objects.visible_to(scope).filter(condition).values("pk")


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def registration_list(request):
    rows, values, options = filtered(request)
    rows = list(rows.order_by("community_path", "person__name_pinyin", "pk")[: ROWS_SHOWN + 1])
    cut = len(rows) > ROWS_SHOWN
    rows = rows[:ROWS_SHOWN]
    can_register = may_register(request.scope)
    for row in rows:
        row.masked_phone = mask_phone(row.person.phone)
        row.endable = can_register and row.ended_on is None and request.scope.contains_path(row.community_path)
    return render(request, "partylife/memberships/registrations.html", {
        "registrations": rows, "cut": cut, "rows_shown": ROWS_SHOWN, "values": values, "options": options,
        "statuses": STATUS_CHOICES, "can_register": can_register, "query": request.GET.urlencode(),
        "filtered": bool(values["q"] or values["community"] or values["status"] != "current"),
    })


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def registration_export(request):
    rows, values, _options = filtered(request)
    columns = [(_("Full name"), 12), (_("Gender"), 6), (_("Date of birth"), 12), (_("Community"), 24),
               (_("Registered on"), 12), (_("Ended on"), 12), (_("Party branch"), 30), (_("Phone"), 14)]
    written = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "registrations.xlsx"
        with XlsxStream(path, columns, sheet_name=_("Community registration")) as sheet:
            ordered = rows.order_by("community_path", "person__name_pinyin", "pk")[:EXPORT_LIMIT]
            for row in ordered.iterator(chunk_size=2000):
                person = row.person
                sheet.write([person.name, person.get_gender_display(), person.birth_date, row.community.name,
                             row.registered_on, row.ended_on, person.branch.name if person.branch_id else "",
                             mask_phone(person.phone)])
                written += 1
        content = path.read_bytes()
    with transaction.atomic():
        audit.record(AuditAction.EXPORT, actor=request.user, object_type=CommunityRegistration._meta.label_lower,
                     object_repr=_("Community registration")[:200], personal_data=True,
                     detail={"filters": values, "rows": written})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"community-registration-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_VIEW)
def registration_add(request):
    """Register a party member of the scope with a community of the scope (a person picker first)."""
    if not may_register(request.scope):
        raise PermissionDenied
    person = chosen_person(request)
    title = _("Register a member with a community")
    cancel = party_url(person.pk) if person else ""
    if person is None:
        return render_form(request, title=title, form=None, picker=True, intro=_(
            "Find the person first: only party members of your scope are found."))
    form = RegistrationForm(request.POST or None, scope=request.scope,
                            initial={"registered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if service_call(request, form, lambda: services.register_community(
                actor=request.user, scope=request.scope, person=person, **data),
                _("%(name)s is registered with %(community)s.") % {"name": person.name,
                                                                  "community": data["community"].name}):
            return redirect(party_url(person.pk))
    return render_form(request, title=title, form=form, person=person, cancel_url=cancel, intro=_(
        "社区报到: the member takes part in the activities of the community where they live; the organisational "
        "relationship stays with their branch."))


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_VIEW)
def registration_end(request, pk):
    # Ended only by those holding the community: the registration's community must lie in the scope.
    registrations = scoped(CommunityRegistration.objects.visible_to(request.scope), request.scope, "community_path")
    registration = get_object_or_404(registrations.select_related("person", "community"), pk=pk)
    if not may_register(request.scope):
        raise PermissionDenied
    person = registration.person
    form = DateForm(request.POST or None, initial={"on_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if service_call(request, form, lambda: services.end_registration(
                actor=request.user, scope=request.scope, registration=registration,
                ended_on=form.cleaned_data["on_date"]),
                _("The registration of %(name)s with %(community)s has ended.") % {
                    "name": person.name, "community": registration.community.name}):
            return redirect(party_url(person.pk))
    return render_form(request, title=_("End the community registration"), form=form, person=person,
                       cancel_url=party_url(person.pk), danger=True,
                       intro=_("%(name)s is registered with %(community)s since %(day)s.") % {
                           "name": person.name, "community": registration.community.name,
                           "day": registration.registered_on.isoformat()})
