"""Meetings of organisational life: record, edit, copy and delete a meeting; its roster and attendance (present,
on leave, absent, 送学上门); QR sign-in tokens; compliance kept current.

- The roster of a meeting is built from the organisational memberships active on the meeting day (for a 党小组会
  only the members of that party group; for a 支部委员会 the members holding a committee post that day, when any
  post is recorded). ``is_voting``: a full member on that day (probationary members do not vote).
- The counts on the meeting row are recomputed from its attendance rows after every change (``recount``);
  ``qualifies`` = attendance recorded and minutes written.
- After every change that can move compliance, ``compliance.refresh_branch`` runs for the affected years.
- Every write is atomic, checks ``Perm.PARTY_MANAGE`` and the scope, and leaves an audit row.
"""

import datetime

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.partylife.models import (
    Attendance,
    AttendanceStatus,
    Branch,
    BranchKind,
    CommitteeMember,
    Meeting,
    MeetingKind,
    Membership,
    Relation,
    Standing,
)

# A make-up meeting (补开) may count for the month it was held or up to this many earlier months of the same year.
MAKEUP_MONTHS_BACK = 2
# The sign-in QR code works until the end of the meeting day plus this many days.
SIGNIN_VALID_DAYS_AFTER = 1
SIGNIN_SALT = "yinfa.partylife.meeting-signin"

MEETING_FIELDS = ["kind", "held_on", "starts_at", "place", "topic", "host", "speaker", "agenda", "minutes",
                  "party_group", "counts_month"]
AUDIT_FIELDS = ["branch", "kind", "held_on", "starts_at", "place", "topic", "host", "speaker", "party_group",
                "counts_year", "counts_month", "copied_from"]
# Fields whose change can move the branch's compliance.
COMPLIANCE_FIELDS = ("kind", "held_on", "counts_month", "minutes")
# Fields whose change changes who is on the roster.
ROSTER_FIELDS = ("kind", "held_on", "party_group")
COPIED_FIELDS = ["kind", "place", "host", "speaker", "agenda", "party_group"]


def snapshot(meeting):
    """The audited values of a meeting (the time of day as text: the audit trail stores JSON)."""
    values = audit.snapshot(meeting, AUDIT_FIELDS)
    if values.get("starts_at") is not None:
        values["starts_at"] = values["starts_at"].isoformat(timespec="minutes")
    return values


def require_manage(scope):
    if scope is None or not scope.has(Perm.PARTY_MANAGE):
        raise PermissionDenied


def require_in_scope(scope, path):
    if scope is None or not scope.contains_path(path):
        raise PermissionDenied


def refresh_compliance(branch, years):
    """Recompute the branch's compliance rows for each affected year (the compliance engine's own function)."""
    from yinfa.partylife.services.compliance import refresh_branch

    for year in sorted(set(years)):
        refresh_branch(branch=branch, year=year)


# --- values of a meeting --------------------------------------------------------------------------------------

def counts_month_choices(held_on):
    """The months a meeting held on ``held_on`` may count for: that month and up to two earlier ones of the year."""
    return list(range(held_on.month, max(0, held_on.month - MAKEUP_MONTHS_BACK - 1), -1))


def party_groups(branch, day=None):
    """The party groups (child nodes) of the branch, open on ``day`` when given."""
    groups = OrgNode.objects.filter(parent_id=branch.pk, kind=OrgKind.PARTY_GROUP)
    if day is not None:
        groups = groups.filter(Q(opened_on__isnull=True) | Q(opened_on__lte=day),
                               Q(closed_on__isnull=True) | Q(closed_on__gt=day))
    return groups.order_by("sort_order", "name", "pk")


def clean_values(branch, values):
    """The values of a meeting, checked: the month it counts for, the party group, the branch open that day."""
    values = {name: values.get(name) for name in MEETING_FIELDS if name in values}
    errors = {}
    held_on = values.get("held_on")
    if held_on is None:
        raise ValidationError({"held_on": _("Give the date of the meeting.")})
    if not branch.is_open_on(held_on):
        errors["held_on"] = _("The branch was not open on %(day)s.") % {"day": held_on.isoformat()}
    if values.get("kind") not in MeetingKind.values:
        errors["kind"] = _("Choose the type of meeting.")
    for name in ("topic", "place", "host", "speaker", "agenda", "minutes"):
        values[name] = (values.get(name) or "").strip()
    if not values["topic"]:
        errors["topic"] = _("Give the topic of the meeting.")
    counts_month = values.get("counts_month") or held_on.month
    if counts_month not in counts_month_choices(held_on):
        errors["counts_month"] = _("A make-up meeting can count for the month it was held or for up to "
                                   "%(months)s earlier months of the same year.") % {"months": MAKEUP_MONTHS_BACK}
    values["counts_month"] = counts_month
    group = values.get("party_group")
    if values.get("kind") == MeetingKind.GROUP:
        if group is None:
            errors["party_group"] = _("A party group meeting needs its party group.")
        elif group.parent_id != branch.pk or group.kind != OrgKind.PARTY_GROUP:
            errors["party_group"] = _("Choose one of this branch's party groups.")
    else:
        values["party_group"] = None
    if errors:
        raise ValidationError(errors)
    return values


