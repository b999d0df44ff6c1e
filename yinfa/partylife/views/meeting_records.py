"""The attendance screen of a meeting (every member at once, saved in one go; refreshing the roster) and the
meeting's photos and documents (upload, scoped download, delete).

Reads go through the visible meeting (``views.meetings.get_meeting``); a file is read through the visible
meetings, so anything outside the scope answers 404. Files are never served as public media.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.forms_meetings import STATUS_CHOICES, AttendanceForm, ConfirmForm, MeetingFileForm
from yinfa.partylife.models import Attendance, MeetingFile, MeetingKind
from yinfa.partylife.services import meeting_files as file_services
from yinfa.partylife.services import meetings as services
from yinfa.partylife.views.meetings import decorate, get_meeting, visible_meetings

# --- attendance -----------------------------------------------------------------------------------------------


def roster_rows(meeting):
    """The attendance rows of the meeting with the member's name (one query), by name."""
    return list(Attendance.objects.filter(meeting=meeting).select_related("person").only(
        "pk", "meeting_id", "person_id", "status", "is_voting", "leave_reason", "delivered_by", "delivered_on",
        "signed_in_at", "person__name", "person__name_pinyin").order_by("person__name_pinyin", "pk"))


def attach_inputs(form, rows, errors_by_person=None):
    """Per row: the current values of its inputs and its errors, for the template."""
    errors_by_person = errors_by_person or {}
    for row in rows:
        pid = row.person_id
        row.field_status = form.value_of("status", pid) or row.status
        row.field_reason = form.value_of("reason", pid)
        row.field_by = form.value_of("by", pid)
        row.field_on = form.value_of("on", pid)
        errors = dict(errors_by_person.get(pid, {}))
        for name, key in (("status", "status"), ("reason", "leave_reason"), ("by", "delivered_by"),
                          ("on", "delivered_on")):
            for message in form.errors.get(f"{name}-{pid}", []) if form.is_bound else []:
                errors.setdefault(key, message)
        row.errors = errors
    return rows


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def meeting_attendance(request, pk):
    meeting = decorate(get_meeting(request, pk))
    rows = roster_rows(meeting)
    form = AttendanceForm(request.POST or None, rows=rows)
    errors_by_person = {}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_attendance(actor=request.user, scope=request.scope, meeting=meeting,
                                         rows=form.service_rows())
            except services.AttendanceErrors as exc:
                errors_by_person = exc.by_person
                messages.error(request, exc.messages[0])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The attendance is saved."))
                return redirect("partylife:meeting_detail", pk=meeting.pk)
        else:
            messages.error(request, _("Some rows need attention; nothing was saved."))
    attach_inputs(form, rows, errors_by_person)
    signed_in = [row for row in rows if row.signed_in_at]
    return render(request, "partylife/meetings/attendance.html", {
        "meeting": meeting, "rows": rows, "statuses": STATUS_CHOICES, "signed_in": signed_in,
        "future": meeting.held_on > timezone.localdate(), "general_kind": MeetingKind.GENERAL,
        "committee_roster": services.committee_roster_used(meeting),
        "group_kind": MeetingKind.GROUP,
    })


@module("partylife")
@require_POST
@scope_checked(Perm.PARTY_MANAGE)
def meeting_roster_refresh(request, pk):
    meeting = get_meeting(request, pk)
    try:
        added, removed = services.refresh_roster(actor=request.user, scope=request.scope, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if added or removed:
            messages.success(request, ngettext(
                "The roster is refreshed: %(added)s member added, %(removed)s removed.",
                "The roster is refreshed: %(added)s members added, %(removed)s removed.", added) % {
                "added": added, "removed": removed})
        else:
            messages.info(request, _("The roster is already up to date."))
    return redirect("partylife:meeting_attendance", pk=meeting.pk)


# --- files ----------------------------------------------------------------------------------------------------

def get_file(request, pk):
    files = MeetingFile.objects.filter(meeting__in=visible_meetings(request)).select_related("meeting")
    return get_object_or_404(files, pk=pk)


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def meeting_file_add(request, pk):
    meeting = get_meeting(request, pk)
    form = MeetingFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            file_services.add_file(actor=request.user, scope=request.scope, meeting=meeting,
                                   title=form.cleaned_data["title"], upload=form.cleaned_data["file"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The file is kept with the meeting."))
            return redirect(reverse("partylife:meeting_detail", args=[meeting.pk]) + "#files")
    return render(request, "partylife/meetings/file_form.html", {"meeting": meeting, "form": form})


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def meeting_file(request, pk):
    """The stored file, streamed, only for a meeting in scope. Images inline, documents downloaded."""
    row = get_file(request, pk)
    try:
        stream = row.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    inline = row.content_type.startswith("image/")
    extension = file_services.FILE_TYPES.get(row.content_type, "bin")
    response = FileResponse(stream, as_attachment=not inline, filename=f"meeting-{row.meeting_id}-{row.pk}."
                            f"{extension}", content_type=row.content_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def meeting_file_delete(request, pk):
    row = get_file(request, pk)
    meeting = get_meeting(request, row.meeting_id)
    form = ConfirmForm(request.POST or None, initial={"confirm": True})
    if request.method == "POST" and form.is_valid():
        try:
            file_services.delete_file(actor=request.user, scope=request.scope, meeting_file=row)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("“%(title)s” is removed from the meeting.") % {"title": row.title})
        return redirect(reverse("partylife:meeting_detail", args=[meeting.pk]) + "#files")
    return render(request, "partylife/meetings/file_delete.html", {"meeting": meeting, "file": row, "form": form})
