"""Meeting pages: the list (filters, load more, Excel export), recording a meeting (choosing its branch first when
the scope holds several), editing, copying as the template of the next, the detail page and deleting.

Every read goes through ``Meeting.objects.visible_to(request.scope)`` / ``Branch.objects.visible_to``: a meeting
or branch outside the scope answers 404. Writes are the services' (``yinfa.partylife.services.meetings``).
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.exports import XlsxStream
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.filters_meetings import MeetingFilter
from yinfa.partylife.forms_meetings import BranchChoiceForm, ConfirmForm, MeetingForm
from yinfa.partylife.models import Attendance, AttendanceStatus, Branch, Meeting, MeetingKind
from yinfa.partylife.services import meetings as services

PAGE_SIZE = 50
BRANCH_SELECT_LIMIT = 300  # above this many branches the filters take a branch id (set from the branch pages)
EXPORT_LIMIT = 20_000
LIST_FIELDS = ("pk", "branch_id", "branch__node__name", "kind", "topic", "held_on", "starts_at", "place",
               "party_group__name", "counts_year", "counts_month", "attendance_recorded", "qualifies",
               "expected_count", "present_count", "delivered_count", "leave_count", "absent_count", "voting_count",
               "voting_present")


# --- helpers (also used by the other meeting views) -----------------------------------------------------------

def visible_meetings(request):
    return Meeting.objects.visible_to(request.scope)


def visible_branches(request):
    return Branch.objects.visible_to(request.scope)


def get_meeting(request, pk):
    meetings = visible_meetings(request).select_related("branch__node", "party_group", "created_by", "copied_from")
    return get_object_or_404(meetings, pk=pk)


def can_manage(request):
    return request.scope.has(Perm.PARTY_MANAGE)


def with_has_minutes(meetings):
    """The meetings without their long texts, with ``has_minutes`` computed by the database."""
    return meetings.annotate(has_minutes=ExpressionWrapper(~Q(minutes=""), output_field=BooleanField()))


def decorate(meeting):
    """Display values: the status badges and the quorum flag (None when no quorum applies)."""
    has_minutes = getattr(meeting, "has_minutes", None)
    if has_minutes is None:
        has_minutes = bool(meeting.minutes.strip())
    meeting.has_minutes_flag = has_minutes
    meeting.missing = [label for missing, label in (
        (not meeting.attendance_recorded, _("Attendance missing")), (not has_minutes, _("Minutes missing")))
        if missing]
    meeting.quorum_flag = meeting.quorum_met
    meeting.participating = meeting.present_count + meeting.delivered_count
    meeting.is_makeup = (meeting.counts_year, meeting.counts_month) != (meeting.held_on.year, meeting.held_on.month)
    return meeting


def branch_options(request):
    """The branches for a select (None when the scope holds too many to list)."""
    branches = list(visible_branches(request).select_related("node").only("pk", "path", "node__name")
                    .order_by("path")[: BRANCH_SELECT_LIMIT + 1])
    return None if len(branches) > BRANCH_SELECT_LIMIT else branches


def htmx_aware(response):
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- list and export ------------------------------------------------------------------------------------------

@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def meeting_list(request):
    filterset = MeetingFilter(request.GET, scope=request.scope)
    meetings = with_has_minutes(filterset.results().select_related("branch__node", "party_group")).only(*LIST_FIELDS)
    page = keyset_page(meetings, before=request.GET.get("before"), size=PAGE_SIZE, field="held_on")
    branches = branch_options(request)
    chosen_branch = filterset.form.cleaned_data.get("branch") if filterset.form.is_valid() else None
    context = {
        "filter": filterset, "meetings": [decorate(m) for m in page.rows], "next_url": next_page_url(request, page),
        "branches": branches, "chosen_branch": chosen_branch, "kinds": MeetingKind.choices,
        "is_first_page": not request.GET.get("before"), "filtered": filterset.is_filtered,
        "can_manage": can_manage(request), "export_query": request.GET.urlencode(),
        "new_url": reverse("partylife:meeting_create") + (f"?branch={chosen_branch.pk}" if chosen_branch else ""),
    }
    template = "partylife/meetings/list.html"
    if request.htmx and request.GET.get("before"):
        template += "#rows"
    return htmx_aware(render(request, template, context))


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def meeting_export(request):
    """The filtered list as an Excel file (synchronous: meetings have no personal data; capped), audited."""
    filterset = MeetingFilter(request.GET, scope=request.scope)
    meetings = with_has_minutes(filterset.results().select_related("branch__node", "party_group")).only(*LIST_FIELDS)
    columns = [(_("Date"), 12), (_("Branch"), 32), (_("Type of meeting"), 20), (_("Topic"), 36),
               (_("Counts for month"), 12), (_("Expected to attend"), 10), (_("Present"), 10),
               (_("Delivered (送学上门)"), 12), (_("On leave"), 10), (_("Absent"), 10), (_("Quorum"), 12),
               (_("Status"), 24)]
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "meetings.xlsx"
        with XlsxStream(path, columns, sheet_name=_("Meetings")) as sheet:
            for meeting in meetings.order_by("-held_on", "-pk")[:EXPORT_LIMIT].iterator(chunk_size=2000):
                decorate(meeting)
                quorum = "" if meeting.quorum_flag is None else (_("Quorum met") if meeting.quorum_flag
                                                                 else _("No quorum"))
                sheet.write([meeting.held_on, meeting.branch.node.name, meeting.get_kind_display(), meeting.topic,
                             f"{meeting.counts_year}-{meeting.counts_month:02d}", meeting.expected_count,
                             meeting.present_count, meeting.delivered_count, meeting.leave_count,
                             meeting.absent_count, quorum, "; ".join(meeting.missing) or _("Recorded")])
                rows += 1
        content = path.read_bytes()
    filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
    services.record_export(actor=request.user, scope=request.scope, filters=filters, rows=rows)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="meetings-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


# --- record, edit, copy ---------------------------------------------------------------------------------------

def chosen_branch(request):
    """The branch the new meeting is for: ``?branch=`` (of the scope, else 404) or the scope's own branch."""
    wanted = request.GET.get("branch") or request.POST.get("branch")
    if wanted:
        if not str(wanted).isdigit():
            raise Http404
        return get_object_or_404(visible_branches(request).select_related("node"), pk=int(wanted))
    return services.branch_of_scope(request.scope)