# --- roster and counts ----------------------------------------------------------------------------------------

def roster_on(meeting):
    """{person id: is_voting} of the members expected at the meeting on its day."""
    day = meeting.held_on
    # A functional branch (功能型党支部) holds no organisational relationships: its roster is its joined members.
    relation = Relation.FUNCTIONAL if meeting.branch.kind == BranchKind.FUNCTIONAL else Relation.ORGANISATIONAL
    memberships = Membership.objects.filter(branch_id=meeting.branch_id, relation=relation).active_on(day)
    if meeting.kind == MeetingKind.GROUP and meeting.party_group_id:
        memberships = memberships.filter(party_group_id=meeting.party_group_id)
    if meeting.kind == MeetingKind.COMMITTEE:
        committee = set(CommitteeMember.objects.filter(
            term__branch_id=meeting.branch_id, started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)).values_list("person_id", flat=True))
        if committee:
            memberships = memberships.filter(person_id__in=committee)
    roster = {}
    for membership in memberships.only("person_id", "standing", "probation_until").order_by("pk"):
        roster[membership.person_id] = membership.standing_on(day) == Standing.FULL
    return roster


def committee_roster_used(meeting):
    """True when a committee meeting's roster is the committee (posts recorded), False when it is every member."""
    if meeting.kind != MeetingKind.COMMITTEE:
        return False
    day = meeting.held_on
    return CommitteeMember.objects.filter(term__branch_id=meeting.branch_id, started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)).exists()


def sync_roster(meeting):
    """Bring the attendance rows in line with the roster of the meeting day: add members who are missing (absent
    until recorded), drop rows of people who were not members that day, update who votes. Statuses kept.
    Returns (added, removed)."""
    roster = roster_on(meeting)
    existing = {row.person_id: row for row in Attendance.objects.filter(meeting=meeting).only(
        "pk", "person_id", "is_voting")}
    gone = [row.pk for person_id, row in existing.items() if person_id not in roster]
    if gone:
        Attendance.objects.filter(pk__in=gone).delete()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, person_id=person_id, is_voting=voting)
                                    for person_id, voting in roster.items() if person_id not in existing])
    changed = [row for person_id, row in existing.items()
               if person_id in roster and row.is_voting != roster[person_id]]
    for row in changed:
        row.is_voting = roster[row.person_id]
    if changed:
        Attendance.objects.bulk_update(changed, ["is_voting"])
    return len(roster) - (len(existing) - len(gone)), len(gone)


def recount(meeting):
    """Recompute the cached counts of the meeting from its attendance rows (one query) and save them."""
    participating = (AttendanceStatus.PRESENT, AttendanceStatus.DELIVERED)
    figures = Attendance.objects.filter(meeting=meeting).aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        delivered=Count("pk", filter=Q(status=AttendanceStatus.DELIVERED)),
        leave=Count("pk", filter=Q(status=AttendanceStatus.LEAVE)),
        absent=Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
        voting=Count("pk", filter=Q(is_voting=True)),
        voting_present=Count("pk", filter=Q(is_voting=True, status=AttendanceStatus.PRESENT)),
        participating=Count("pk", filter=Q(status__in=participating)),
    )
    meeting.expected_count = figures["expected"]
    meeting.present_count = figures["present"]
    meeting.delivered_count = figures["delivered"]
    meeting.leave_count = figures["leave"]
    meeting.absent_count = figures["absent"]
    meeting.voting_count = figures["voting"]
    meeting.voting_present = figures["voting_present"]
    meeting.qualifies = meeting.attendance_recorded and meeting.minutes.strip() != ""
    Meeting.objects.filter(pk=meeting.pk).update(
        expected_count=meeting.expected_count, present_count=meeting.present_count,
        delivered_count=meeting.delivered_count, leave_count=meeting.leave_count,
        absent_count=meeting.absent_count, voting_count=meeting.voting_count,
        voting_present=meeting.voting_present, attendance_recorded=meeting.attendance_recorded,
        qualifies=meeting.qualifies, updated_at=timezone.now())
    return meeting


