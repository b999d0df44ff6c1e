"""Hospital pages: who is in hospital now in the scope (with the visits linked to each stay and a "record a visit"
button), who left hospital in the last 30 days, recording an admission (choosing the person first when the link
does not name one) and a discharge.

Stays are read through ``yinfa.care.querysets.hospital_stays(request.scope)`` (a stay outside the scope answers
404); writes go through ``yinfa.care.services.hospital``. The department and the diagnosis are health data: they
are loaded, shown and offered only when the role in use has ``Perm.HEALTH_VIEW`` (decided here, never in the
template).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.care.forms_visits import AdmissionForm, DischargeForm
from yinfa.care.models import Visit
from yinfa.care.querysets import hospital_stays
from yinfa.care.services import hospital as services
from yinfa.care.views.visits import CHOOSER_LIMIT, choose_people, int_param, visible_person
from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module

LIST_LIMIT = 300
RECENT_DAYS = 30
STAY_FIELDS = ("pk", "person", "kind", "place", "starts_on", "ends_on", "note", "person__name",
               "person__name_pinyin", "person__deceased_on", "person__version", "person__unit", "person__community",
               "person__unit__name", "person__community__name")
HEALTH_STAY_FIELDS = ("department", "diagnosis")


def can_see_health(request):
    return services.may_see_health(request.scope)


def stays_of_scope(request):
    """The scope's hospital stays with their person, the health fields only for a role that may see them."""
    fields = (*STAY_FIELDS, *HEALTH_STAY_FIELDS) if can_see_health(request) else STAY_FIELDS
    visits = Visit.objects.only("pk", "hospital_stay_id", "visited_on", "kind").order_by("-visited_on", "-pk")
    return (hospital_stays(request.scope).select_related("person__unit", "person__community").only(*fields)
            .prefetch_related(Prefetch("visits", queryset=visits)))


def decorate(stay, today):
    stay.linked_visits = list(stay.visits.all())
    stay.last_visit = stay.linked_visits[0].visited_on if stay.linked_visits else None
    stay.days = ((stay.ends_on or today) - stay.starts_on).days
    return stay


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def hospital_list(request):
    today = timezone.localdate()
    stays = stays_of_scope(request)
    current = list(stays.filter(ends_on__isnull=True, person__deceased_on__isnull=True)
                   .order_by("starts_on", "pk")[: LIST_LIMIT + 1])
    recent = list(stays.filter(ends_on__gte=today - datetime.timedelta(days=RECENT_DAYS), ends_on__lte=today)
                  .order_by("-ends_on", "-pk")[:LIST_LIMIT])
    return render(request, "care/hospital/list.html", {
        "current": [decorate(stay, today) for stay in current[:LIST_LIMIT]], "more": len(current) > LIST_LIMIT,
        "recent": [decorate(stay, today) for stay in recent], "limit": LIST_LIMIT, "recent_days": RECENT_DAYS,
        "can_manage": request.scope.has(Perm.CARE_MANAGE), "can_health": can_see_health(request),
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def hospital_create(request):
    person_pk = int_param(request, "person")
    if person_pk is None:
        query, people = choose_people(request, alive_only=True)
        return render(request, "care/visits/choose_person.html", {
            "query": query, "people": people, "limit": CHOOSER_LIMIT, "target": reverse("care:hospital_create"),
            "keep": {}, "title": _("Record an admission to hospital"),
        })
    person = visible_person(request, person_pk)
    health = can_see_health(request)
    if request.method == "POST":
        form = AdmissionForm(request.POST, can_see_health=health)
        if form.is_valid():
            try:
                services.admit(actor=request.user, scope=request.scope, person=person,
                               version=form.cleaned_data["version"], values=form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s is on the list of people in hospital.") % {"name": person.name})
                return redirect("care:hospital_list")
    else:
        form = AdmissionForm(initial={"version": person.version, "starts_on": timezone.localdate()},
                             can_see_health=health)
    return render(request, "care/hospital/admit.html", {
        "form": form, "person": person, "current": services.open_stay(person), "can_health": health,
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def hospital_discharge(request, pk):
    stay = decorate(get_object_or_404(stays_of_scope(request), pk=pk), timezone.localdate())
    person = stay.person
    health = can_see_health(request)
    if request.method == "POST":
        form = DischargeForm(request.POST, can_see_health=health)
        if form.is_valid():
            try:
                full_stay = hospital_stays(request.scope).select_related("person").get(pk=stay.pk)
                services.discharge(actor=request.user, scope=request.scope, stay=full_stay,
                                   version=form.cleaned_data["version"], ends_on=form.cleaned_data["ends_on"],
                                   diagnosis=form.diagnosis_value())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The discharge of %(name)s is recorded.") % {"name": person.name})
                return redirect("care:hospital_list")
    else:
        initial = {"version": person.version, "ends_on": timezone.localdate()}
        if health:
            initial["diagnosis"] = stay.diagnosis
        form = DischargeForm(initial=initial, can_see_health=health)
    return render(request, "care/hospital/discharge.html", {
        "form": form, "stay": stay, "person": person, "can_health": health,
    })
