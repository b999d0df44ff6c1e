"""The person registry (人员档案): the list with filters and search, the exact lookup by ID number or phone,
the Excel export and creating a file.

Reads go through ``Person.objects.visible_to(request.scope)`` (in the selector); the exact lookup is posted so
that the number never appears in a URL or an access log.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.fields import lookup_index
from yinfa.core.forms_org import add_service_errors
from yinfa.core.masking import mask_id_number, mask_phone
from yinfa.core.models import OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.people import exports
from yinfa.people.filters import BRANCH_KINDS, COMMUNITY_KINDS, UNIT_KINDS, looks_like_id_or_phone
from yinfa.people.forms import ExactSearchForm, ExportForm, PersonCreateForm
from yinfa.people.models import Person
from yinfa.people.selectors import COUNT_CAP, person_list_page
from yinfa.people.services import person as person_services

PAGE_SIZE = 50
# A scope with more organisations than this chooses them with the search picker instead of selects.
OPTION_LIMIT = 600
FILTER_PARAMS = ("q", "category", "unit", "community", "branch", "node", "age", "treatment", "political_status",
                 "living_status", "self_care", "status", "elsewhere", "sort")
MORE_FILTERS = ("community", "branch", "treatment", "political_status", "living_status", "self_care", "elsewhere",
                "node")


def filter_params(data):
    """The list's filter parameters that were given (no cursor), as a plain dict."""
    return {name: data.get(name) for name in FILTER_PARAMS if data.get(name)}


def node_options(scope, params):
    """{filter: [(pk, name, selected)]} of the scope's units, communities and branches for the filter selects,
    or None when there are too many (the organisation picker is shown instead)."""
    rows = list(OrgNode.objects.visible_to(scope)
                .filter(kind__in=(*UNIT_KINDS, *COMMUNITY_KINDS, *BRANCH_KINDS))
                .order_by("path").values_list("pk", "name", "kind")[: OPTION_LIMIT + 1])
    if len(rows) > OPTION_LIMIT:
        return None
    groups = {"unit": UNIT_KINDS, "community": COMMUNITY_KINDS, "branch": BRANCH_KINDS}
    return {name: [(pk, label, str(pk) == params.get(name)) for pk, label, kind in rows if kind in kinds]
            for name, kinds in groups.items()}


def import_url(request):
    """The roster import page, when the role may import and the import part is installed."""
    if not request.scope.has(Perm.PEOPLE_IMPORT):
        return ""
    try:
        return reverse("people:import_list")
    except NoReverseMatch:
        return ""


def decorate(rows, today):
    for person in rows:
        person.age = person.age_on(today)
        person.masked_id = mask_id_number(person.id_number)
        person.masked_phone = mask_phone(person.phone)
    return rows


@module("people")
@require_GET
@scope_checked(Perm.PEOPLE_VIEW)
def person_list(request):
    after = request.GET.get("after") or None
    page = person_list_page(request.scope, request.GET, after=after, size=PAGE_SIZE, request=request)
    decorate(page.rows, timezone.localdate())
    params = filter_params(request.GET)
    filterset = page.filterset
    q = request.GET.get("q", "")
    context = {
        "filterset": filterset,
        "form": filterset.form,
        "page": page,
        "people": page.rows,
        "params": params,
        "query": urlencode(params),
        "next_query": urlencode({**params, "after": page.next_cursor}) if page.has_more else "",
        "after": after,
        "count_cap": COUNT_CAP,
        "options": node_options(request.scope, params) if not after else None,
        "more_open": any(params.get(name) for name in MORE_FILTERS),
        "filtered": bool(set(params) - {"sort"}),
        "number_in_q": looks_like_id_or_phone(q),
        "find_form": ExactSearchForm(),
        "export_form": ExportForm(),
        "can_create": request.scope.has(Perm.PEOPLE_EDIT),
        "import_url": import_url(request),
        "can_export": request.scope.has(Perm.PEOPLE_EXPORT),
        "can_export_full": request.scope.has(Perm.PEOPLE_EXPORT) and request.scope.has(Perm.PEOPLE_REVEAL),
    }
    template = "people/registry/list.html#rows" if request.htmx and after else "people/registry/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@module("people")
@require_POST
@scope_checked(Perm.PEOPLE_VIEW)
def person_find(request):
    """The exact lookup by ID number or mobile number, inside the scope. One match opens the file."""
    form = ExactSearchForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("number", []):
            messages.error(request, error)
        return redirect("people:person_list")
    field = "id_number_index" if form.kind == "id_number" else "phone_index"
    index = lookup_index(Person, field, form.value)
    matches = list(Person.objects.visible_to(request.scope).filter(**{field: index})
                   .select_related("unit").order_by("name_pinyin", "pk")[:20])
    if len(matches) == 1:
        return redirect("people:person_detail", pk=matches[0].pk)
    if not matches:
        messages.warning(request, _("No file in your scope has this ID number or mobile number. Check the number, "
                                    "or create the file with “New file”."))
        return redirect("people:person_list")
    decorate(matches, timezone.localdate())
    response = render(request, "people/registry/find_results.html", {"people": matches})
    response["Cache-Control"] = "no-store"
    return response


@module("people")
@require_POST
@scope_checked(Perm.PEOPLE_EXPORT)
def person_export(request):
    """The filtered list as an Excel workbook: at once for a small list, as a background job for a big one."""
    form = ExportForm(request.POST)
    form.is_valid()
    full = bool(form.cleaned_data.get("full_values")) and request.scope.has(Perm.PEOPLE_REVEAL)
    params = filter_params(request.POST)
    try:
        result = exports.export_people(actor=request.user, scope=request.scope, params=params, full_values=full,
                                       language=getattr(request, "LANGUAGE_CODE", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('people:person_list')}?{urlencode(params)}")
    if result.job is not None:
        messages.success(request, _("The list is long, so the export runs in the background. The file can be "
                                    "downloaded here when it is ready."))
        return redirect("core:job_detail", uid=result.job.uid)
    return result.response


@module("people")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def person_create(request):
    form = PersonCreateForm(request.POST or None, scope=request.scope)
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            person = person_services.create_person(actor=request.user, scope=request.scope,
                                                   values=form.person_values())
        except person_services.DuplicatePerson as exc:
            existing = Person.objects.visible_to(request.scope).filter(pk=exc.person_id).first()
            if existing is None:
                form.add_error("id_number", _("A file with this ID number already exists outside your scope. Ask "
                                              "the veteran cadres bureau to give you access to it."))
            else:
                form.add_error("id_number", _("This person already has a file (see the link below)."))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The file of %(name)s was created. Fill in the other sections now.")
                             % {"name": person.name})
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/registry/create.html", {"form": form, "existing": existing})
