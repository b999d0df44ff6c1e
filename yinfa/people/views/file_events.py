"""Life events of a person file: hospital stay, going away or abroad (外出/出国备案), relocation (异地安置),
and death (with survivors kept as contacts to visit). Diagnosis, department and cause of death are health data:
the forms offer them only to roles with HEALTH_VIEW."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.people.forms import EVENT_FORMS, DeathForm, EventForm, UndoDeathForm
from yinfa.people.models import LifeEvent, LifeEventKind
from yinfa.people.services import file as file_services
from yinfa.people.views.file import file_url, form_page, get_person, save_failed
from yinfa.people.views.file_rows import delete_page, get_row


def can_see_health(request):
    return request.scope.has(Perm.HEALTH_VIEW)


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def event_add(request, pk, kind):
    person = get_person(request, pk)
    if kind not in EVENT_FORMS:
        raise Http404
    form = EventForm(request.POST or None, initial={"version": person.version}, kind=kind,
                     can_see_health=can_see_health(request))
    if request.method == "POST" and form.is_valid():
        try:
            file_services.record_event(actor=request.user, person=person, version=form.cleaned_data["version"],
                                       kind=kind, values=form.event_values())
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "events"))
    intro = _("Recording a relocation marks the person as living in another city (异地安置).") \
        if kind == LifeEventKind.RELOCATION else ""
    return form_page(request, person, form, title=LifeEventKind(kind).label, anchor="events", intro=intro)


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def event_edit(request, pk):
    event = get_row(request, LifeEvent, pk)
    if event.kind == LifeEventKind.DEATH:
        raise Http404
    person = event.person
    initial = {name: getattr(event, name) for name in file_services.EVENT_FIELDS}
    form = EventForm(request.POST or None, initial={**initial, "version": person.version}, kind=event.kind,
                     can_see_health=can_see_health(request))
    if request.method == "POST" and form.is_valid():
        try:
            file_services.update_event(actor=request.user, event=event, version=form.cleaned_data["version"],
                                       values=form.event_values())
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "events"))
    return form_page(request, person, form, title=event.get_kind_display(), anchor="events",
                     intro=_("To close the event, fill in the end date (discharged, back, moved back)."))


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def event_delete(request, pk):
    event = get_row(request, LifeEvent, pk)
    if event.kind == LifeEventKind.DEATH:
        raise Http404
    what = f"{event.get_kind_display()} {event.starts_on:%Y-%m-%d}"
    return delete_page(request, event, what=what, anchor="events", service=file_services.delete_event, event=event)


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def death_record(request, pk):
    person = get_person(request, pk)
    if person.deceased_on is not None:
        messages.info(request, _("The death of this person is already recorded."))
        return redirect(file_url(person, "events"))
    form = DeathForm(request.POST or None, initial={"version": person.version}, contacts=person.contacts.all(),
                     can_see_health=can_see_health(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            file_services.record_death(
                actor=request.user, person=person, version=data["version"], died_on=data["died_on"],
                cause=data.get("cause", ""), farewell=data["farewell"], pension_recipient=data["pension_recipient"],
                note=data["note"], survivors=data["survivors"], new_survivor=form.new_survivor())
        except ValidationError as exc:
            save_failed(form, exc, rename={"died_on": "died_on"})
        else:
            messages.success(request, _("The death of %(name)s is recorded. The file is kept; the survivors stay "
                                        "in the family section.") % {"name": person.name})
            return redirect(file_url(person, "events"))
    return render(request, "people/registry/death.html", {
        "person": person, "form": form, "cancel_url": file_url(person, "events"),
        "stale": getattr(form, "stale", False),
    })


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def death_undo(request, pk):
    event = get_row(request, LifeEvent, pk)
    if event.kind != LifeEventKind.DEATH:
        raise Http404
    person = event.person
    form = UndoDeathForm(request.POST or None, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.undo_death(actor=request.user, event=event, version=form.cleaned_data["version"],
                                     reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            messages.success(request, _("The death record was removed; %(name)s is in the active lists again.")
                             % {"name": person.name})
            return redirect(file_url(person, "events"))
    return form_page(request, person, form, title=_("Remove a death recorded by mistake"), anchor="events",
                     intro=_("Only if the death was recorded by mistake: the person returns to the active lists. "
                             "The change is recorded in the history."), danger=True)