def counts_summary(meeting):
    return {"expected": meeting.expected_count, "present": meeting.present_count,
            "delivered": meeting.delivered_count, "leave": meeting.leave_count, "absent": meeting.absent_count,
            "voting": meeting.voting_count, "voting_present": meeting.voting_present}


# --- record, edit, copy, delete -------------------------------------------------------------------------------

def _lock(meeting):
    """Take the row lock of the meeting (two secretaries saving at once are applied one after the other)."""
    return Meeting.objects.select_for_update().select_related("branch__node").get(pk=meeting.pk)


@transaction.atomic
def create_meeting(*, actor, scope, branch, values, copied_from=None):
    """Record a meeting of ``branch`` (a branch of the scope) and build its roster. Returns the meeting."""
    require_manage(scope)
    require_in_scope(scope, branch.path)
    values = clean_values(branch, values)
    if copied_from is not None:
        require_in_scope(scope, copied_from.branch_path)
    meeting = Meeting(branch=branch, branch_path=branch.path, created_by=actor, copied_from=copied_from,
                      counts_year=values["held_on"].year, **values)
    meeting.save()
    sync_roster(meeting)
    recount(meeting)
    audit.record(AuditAction.CREATE, actor=actor, obj=meeting, scope_path=meeting.branch_path,
                 changes=audit.diff({}, snapshot(meeting)),
                 detail={"expected": meeting.expected_count})
    refresh_compliance(branch, [meeting.counts_year])
    return meeting


@transaction.atomic
def update_meeting(*, actor, scope, meeting, values):
    """Change a meeting. A new date, type or party group re-syncs the roster (statuses of those still on it are
    kept); the counts and compliance follow."""
    require_manage(scope)
    require_in_scope(scope, meeting.branch_path)
    meeting = _lock(meeting)
    branch = meeting.branch
    values = clean_values(branch, values)
    before = snapshot(meeting)
    old_years = {meeting.counts_year}
    old = {name: getattr(meeting, name) for name in (*COMPLIANCE_FIELDS, *ROSTER_FIELDS)}
    if meeting.attendance_recorded and values["held_on"] > timezone.localdate():
        raise ValidationError({"held_on": _("Attendance is already recorded: the meeting cannot move to a day "
                                            "that has not come yet.")})
    for name, value in values.items():
        setattr(meeting, name, value)
    meeting.counts_year = meeting.held_on.year
    meeting.save()
    roster_changed = any(old[name] != getattr(meeting, name) for name in ROSTER_FIELDS)
    added = removed = 0
    if roster_changed:
        added, removed = sync_roster(meeting)
    recount(meeting)
    changes = audit.diff(before, snapshot(meeting))
    if old["minutes"] != meeting.minutes:
        changes["minutes"] = ["…", "…"]  # the text itself stays in the meeting, not in the audit trail
    audit.record(AuditAction.UPDATE, actor=actor, obj=meeting, scope_path=meeting.branch_path, changes=changes,
                 detail={"roster_added": added, "roster_removed": removed} if roster_changed else {})
    if any(old[name] != getattr(meeting, name) for name in COMPLIANCE_FIELDS):
        refresh_compliance(branch, old_years | {meeting.counts_year})
    return meeting


def copy_initial(source):
    """The initial values of a new meeting made from ``source`` (no date, minutes, attendance or files)."""
    initial = {name: getattr(source, name) for name in COPIED_FIELDS}
    initial["party_group"] = source.party_group_id
    return initial


@transaction.atomic
def delete_meeting(*, actor, scope, meeting):
    """Delete a meeting with its attendance and files (the stored files once the transaction commits)."""
    require_manage(scope)
    require_in_scope(scope, meeting.branch_path)
    meeting = _lock(meeting)
    branch = meeting.branch
    stored = [(f.file.storage, f.file.name) for f in meeting.files.all()]
    removed = {name: [value, None] for name, value in snapshot(meeting).items() if value not in (None, "")}
    detail = {**counts_summary(meeting), "files": len(stored), "topic": meeting.topic}
    repr_, pk, year = str(meeting)[:200], meeting.pk, meeting.counts_year
    meeting.delete()
    audit.record(AuditAction.DELETE, actor=actor, object_type=Meeting._meta.label_lower, object_id=str(pk),
                 object_repr=repr_, scope_path=branch.path, changes=removed, detail=detail)
    refresh_compliance(branch, [year])

    def remove_files():
        for storage, name in stored:
            storage.delete(name)

    transaction.on_commit(remove_files)


