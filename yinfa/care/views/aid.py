"""Hardship-aid pages (困难帮扶): the list (filters, "waiting for me", load more, Excel export), a new application
(choosing the person first), the application with its history, attachments and the steps the role in use may take,
its attachments (served only here), and the yearly totals per kind and per organisation (with export).

Every read goes through ``visible_to(request.scope)``: an application, attachment or person outside the scope
answers 404. Every write is a service's (``yinfa.care.services.aid``), which also decides who may take a step.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.care import exports_aid
from yinfa.care.filters_aid import AidFilter
from yinfa.care.forms_aid import ApplicationForm, AttachmentForm, PersonSearchForm, TotalsForm, action_form
from yinfa.care.models import AidApplication, AidAttachment, AidKind, AidStatus
from yinfa.care.services import aid as services
from yinfa.core import uploads
from yinfa.core.access import require, scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.permissions import Perm
from yinfa.core.scope import scoped
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list
from yinfa.people.models import Person
from yinfa.people.querysets import PERSON_ANCHORS

PAGE_SIZE = 50
PERSON_RESULTS = 20
YEARS_OFFERED = 10
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIST_FIELDS = ("pk", "person_id", "kind", "status", "applied_on", "amount_requested", "amount_granted",
               "amount_paid", "paid_on", "payment_method", "rejection_reason", "person__name", "person__unit_path",
               "person__unit__name")


# --- helpers -----------------------------------------------------------------------------------------------------

def visible_applications(request):
    return AidApplication.objects.visible_to(request.scope)


def get_application(request, pk):
    rows = visible_applications(request).select_related("person__unit", "created_by")
    return get_object_or_404(rows, pk=pk)


def list_rows(filterset):
    return filterset.results().select_related("person__unit").only(*LIST_FIELDS)


def xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def done_message(action):
    return {"review": _("The review is recorded; the application goes to the veteran cadres bureau for approval."),
            "approve": _("The application is approved; the payment can be recorded once it is made."),
            "pay": _("The payment is recorded. The application is closed."),
            "reject": _("The application is rejected; the applicant is told the reason.")}[action]


def service_values(action, data):
    """The service's keyword arguments from a step form's cleaned data."""
    if action == "pay":
        return {"amount_paid": data["amount_paid"], "paid_on": data["paid_on"], "method": data["payment_method"],
                "comment": data.get("comment", "")}
    return dict(data)


# --- list and export ---------------------------------------------------------------------------------------------

@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def aid_list(request):
    filterset = AidFilter(request.GET, scope=request.scope)
    page = keyset_page(list_rows(filterset), before=request.GET.get("before"), size=PAGE_SIZE, field="applied_on")
    can_act = bool(services.acting_statuses(request.scope)) and request.scope.has(Perm.CARE_MANAGE)
    context = {
        "filter": filterset, "applications": page.rows, "next_url": next_page_url(request, page),
        "is_first_page": not request.GET.get("before"), "filtered": filterset.is_filtered,
        "can_manage": request.scope.has(Perm.CARE_MANAGE), "can_act": can_act,
        "export_query": request.GET.urlencode(), "mine": filterset.form.data.get("mine") in ("1", "on", "true"),
    }
    return render_list(request, "care/aid/list.html", context)


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def aid_export(request):
    """The filtered list as an Excel file (capped), audited."""
    filterset = AidFilter(request.GET, scope=request.scope)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aid.xlsx"
        rows = exports_aid.write_list(path, list_rows(filterset))
        content = path.read_bytes()
    services.record_export(actor=request.user, scope=request.scope, what=_("Hardship aid applications"),
                           filters=filterset.used(), rows=rows)
    return xlsx_response(content, f"aid-{timezone.localdate():%Y%m%d}.xlsx")


# --- a new application -------------------------------------------------------------------------------------------

def choose_person(request):
    form = PersonSearchForm(request.GET or None)
    people = []
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"].strip()
        people = list(Person.objects.visible_to(request.scope).filter(
            Q(name__icontains=q) | Q(name_initials__istartswith=q) | Q(name_pinyin__istartswith=q))
            .select_related("unit").only("pk", "name", "name_pinyin", "birth_date", "deceased_on", "unit__name")
            .order_by("name_pinyin", "pk")[:PERSON_RESULTS + 1])
    return render(request, "care/aid/choose_person.html", {
        "form": form, "people": people[:PERSON_RESULTS], "more": len(people) > PERSON_RESULTS,
        "searched": bool(form.is_bound and form.is_valid() and form.cleaned_data["q"]),
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def aid_create(request):
    wanted = request.GET.get("person") or request.POST.get("person")
    if not wanted:
        return choose_person(request)
    if not str(wanted).isdigit():
        raise Http404
    person = get_object_or_404(Person.objects.visible_to(request.scope).select_related("unit"), pk=int(wanted))
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.create_application(
                    actor=request.user, scope=request.scope, person=person, kind=data["kind"], reason=data["reason"],
                    amount_requested=data["amount_requested"], applied_on=data["applied_on"],
                    attachments=data["attachments"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The application is recorded. The former unit is asked to review it."))
                return redirect("care:aid_detail", pk=application.pk)
    else:
        initial = {"kind": request.GET["kind"]} if request.GET.get("kind") in AidKind.values else {}
        form = ApplicationForm(initial=initial)
    open_ones = list(visible_applications(request).filter(person=person, status__in=services.OPEN_STATUSES)
                     .only("pk", "kind", "applied_on", "status").order_by("-applied_on", "-pk")[:10])
    return render(request, "care/aid/create.html", {"form": form, "person": person, "open_ones": open_ones})


# --- the application ---------------------------------------------------------------------------------------------

def detail_page(request, application, forms):
    steps = list(application.steps.select_related("actor").order_by("at", "id"))
    attachments = list(application.attachments.only("pk", "application_id", "title", "content_type", "size",
                                                    "uploaded_at"))
    return render(request, "care/aid/detail.html", {
        "a": application, "steps": steps, "attachments": attachments, "forms": forms,
        "can_manage": request.scope.has(Perm.CARE_MANAGE), "final": application.status in services.FINAL_STATUSES,
        "statuses": AidStatus,
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_VIEW)
def aid_detail(request, pk):
    application = get_application(request, pk)
    actions = services.available_actions(application, request.scope)
    forms = {action: action_form(action, application) for action in actions}
    if request.method == "POST":
        require(request, Perm.CARE_MANAGE)
        action = request.POST.get("action")
        if action not in services.ACTIONS:
            raise Http404
        form = action_form(action, application, request.POST)
        if form.is_valid():
            try:
                services.take_action(action, actor=request.user, scope=request.scope, application=application,
                                     **service_values(action, form.cleaned_data))
            except ValidationError as exc:
                if action not in forms or not hasattr(exc, "error_dict"):  # a step no longer possible
                    messages.error(request, " ".join(exc.messages))
                    return redirect("care:aid_detail", pk=application.pk)
                add_service_errors(form, exc, rename={"method": "payment_method"})
            else:
                messages.success(request, done_message(action))
                return redirect("care:aid_detail", pk=application.pk)
        elif action not in forms:
            messages.error(request, _("This step is not possible now. The page shows what can be done."))
            return redirect("care:aid_detail", pk=application.pk)
        forms[action] = form
        return detail_page(request, application, forms)
    return detail_page(request, application, forms)


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def aid_attachment_add(request, pk):
    application = get_application(request, pk)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.add_attachments(actor=request.user, scope=request.scope, application=application,
                                             files=form.cleaned_data["attachments"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(count)s file(s) kept with the application.") % {"count": count})
            return redirect(reverse("care:aid_detail", args=[application.pk]) + "#attachments")
    return render(request, "care/aid/attachments.html", {"a": application, "form": form})


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def aid_attachment(request, pk):
    """The stored file, streamed, only for an application in scope. Images inline, documents downloaded."""
    anchors = [f"application__{anchor}" for anchor in PERSON_ANCHORS]
    row = get_object_or_404(scoped(AidAttachment.objects.all(), request.scope, *anchors), pk=pk)
    try:
        stream = row.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    inline = row.content_type.startswith("image/")
    extension = uploads.FILE_TYPES.get(row.content_type, "bin")
    response = FileResponse(stream, as_attachment=not inline, filename=f"aid-{row.application_id}-{row.pk}.{extension}",
                            content_type=row.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- yearly totals -----------------------------------------------------------------------------------------------

@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def aid_totals(request):
    year = TotalsForm(request.GET).chosen_year()
    this_year = timezone.localdate().year
    return render(request, "care/aid/totals.html", {
        "totals": exports_aid.aid_totals(request.scope, year), "year": year,
        "years": sorted({*range(this_year - YEARS_OFFERED + 1, this_year + 1), year}, reverse=True),
    })


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def aid_totals_export(request):
    year = TotalsForm(request.GET).chosen_year()
    totals = exports_aid.aid_totals(request.scope, year)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "aid-totals.xlsx"
        rows = exports_aid.write_totals(path, request.scope, totals)
        content = path.read_bytes()
    services.record_export(actor=request.user, scope=request.scope, what=_("Hardship aid totals %(year)s")
                           % {"year": year}, filters={"year": year}, rows=rows)
    return xlsx_response(content, f"aid-totals-{year}.xlsx")
