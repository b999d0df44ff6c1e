"""Excel export of the person list (the same FilterSet as the page), masked unless full values were asked for
by a role that may reveal them. Small lists are written at once; big ones run as a background job.

``export_people(*, actor, scope, params, full_values=False, language="") -> ExportResult``
    ``result.response`` (a streamed xlsx download) or ``result.job`` (the background job to wait for).
    Audited as EXPORT with the filters; ``personal_data=True`` when full values are exported.
"""

import os
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from yinfa.core import audit
from yinfa.core.exports import XlsxStream, export_file, start_export
from yinfa.core.masking import mask_id_number, mask_phone
from yinfa.core.models import AuditAction, Job
from yinfa.core.permissions import Perm
from yinfa.core.services.jobs import Progress
from yinfa.core.services.notifications import notify
from yinfa.people.models import Person
from yinfa.people.selectors import person_list_queryset

# Up to this many rows the file is written during the request; more go to a background job.
INLINE_LIMIT = 3000
MAX_EXPORT_ROWS = 1_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = (
    (gettext_lazy("Name"), 10), (gettext_lazy("Gender"), 6), (gettext_lazy("Date of birth"), 12),
    (gettext_lazy("Age"), 6), (gettext_lazy("Category"), 10), (gettext_lazy("ID number"), 21),
    (gettext_lazy("Mobile number"), 14), (gettext_lazy("Former work unit"), 24), (gettext_lazy("Former position"), 14),
    (gettext_lazy("Level"), 16), (gettext_lazy("Treatment level"), 16), (gettext_lazy("Political status"), 12),
    (gettext_lazy("Party branch"), 22), (gettext_lazy("Community"), 16), (gettext_lazy("Living situation"), 14),
    (gettext_lazy("Self-care ability"), 10), (gettext_lazy("Lives in another city"), 16),
    (gettext_lazy("Died on"), 12),
)


@dataclass
class ExportResult:
    response: object = None
    job: Job | None = None


def export_rows(queryset, full_values, limit=MAX_EXPORT_ROWS):
    """The spreadsheet rows of ``queryset`` (already scoped and filtered), masked unless ``full_values``."""
    today = timezone.localdate()
    people = queryset.select_related("unit", "community", "branch")[:limit].iterator(chunk_size=2000)
    for person in people:
        id_number = person.id_number if full_values else mask_id_number(person.id_number)
        phone = person.phone if full_values else mask_phone(person.phone)
        yield [
            person.name, person.get_gender_display(), person.birth_date, person.age_on(today),
            person.get_category_display(), id_number, phone, person.unit.name if person.unit_id else "",
            person.former_position, person.get_level_display(), person.get_treatment_display(),
            person.get_political_status_display(), person.branch.name if person.branch_id else "",
            person.community.name if person.community_id else "", person.get_living_status_display(),
            person.get_self_care_display(),
            person.elsewhere_place or (_("Yes") if person.lives_elsewhere else ""), person.deceased_on,
        ]


def _title(stamp):
    return _("Person list export %(time)s") % {"time": stamp}


def export_people(*, actor, scope, params, full_values=False, language=""):
    if full_values and not scope.has(Perm.PEOPLE_REVEAL):
        raise PermissionDenied
    filterset, queryset = person_list_queryset(scope, params)
    if not filterset.is_valid():
        raise ValidationError(_("The filter is not valid; correct it before exporting."))
    filters = filterset.active_filters()
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    size = filterset.qs.order_by()[: INLINE_LIMIT + 1].count()
    if size > INLINE_LIMIT:
        job = start_export(
            actor=actor, scope=scope, kind="people_export", title=_title(stamp), task=export_people_job,
            params={"filters": filters, "query": dict(params), "full_values": full_values,
                    "grant_id": scope.grant_id, "language": language},
            exported_type=Person._meta.label_lower, personal_data=full_values)
        return ExportResult(job=job)
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        with XlsxStream(path, COLUMNS, sheet_name=_("People")) as sheet:
            for row in export_rows(queryset, full_values):
                sheet.write(row)
        stream = open(path, "rb")  # noqa: SIM115 - closed by FileResponse
    finally:
        os.unlink(path)  # the open handle keeps the data until the response is sent
    with transaction.atomic():
        audit.record(AuditAction.EXPORT, actor=actor, object_type=Person._meta.label_lower,
                     object_repr=_title(stamp)[:200], personal_data=full_values,
                     detail={"filters": filters, "rows": sheet.rows, "format": "xlsx", "full_values": full_values})
    filename = f"people-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return ExportResult(response=response)


@task()
def export_people_job(job_id):
    """Write the people matching the job's filter (within the owner's scope, as it is now) to an xlsx file."""
    from yinfa.core.tasks import job_scope

    job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), Progress(job_id) as progress:
        scope = job_scope(job, Perm.PEOPLE_EXPORT)
        full_values = bool(job.params.get("full_values"))
        if full_values and not scope.has(Perm.PEOPLE_REVEAL):
            raise PermissionDenied(_("The role this export was started with may no longer see full values."))
        filterset, queryset = person_list_queryset(scope, job.params.get("query", {}))
        if not filterset.is_valid():
            raise ValueError(_("The filter of this export is not valid."))
        total = filterset.qs.order_by().count()
        progress.set_total(min(total, MAX_EXPORT_ROWS))
        relative, path = export_file(job.uid)
        with XlsxStream(path, COLUMNS, sheet_name=_("People")) as sheet:
            for row in export_rows(queryset, full_values):
                sheet.write(row)
                progress.advance()
        message = _("%(rows)s rows exported.") % {"rows": sheet.rows}
        if total > MAX_EXPORT_ROWS:
            message = _("Only the first %(rows)s of %(total)s rows were exported; narrow the filter.") % {
                "rows": sheet.rows, "total": total}
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        progress.succeed(result={"rows": sheet.rows, "filename": f"people-{stamp}.xlsx"}, result_file=relative,
                         message=message)
        with transaction.atomic():
            notify(recipients=[job.owner], title=_("Your export is ready: %(title)s") % {"title": job.title},
                   body=message, url=reverse("core:job_detail", args=[job.uid]), obj=job)
    return {"rows": sheet.rows}
