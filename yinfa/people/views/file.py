"""The person file (一人一档): the page with its sections, editing a section, the health section, the change
history and revealing a protected value.

Every read goes through the visible person (``Person.objects.visible_to(request.scope)``); the rows of the file
are read through that person. Health data is given to the template only when the role in use has
HEALTH_VIEW (decided here, never in the template).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import require, scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.masking import mask_address, mask_id_number, mask_phone
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.people.forms import REVEAL_LABELS, HealthForm, RevealForm, SectionForm
from yinfa.people.models import Contact, DocumentKind, Health, LifeEventKind, Person
from yinfa.people.selectors import file_history
from yinfa.people.services import file as file_services
from yinfa.people.services import person as person_services

HISTORY_ON_FILE = 8
HISTORY_PAGE = 200
SECTION_TITLES = {
    "identity": gettext_lazy("Identity"),
    "career": gettext_lazy("Career and retirement"),
    "party": gettext_lazy("Party"),
    "living": gettext_lazy("Living and contacts"),
    "talents": gettext_lazy("Talents and interests"),
    "health": gettext_lazy("Health"),
}


# --- shared helpers (also used by file_rows and file_events) ---------------------------------------------------

def visible_people(request):
    return Person.objects.visible_to(request.scope)


def get_person(request, pk, *, with_nodes=False):
    people = visible_people(request)
    if with_nodes:
        people = people.select_related("unit", "branch", "community", "registered_community", "managing_unit")
    return get_object_or_404(people, pk=pk)


def flags(request):
    scope = request.scope
    return {
        "can_edit": scope.has(Perm.PEOPLE_EDIT),
        "can_health": scope.has(Perm.HEALTH_VIEW),
        "can_edit_health": scope.has(Perm.PEOPLE_EDIT) and scope.has(Perm.HEALTH_VIEW),
        "can_reveal": scope.has(Perm.PEOPLE_REVEAL),
    }


def file_url(person, anchor=""):
    return reverse("people:person_detail", args=[person.pk]) + (f"#{anchor}" if anchor else "")


def save_failed(form, exc, rename=None):
    """Put a service's refusal on the form; the user's input stays (the form is rendered again, bound)."""
    if isinstance(exc, person_services.StaleFile):
        form.add_error(None, exc)
        form.stale = True
    else:
        add_service_errors(form, exc, rename=rename)


def form_page(request, person, form, *, title, anchor, multipart=False, intro="", danger=False):
    return render(request, "people/registry/form.html", {
        "person": person, "form": form, "title": title, "cancel_url": file_url(person, anchor),
        "multipart": multipart, "intro": intro, "danger": danger, "stale": getattr(form, "stale", False),
    })


# --- the file page -----------------------------------------------------------------------------------------------

@module("people")
@require_GET
@scope_checked(Perm.PEOPLE_VIEW)
def person_detail(request, pk):
    person = get_person(request, pk, with_nodes=True)
    allowed = flags(request)
    today = timezone.localdate()
    contacts = list(person.contacts.all())
    for contact in contacts:
        contact.masked_phone = mask_phone(contact.phone)
    documents = list(person.documents.select_related("uploaded_by"))
    events = list(person.life_events.select_related("created_by"))
    health = Health.objects.filter(person=person).first() if allowed["can_health"] else None
    context = {
        "person": person,
        **allowed,
        "age": person.age_on(person.deceased_on or today),
        "masked": {"id_number": mask_id_number(person.id_number), "phone": mask_phone(person.phone),
                   "landline": mask_phone(person.landline), "address": mask_address(person.address)},
        "contacts": contacts,
        "honours": list(person.honours.all()),
        "documents": [d for d in documents if d.kind != DocumentKind.PHOTO],
        "photo": next((d for d in documents if d.kind == DocumentKind.PHOTO), None),
        "photos": [d for d in documents if d.kind == DocumentKind.PHOTO],
        "events": events,
        "hospital_stays": [e for e in events if e.kind == LifeEventKind.HOSPITAL],
        "death": next((e for e in events if e.kind == LifeEventKind.DEATH), None),
        "event_kinds": [(k, label) for k, label in LifeEventKind.choices if k != LifeEventKind.DEATH],
        "health": health,
        "history": file_history(person, include_health=allowed["can_health"], limit=HISTORY_ON_FILE),
        "history_limit": HISTORY_ON_FILE,
    }
    return render(request, "people/registry/detail.html", context)


@module("people")
@require_GET
@scope_checked(Perm.PEOPLE_VIEW)
def person_history(request, pk):
    person = get_person(request, pk)
    history = file_history(person, include_health=request.scope.has(Perm.HEALTH_VIEW), limit=HISTORY_PAGE)
    return render(request, "people/registry/history.html", {"person": person, "history": history,
                                                            "limit": HISTORY_PAGE})


# --- editing -----------------------------------------------------------------------------------------------------

@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def person_edit(request, pk, section):
    person = get_person(request, pk, with_nodes=True)
    if section not in person_services.SECTION_FIELDS:
        raise Http404
    form = SectionForm(request.POST or None, person=person, scope=request.scope, section=section)
    if request.method == "POST" and form.is_valid():
        try:
            person_services.update_person(actor=request.user, scope=request.scope, person=person,
                                          version=form.cleaned_data["version"], values=form.section_values(),
                                          section=section)
        except ValidationError as exc:
            save_failed(form, exc, rename={"id_number": "new_id_number"})
        else:
            return redirect(file_url(person, section))
    return form_page(request, person, form, title=SECTION_TITLES[section], anchor=section)


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT, Perm.HEALTH_VIEW)
def health_edit(request, pk):
    person = get_person(request, pk)
    health = Health.objects.filter(person=person).first()
    initial = {"version": person.version}
    if health is not None:
        initial.update({name: getattr(health, name) for name in file_services.HEALTH_FIELDS})
    form = HealthForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            file_services.update_health(actor=request.user, person=person, version=form.cleaned_data["version"],
                                        values=form.row_values())
        except ValidationError as exc:
            save_failed(form, exc)
        else:
            return redirect(file_url(person, "health"))
    return form_page(request, person, form, title=SECTION_TITLES["health"], anchor="health")


# --- reveal ------------------------------------------------------------------------------------------------------

@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_REVEAL)
def person_reveal(request, pk):
    """Show one protected value in full, once, after a reason; audited. GET: the reason form."""
    person = get_person(request, pk)
    require(request, Perm.PEOPLE_REVEAL)
    data = request.POST if request.method == "POST" else None
    form = RevealForm(data, initial={"field": request.GET.get("field", "id_number"),
                                     "contact": request.GET.get("contact") or None})
    field = (request.POST.get("field") if data else request.GET.get("field")) or "id_number"
    if field not in REVEAL_LABELS:
        raise Http404
    contact = None
    contact_id = (request.POST.get("contact") if data else request.GET.get("contact")) or ""
    if field == "contact_phone":
        if not contact_id.isdigit():
            raise Http404
        contact = get_object_or_404(Contact.objects.filter(person=person), pk=int(contact_id))
    value = None
    if data is not None and form.is_valid():
        try:
            value = person_services.reveal_value(actor=request.user, person=person, field=field,
                                                 reason=form.cleaned_data["reason"], contact=contact)
        except ValidationError as exc:
            add_service_errors(form, exc)
    target = f"reveal-{field}" + (f"-{contact.pk}" if contact else "")
    context = {"person": person, "form": form, "field": field, "field_label": REVEAL_LABELS[field],
               "contact": contact, "value": value, "revealed": value is not None, "target": target}
    if request.htmx:
        template = "people/registry/reveal.html#value" if value is not None else "people/registry/reveal.html#ask"
    else:
        template = "people/registry/reveal.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["HX-Request"])
    return response