def meeting_form_page(request, *, branch, form, meeting=None, source=None):
    cancel = (reverse("partylife:meeting_detail", args=[meeting.pk]) if meeting
              else reverse("partylife:meeting_detail", args=[source.pk]) if source
              else reverse("partylife:meeting_list"))
    return render(request, "partylife/meetings/form.html", {
        "form": form, "branch": branch, "meeting": meeting, "source": source, "cancel_url": cancel,
        "group_kind": MeetingKind.GROUP, "can_change_branch": meeting is None and source is None
        and services.branch_of_scope(request.scope) is None,
        "today": timezone.localdate(),
    })


def save_new(request, *, branch, source=None):
    """The create / copy form: GET shows it (prefilled from ``source``), POST records the meeting."""
    groups = services.party_groups(branch)
    if request.method == "POST":
        form = MeetingForm(request.POST, groups=groups)
        if form.is_valid():
            try:
                meeting = services.create_meeting(actor=request.user, scope=request.scope, branch=branch,
                                                  values=form.values(), copied_from=source)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The meeting is recorded. Now record its attendance."))
                return redirect("partylife:meeting_attendance", pk=meeting.pk)
    else:
        initial = services.copy_initial(source) if source else {}
        if source is None and request.GET.get("kind") in MeetingKind.values:
            initial["kind"] = request.GET["kind"]  # "record it" from the compliance page
        form = MeetingForm(initial=initial, groups=groups)
    return meeting_form_page(request, branch=branch, form=form, source=source)


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def meeting_create(request):
    branch = chosen_branch(request)
    if branch is None:
        branches = visible_branches(request).select_related("node").order_by("path")
        form = BranchChoiceForm(request.GET or None, branches=branches[:BRANCH_SELECT_LIMIT])
        return render(request, "partylife/meetings/choose_branch.html", {"form": form,
                                                                        "has_branches": branches.exists()})
    return save_new(request, branch=branch)


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def meeting_copy(request, pk):
    source = get_meeting(request, pk)
    return save_new(request, branch=source.branch, source=source)


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def meeting_edit(request, pk):
    meeting = get_meeting(request, pk)
    groups = services.party_groups(meeting.branch)
    if request.method == "POST":
        form = MeetingForm(request.POST, groups=groups)
        if form.is_valid():
            try:
                services.update_meeting(actor=request.user, scope=request.scope, meeting=meeting,
                                        values=form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The meeting is saved."))
                return redirect("partylife:meeting_detail", pk=meeting.pk)
    else:
        initial = {name: getattr(meeting, name) for name in services.MEETING_FIELDS}
        initial["party_group"] = meeting.party_group_id
        if meeting.counts_month == meeting.held_on.month:
            initial["counts_month"] = ""
        form = MeetingForm(initial=initial, groups=groups)
    return meeting_form_page(request, branch=meeting.branch, form=form, meeting=meeting)


# --- detail and delete ----------------------------------------------------------------------------------------

STATUS_ORDER = [AttendanceStatus.PRESENT, AttendanceStatus.DELIVERED, AttendanceStatus.LEAVE, AttendanceStatus.ABSENT]


def attendance_groups(meeting):
    """The attendance rows by status (one query), each a (status, label, rows)."""
    rows = (Attendance.objects.filter(meeting=meeting).select_related("person").only(
        "pk", "person_id", "status", "is_voting", "leave_reason", "delivered_by", "delivered_on", "signed_in_at",
        "person__name", "person__name_pinyin").order_by("person__name_pinyin", "pk"))
    by_status = {status: [] for status in STATUS_ORDER}
    for row in rows:
        by_status[row.status].append(row)
    labels = dict(AttendanceStatus.choices)
    return [(status, labels[status], by_status[status]) for status in STATUS_ORDER]


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def meeting_detail(request, pk):
    from yinfa.partylife.views.meeting_signin import signin_qr

    meeting = decorate(get_meeting(request, pk))
    files = list(meeting.files.only("pk", "meeting_id", "title", "is_photo", "content_type", "size", "uploaded_at"))
    manage = can_manage(request)
    qr = signin_qr(request, meeting) if manage else None
    return render(request, "partylife/meetings/detail.html", {
        "meeting": meeting, "groups": attendance_groups(meeting) if meeting.expected_count else [],
        "photos": [f for f in files if f.is_photo], "documents": [f for f in files if not f.is_photo],
        "can_manage": manage, "qr": qr, "general_kind": MeetingKind.GENERAL,
        "committee_roster": services.committee_roster_used(meeting),
    })


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def meeting_delete(request, pk):
    meeting = decorate(get_meeting(request, pk))
    form = ConfirmForm(request.POST or None, initial={"confirm": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_meeting(actor=request.user, scope=request.scope, meeting=meeting)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("partylife:meeting_detail", pk=meeting.pk)
        messages.success(request, _("The meeting “%(topic)s” is deleted.") % {"topic": meeting.topic})
        return redirect(reverse("partylife:meeting_list") + f"?branch={meeting.branch_id}")
    return render(request, "partylife/meetings/delete.html", {
        "meeting": meeting, "form": form, "file_count": meeting.files.count(),
    })
