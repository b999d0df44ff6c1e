"""Visit pages: the list (filters, load more, Excel export), recording a visit (choosing the person first when the
link does not name one; ``?person=``, ``?kind=``, ``?stay=`` and ``?task=`` pre-fill it), the detail page with the
"turn into a service order / micro-wish" buttons, and the photos (served only through the scoped view);
correcting a visit recorded by mistake (edit it, add or remove photos, delete it with a reason).

Every read goes through ``Visit.objects.visible_to(request.scope)`` / ``Person.objects.visible_to``: a visit, a
person or a campaign task outside the scope answers 404. Writes are ``yinfa.care.services.visits``'.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.care import exports_visits as exports
from yinfa.care.filters_visits import VisitFilter
from yinfa.care.forms_visits import PhotoDeleteForm, VisitDeleteForm, VisitForm
from yinfa.care.models import CampaignTask, TaskStatus, Visit, VisitKind, VisitPhoto
from yinfa.care.querysets import hospital_stays
from yinfa.care.services import visits as services
from yinfa.core import uploads
from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list
from yinfa.people.filters import name_search_condition
from yinfa.people.models import Person

PAGE_SIZE = 50
ORGANISATION_SELECT_LIMIT = 300  # above this many the filter takes an organisation id
CHOOSER_LIMIT = 30
ORGANISATION_KINDS = (OrgKind.BUREAU, OrgKind.DISTRICT, OrgKind.UNIT, OrgKind.STREET, OrgKind.COMMUNITY)
LIST_FIELDS = ("pk", "person", "kind", "visited_on", "visitors", "leaders", "gift", "money", "needs",
               "feedback", "organisation", "hospital_stay_id", "task_id", "person__name", "person__name_pinyin",
               "person__deceased_on", "person__unit", "person__community", "person__unit__name",
               "person__community__name", "organisation__name")
PERSON_FIELDS = ("pk", "name", "name_pinyin", "gender", "birth_date", "deceased_on", "version", "unit", "community",
                 "registered_community", "unit_path", "community_path", "registered_path", "branch_path",
                 "unit__name", "community__name")


# --- helpers ---------------------------------------------------------------------------------------------------

def visible_visits(request):
    return Visit.objects.visible_to(request.scope)


def can_manage(request):
    return request.scope.has(Perm.CARE_MANAGE)


def int_param(request, name):
    """The integer GET/POST parameter ``name``; None when absent; 404 when not a number."""
    value = request.GET.get(name) or request.POST.get(name)
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise Http404
    return int(value)


def visible_person(request, pk):
    people = Person.objects.visible_to(request.scope).select_related("unit", "community").only(*PERSON_FIELDS)
    return get_object_or_404(people, pk=pk)


def choose_people(request, *, alive_only):
    """The people of the scope matching ``?q=`` (name, pinyin or initials), for the "choose the person" step."""
    query = (request.GET.get("q") or "").strip()
    condition = name_search_condition(query)
    if condition is None:
        return query, []
    people = Person.objects.visible_to(request.scope).filter(condition)
    if alive_only:
        people = people.alive()
    people = people.select_related("unit", "community").only(*PERSON_FIELDS).order_by("name_pinyin", "pk")
    return query, list(people[:CHOOSER_LIMIT])


def organisation_options(request):
    """The organisations for the filter's select (None when the scope holds too many to list)."""
    nodes = list(OrgNode.objects.visible_to(request.scope).filter(kind__in=ORGANISATION_KINDS)
                 .only("pk", "name", "path", "depth").order_by("path")[: ORGANISATION_SELECT_LIMIT + 1])
    return None if len(nodes) > ORGANISATION_SELECT_LIMIT else nodes


def list_queryset(filterset):
    return (filterset.results().select_related("person__unit", "person__community", "organisation")
            .only(*LIST_FIELDS))


# --- list and export -------------------------------------------------------------------------------------------

