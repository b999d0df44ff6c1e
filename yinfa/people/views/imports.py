"""Roster import pages: the list of recent imports, the upload form, the batch page (check progress →
preview → confirm → import progress → result), the error workbook and the template."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.models import JobStatus
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.people.imports import services
from yinfa.people.imports.forms import UNIT_SELECT_LIMIT, UploadForm
from yinfa.people.imports.template import template_bytes
from yinfa.people.models import ImportStatus

PAGE_SIZE = 30
WAITING = (ImportStatus.UPLOADED, ImportStatus.RUNNING)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch(request, uid):
    """A batch of the scope, or 404."""
    return get_object_or_404(services.batches_visible_to(request.scope).select_related("unit", "uploaded_by", "job"),
                             uid=uid)


@module("imports")
@require_GET
@scope_checked(Perm.PEOPLE_IMPORT)
def import_list(request):
    batches = services.batches_visible_to(request.scope).select_related("unit", "uploaded_by")
    page = keyset_page(batches, before=request.GET.get("before"), size=PAGE_SIZE, field="created_at")
    return render(request, "people/imports/list.html", {
        "batches": page.rows, "next_url": next_page_url(request, page),
        "is_first_page": not request.GET.get("before"),
    })


@module("imports")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_IMPORT)
def import_new(request):
    units = services.units_for_import(request.scope).order_by("name", "pk")
    unit_ids = list(units.values_list("pk", flat=True)[: UNIT_SELECT_LIMIT + 1])
    use_picker = len(unit_ids) > UNIT_SELECT_LIMIT
    initial = {"node": unit_ids[0]} if len(unit_ids) == 1 else {}
    form = UploadForm(request.POST or None, request.FILES or None, units=units, use_picker=use_picker,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.upload_roster(actor=request.user, scope=request.scope, unit=form.cleaned_data["node"],
                                           uploaded=form.cleaned_data["file"],
                                           language=getattr(request, "LANGUAGE_CODE", ""))
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"unit": "node"})
        else:
            messages.success(request, _("The file was received and is being checked."))
            return redirect("people:import_detail", uid=batch.uid)
    picked = form.cleaned_data.get("node") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(request, "people/imports/new.html", {
        "form": form, "use_picker": use_picker, "picked": picked, "no_units": not unit_ids,
    })


def _detail_context(request, batch):
    summary = batch.summary or {}
    job = batch.job
    can_download = bool(batch.errors_file) and services.media_path(batch.errors_file) is not None and \
        services.media_path(batch.errors_file).exists()
    return {
        "batch": batch, "summary": summary, "job": job, "errors": batch.errors,
        "errors_shown": len(batch.errors), "waiting": batch.status in WAITING and not services.can_retry(batch),
        "can_confirm": services.can_confirm(batch), "can_cancel": services.can_cancel(batch),
        "can_retry": services.can_retry(batch), "can_download_errors": can_download,
        "is_preview": batch.status == ImportStatus.PREVIEWED,
        "is_done": batch.status == ImportStatus.SUCCEEDED,
        "job_failed": job is not None and job.status == JobStatus.FAILED,
    }


@module("imports")
@require_GET
@scope_checked(Perm.PEOPLE_IMPORT)
def import_detail(request, uid):
    batch = _batch(request, uid)
    context = _detail_context(request, batch)
    if request.htmx:
        if not context["waiting"]:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # the check or the import ended: show the whole page
        else:
            response = render(request, "people/imports/detail.html#progress", context)
    else:
        response = render(request, "people/imports/detail.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@module("imports")
@require_POST
@scope_checked(Perm.PEOPLE_IMPORT)
def import_confirm(request, uid):
    batch = _batch(request, uid)
    try:
        services.confirm_import(actor=request.user, scope=request.scope, batch=batch,
                                language=getattr(request, "LANGUAGE_CODE", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The import has started."))
    return redirect("people:import_detail", uid=batch.uid)


@module("imports")
@require_POST
@scope_checked(Perm.PEOPLE_IMPORT)
def import_cancel(request, uid):
    batch = _batch(request, uid)
    try:
        services.cancel_import(actor=request.user, scope=request.scope, batch=batch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("people:import_detail", uid=batch.uid)
    messages.success(request, _("The import of “%(name)s” was cancelled and the file deleted.") % {
        "name": batch.original_name})
    return redirect("people:import_list")


@require_GET
@scope_checked(Perm.PEOPLE_IMPORT)
def import_errors(request, uid):
    batch = _batch(request, uid)
    path = services.media_path(batch.errors_file)
    if path is None or not path.is_file():
        raise Http404
    services.record_errors_download(actor=request.user, batch=batch)
    stem = batch.original_name.rsplit(".", 1)[0][:80]
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{stem}-errors.xlsx",
                        content_type=XLSX_TYPE)


@require_GET
@scope_checked(Perm.PEOPLE_IMPORT)
def import_template(request):
    response = HttpResponse(template_bytes(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response