# --- attendance -----------------------------------------------------------------------------------------------

def clean_row(row, meeting, today):
    """One attendance row as saved: fields that do not belong to the status are cleared; errors by field."""
    status = row.get("status")
    errors = {}
    cleaned = {"status": status, "leave_reason": "", "delivered_by": "", "delivered_on": None}
    if status not in AttendanceStatus.values:
        errors["status"] = _("Choose present, on leave, absent or study delivered at home.")
    elif status == AttendanceStatus.LEAVE:
        cleaned["leave_reason"] = (row.get("leave_reason") or "").strip()[:120]
        if not cleaned["leave_reason"]:
            errors["leave_reason"] = _("Give the reason for the leave.")
    elif status == AttendanceStatus.DELIVERED:
        cleaned["delivered_by"] = (row.get("delivered_by") or "").strip()[:60]
        cleaned["delivered_on"] = row.get("delivered_on")
        if not cleaned["delivered_by"]:
            errors["delivered_by"] = _("Say who took the study material to the member.")
        if cleaned["delivered_on"] is None:
            errors["delivered_on"] = _("Say when the material was taken to the member.")
        elif cleaned["delivered_on"] < meeting.held_on:
            errors["delivered_on"] = _("The material is taken on the day of the meeting or later.")
        elif cleaned["delivered_on"] > today:
            errors["delivered_on"] = _("That day has not come yet.")
    return cleaned, errors


class AttendanceErrors(ValidationError):
    """Errors of an attendance save, by person id: {person id: {field: message}}."""

    def __init__(self, by_person, message=None):
        self.by_person = by_person
        super().__init__(message or _("Some rows need attention; nothing was saved."))


@transaction.atomic
def save_attendance(*, actor, scope, meeting, rows):
    """Record the attendance of the meeting in one go.

    ``rows``: an iterable of dicts ``{"person": id, "status": …, "leave_reason": …, "delivered_by": …,
    "delivered_on": date}``. Every person must be on the roster; people left out keep their status. Leave needs
    a reason; 送学上门 needs who took the material and when (on or after the meeting day). Nothing is saved when
    a row is wrong (``AttendanceErrors``). Returns the meeting with its counts.
    """
    require_manage(scope)
    require_in_scope(scope, meeting.branch_path)
    meeting = _lock(meeting)
    today = timezone.localdate()
    if meeting.held_on > today:
        raise ValidationError(_("The meeting is on %(day)s: record its attendance on that day or later.") % {
            "day": meeting.held_on.isoformat()})
    existing = {row.person_id: row for row in Attendance.objects.filter(meeting=meeting)}
    by_person, changed, changes = {}, [], {}
    for row in rows:
        person_id = row.get("person")
        target = existing.get(person_id)
        if target is None:
            by_person[person_id] = {"person": _("This person is not on the meeting's roster.")}
            continue
        cleaned, errors = clean_row(row, meeting, today)
        if errors:
            by_person[person_id] = errors
            continue
        before = {name: getattr(target, name) for name in cleaned}
        if before != cleaned:
            for name, value in cleaned.items():
                setattr(target, name, value)
            changed.append(target)
            changes[str(person_id)] = [before["status"], cleaned["status"]]
    if by_person:
        raise AttendanceErrors(by_person)
    if changed:
        now = timezone.now()
        for target in changed:
            target.updated_at = now
        Attendance.objects.bulk_update(changed, ["status", "leave_reason", "delivered_by", "delivered_on",
                                                 "updated_at"])
    was_recorded, was_qualifying = meeting.attendance_recorded, meeting.qualifies
    meeting.attendance_recorded = True
    recount(meeting)
    audit.record(AuditAction.UPDATE, actor=actor, obj=meeting, scope_path=meeting.branch_path,
                 changes={"attendance": changes} if changes else {},
                 detail={"attendance": counts_summary(meeting), "first_recording": not was_recorded})
    if was_qualifying != meeting.qualifies or not was_recorded:
        refresh_compliance(meeting.branch, [meeting.counts_year])
    return meeting