@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def visit_list(request):
    filterset = VisitFilter(request.GET, scope=request.scope)
    visits = list_queryset(filterset).annotate(photo_count=Count("photos"))
    page = keyset_page(visits, before=request.GET.get("before"), size=PAGE_SIZE, field="visited_on")
    organisations = organisation_options(request)
    chosen = filterset.form.cleaned_data.get("organisation") if filterset.form.is_valid() else None
    context = {
        "filter": filterset, "visits": page.rows, "next_url": next_page_url(request, page),
        "organisations": organisations, "chosen_organisation": chosen,
        "is_first_page": not request.GET.get("before"), "filtered": filterset.is_filtered,
        "can_manage": can_manage(request), "export_query": request.GET.urlencode(),
    }
    return render_list(request, "care/visits/list.html", context)


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def visit_export(request):
    """The filtered list as an Excel file (capped; no ID numbers or phone numbers), audited."""
    filterset = VisitFilter(request.GET, scope=request.scope)
    visits = list_queryset(filterset).order_by("-visited_on", "-pk")[: exports.EXPORT_LIMIT]
    content, rows = exports.visits_workbook(visits.iterator(chunk_size=2000))
    filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
    services.record_export(actor=request.user, scope=request.scope, filters=filters, rows=rows, what=_("Visits"))
    return exports.download(content, "visits")


# --- record a visit --------------------------------------------------------------------------------------------

def chosen_task(request):
    """The campaign task of ``?task=`` (of the scope, else 404), or None."""
    pk = int_param(request, "task")
    if pk is None:
        return None
    tasks = CampaignTask.objects.visible_to(request.scope).select_related("campaign")
    return get_object_or_404(tasks, pk=pk)


def initial_values(request, *, person, stays, organisations, task):
    initial = {"visited_on": timezone.localdate(), "organisation": request.scope.node_id}
    kind = request.GET.get("kind")
    if person.deceased_on is not None:
        initial["kind"] = VisitKind.SURVIVOR
    elif kind in VisitKind.values:
        initial["kind"] = kind
    elif task is not None:
        initial["kind"] = VisitKind.FESTIVAL
    stay = int_param(request, "stay")
    if stay is not None and any(s.pk == stay for s in stays):
        initial["hospital_stay"] = stay
        initial.setdefault("kind", VisitKind.HOSPITAL)
    if task is not None and any(o.pk == task.assignee_id for o in organisations):
        initial["organisation"] = task.assignee_id
    return initial


def stays_of(scope, person):
    """The person's hospital stays, for the form's select."""
    return (hospital_stays(scope).filter(person=person)
            .only("pk", "person_id", "kind", "place", "starts_on", "ends_on").order_by("-starts_on", "-pk"))


def create_url(person, task):
    url = reverse("care:visit_create") + f"?person={person.pk}"
    return url + (f"&task={task.pk}" if task else "")


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def visit_create(request):
    task = chosen_task(request)
    person_pk = task.person_id if task is not None else int_param(request, "person")
    if person_pk is None:
        query, people = choose_people(request, alive_only=False)
        return render(request, "care/visits/choose_person.html", {
            "query": query, "people": people, "limit": CHOOSER_LIMIT, "target": reverse("care:visit_create"),
            "keep": {name: request.GET[name] for name in ("kind",) if request.GET.get(name)},
            "title": _("Record a visit"),
        })
    person = visible_person(request, person_pk)
    if task is not None and task.status == TaskStatus.DONE:
        messages.info(request, _("This campaign task is already ticked off as visited."))
    stay_queryset = stays_of(request.scope, person)
    organisations = services.organisation_choices(request.scope, person)
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, stays=stay_queryset, organisations=organisations)
        if form.is_valid():
            try:
                visit = services.create_visit(actor=request.user, scope=request.scope, person=person,
                                              values=form.values(), photos=form.cleaned_data["photos"], task=task)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The visit to %(name)s is recorded.") % {"name": person.name})
                return redirect("care:visit_detail", pk=visit.pk)
    else:
        form = VisitForm(initial=initial_values(request, person=person, stays=list(stay_queryset),
                                                organisations=list(organisations), task=task),
                         stays=stay_queryset, organisations=organisations)
    return render(request, "care/visits/form.html", {
        "form": form, "person": person, "task": task, "action": create_url(person, task), "visit": None,
        "survivor_kind": VisitKind.SURVIVOR, "can_change_person": task is None,
        "cancel_url": reverse("care:visit_list"),
    })


# --- detail and photos -----------------------------------------------------------------------------------------

def get_visit(request, pk):
    visits = visible_visits(request).select_related(
        "person__unit", "person__community", "organisation", "hospital_stay", "task__campaign", "created_by")
    return get_object_or_404(visits, pk=pk)


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def visit_detail(request, pk):
    visit = get_visit(request, pk)
    photos = list(visit.photos.only("pk", "visit_id", "content_type", "size", "uploaded_at"))
    manage = can_manage(request)
    return render(request, "care/visits/detail.html", {
        "visit": visit, "person": visit.person, "photos": photos, "can_manage": manage,
        "can_turn": manage and bool(visit.needs.strip() or visit.feedback.strip()),
        "can_health": request.scope.has(Perm.HEALTH_VIEW), "can_open_file": request.scope.has(Perm.PEOPLE_VIEW),
    })


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def visit_photo(request, pk):
    """The stored photo, streamed inline, only for a visit in scope."""
    photos = VisitPhoto.objects.filter(visit__in=visible_visits(request)).only("pk", "visit_id", "file",
                                                                               "content_type")
    photo = get_object_or_404(photos, pk=pk)
    try:
        stream = photo.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    extension = uploads.FILE_TYPES.get(photo.content_type, "bin")
    response = FileResponse(stream, filename=f"visit-{photo.visit_id}-{photo.pk}.{extension}",
                            content_type=photo.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- corrections -----------------------------------------------------------------------------------------------

EDITED_FIELDS = ("kind", "visited_on", "visitors", "leaders", "gift", "money", "feedback", "needs")


def edit_organisations(request, visit):
    """The organisations that may be named, with the one already named on the visit (even outside the scope)."""
    choices = services.organisation_choices(request.scope, visit.person)
    if visit.organisation_id is None:
        return choices
    return OrgNode.objects.filter(Q(pk__in=choices.values("pk")) | Q(pk=visit.organisation_id)).order_by("path")


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def visit_edit(request, pk):
    """Correct a visit: the recording form, pre-filled (the person and the campaign task stay); photos can be
    added."""
    visit = get_visit(request, pk)
    person = visit.person
    stays, organisations = stays_of(request.scope, person), edit_organisations(request, visit)
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, stays=stays, organisations=organisations)
        if form.is_valid():
            try:
                services.update_visit(actor=request.user, scope=request.scope, visit=visit, values=form.values(),
                                      photos=form.cleaned_data["photos"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The visit to %(name)s is corrected.") % {"name": person.name})
                return redirect("care:visit_detail", pk=visit.pk)
    else:
        initial = {name: getattr(visit, name) for name in EDITED_FIELDS}
        initial.update(hospital_stay=visit.hospital_stay_id, organisation=visit.organisation_id)
        form = VisitForm(initial=initial, stays=stays, organisations=organisations)
    return render(request, "care/visits/form.html", {
        "form": form, "person": person, "task": visit.task, "visit": visit,
        "action": reverse("care:visit_edit", args=[visit.pk]), "survivor_kind": VisitKind.SURVIVOR,
        "can_change_person": False, "cancel_url": reverse("care:visit_detail", args=[visit.pk]),
        "photo_count": visit.photos.count(),
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def visit_delete(request, pk):
    """Delete a visit recorded by mistake: a confirmation page asking why."""
    visit = get_visit(request, pk)
    form = VisitDeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_visit(actor=request.user, scope=request.scope, visit=visit,
                                  reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The visit to %(name)s on %(day)s is deleted.") % {
                "name": visit.person.name, "day": f"{visit.visited_on:%Y-%m-%d}"})
            return redirect(reverse("care:visit_list") + f"?person={visit.person_id}")
    return render(request, "care/visits/delete.html", {
        "visit": visit, "person": visit.person, "form": form, "photo_count": visit.photos.count(),
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def visit_photo_delete(request, pk):
    """Remove one photo of a visit, after a confirmation page."""
    photos = VisitPhoto.objects.filter(visit__in=visible_visits(request)).select_related("visit__person")
    photo = get_object_or_404(photos, pk=pk)
    form = PhotoDeleteForm(request.POST or None, initial={"confirm": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_photo(actor=request.user, scope=request.scope, photo=photo)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The photo is removed from the visit."))
        return redirect(reverse("care:visit_detail", args=[photo.visit_id]) + "#photos")
    return render(request, "care/visits/photo_delete.html", {
        "photo": photo, "visit": photo.visit, "person": photo.visit.person, "form": form,
    })