@transaction.atomic
def refresh_roster(*, actor, scope, meeting):
    """Add members who joined since the roster was built (and drop people who were not members that day);
    recorded statuses are kept. Returns (added, removed)."""
    require_manage(scope)
    require_in_scope(scope, meeting.branch_path)
    meeting = _lock(meeting)
    added, removed = sync_roster(meeting)
    was_qualifying = meeting.qualifies
    recount(meeting)
    if added or removed:
        audit.record(AuditAction.UPDATE, actor=actor, obj=meeting, scope_path=meeting.branch_path,
                     detail={"roster_added": added, "roster_removed": removed, "attendance": counts_summary(meeting)})
    if was_qualifying != meeting.qualifies:
        refresh_compliance(meeting.branch, [meeting.counts_year])
    return added, removed


# --- QR sign-in -----------------------------------------------------------------------------------------------

class SignInRefused(Exception):
    """A sign-in that cannot be done; ``message`` says why, ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def signin_expires(held_on):
    """The moment the sign-in code of a meeting held on ``held_on`` stops working (local time)."""
    last_day = held_on + datetime.timedelta(days=SIGNIN_VALID_DAYS_AFTER + 1)
    return timezone.make_aware(datetime.datetime.combine(last_day, datetime.time.min))


def signin_token(meeting):
    """A signed token naming the meeting and its day (a new date makes the old codes useless)."""
    return signing.dumps({"m": meeting.pk, "d": meeting.held_on.isoformat()}, salt=SIGNIN_SALT, compress=True)


def meeting_of_token(token):
    """The meeting a sign-in token names, or ``SignInRefused`` (tampered, for another date, expired, deleted)."""
    try:
        payload = signing.loads(token, salt=SIGNIN_SALT)
        meeting_id, day = int(payload["m"]), datetime.date.fromisoformat(payload["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise SignInRefused(_("This sign-in code is not valid. Scan the code shown at the meeting again.")) from None
    if timezone.now() >= signin_expires(day):
        raise SignInRefused(_("This sign-in code has expired: it worked until the day after the meeting. Ask the "
                              "branch secretary to record your attendance."))
    meeting = Meeting.objects.select_related("branch__node").filter(pk=meeting_id).first()
    if meeting is None or meeting.held_on != day:
        raise SignInRefused(_("This sign-in code is no longer valid: the meeting was changed or removed. Ask the "
                              "branch secretary for the new code."))
    if timezone.localdate() < day:
        raise SignInRefused(_("This meeting is on %(day)s. Sign in on that day.") % {
            "day": formats.date_format(day, "Y-m-d")})
    return meeting


def attendance_of(meeting, person):
    """The person's attendance row of the meeting, or ``SignInRefused`` (404) when they are not on its roster."""
    row = None
    if person is not None:
        row = Attendance.objects.filter(meeting=meeting, person=person).first()
    if row is None:
        raise SignInRefused(_("You are not on this meeting's roster. If you should be, tell the branch "
                              "secretary."), status=404)
    return row


@transaction.atomic
def sign_in(*, actor, person, meeting):
    """Mark ``person`` present at the meeting by their own QR sign-in (idempotent: a second scan changes nothing).
    Returns (attendance row, newly signed in)."""
    meeting = _lock(meeting)
    row = attendance_of(meeting, person)
    if row.signed_in_at is not None and row.status == AttendanceStatus.PRESENT:
        return row, False
    before = row.status
    row.status = AttendanceStatus.PRESENT
    row.leave_reason, row.delivered_by, row.delivered_on = "", "", None
    row.signed_in_at = row.signed_in_at or timezone.now()
    row.save(update_fields=["status", "leave_reason", "delivered_by", "delivered_on", "signed_in_at",
                            "updated_at"])
    recount(meeting)
    audit.record(AuditAction.UPDATE, actor=actor, obj=meeting, scope_path=meeting.branch_path,
                 changes={"attendance": {str(person.pk): [before, row.status]}},
                 detail={"signed_in": person.pk})
    return row, True


def branch_of_scope(scope):
    """The branch when the scope is exactly one branch, else None."""
    if scope is None:
        return None
    return Branch.objects.visible_to(scope).select_related("node").filter(pk=scope.node_id).first()


@transaction.atomic
def record_export(*, actor, scope, filters, rows):
    """Audit an Excel export of the meeting list with the filters used."""
    require_in_scope(scope, scope.path if scope else "")
    audit.record(AuditAction.EXPORT, actor=actor, object_type=Meeting._meta.label_lower,
                 object_repr=_("Meetings of %(node)s") % {"node": scope.node_name}, scope_path=scope.path,
                 detail={"filters": filters, "rows": rows})
