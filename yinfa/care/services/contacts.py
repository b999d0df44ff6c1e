"""Writes of care contacts: an organisation's policy, assigning a vulnerable person to a carer (and ending it), and
logging a contact (which keeps the assignment's cached dates and no-answer streak, and escalates).

Who may do what:
- a policy: a bureau or community administrator, for their own organisation (the node of the role in use);
- an assignment: CARE_MANAGE in a scope that sees the person; the carer is a community staff account or a
  volunteer holding that role at the person's community or a node above it, within the organisation shared by
  the scope and the community (``carer_paths``);
- a contact: the assignment's carer while it is open, or CARE_MANAGE staff of the scope (recorded as themselves);
- the full phone number: the carer while the assignment is open, or staff with PEOPLE_REVEAL (audited).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.care.models import CareAssignment, CareContact, CarePolicy, ContactMethod, ContactOutcome, EscalationReason
from yinfa.care.policies import (
    CONDITIONS,
    EDITING_ROLES,
    MAX_INTERVAL,
    MIN_INTERVAL,
    NEVER,
    PolicySet,
    anchor_q,
    effective_policy,
)
from yinfa.care.services import escalations
from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgNode, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.scope import ancestor_paths
from yinfa.core.services.notifications import notify
from yinfa.people.models import Person
from yinfa.people.services.person import reveal_value

POLICY_FIELDS = ("node", "condition", "interval_days", "active")
ASSIGNMENT_FIELDS = ("person", "carer", "interval_days", "started_on", "ended_on", "next_due_on")
CONTACT_FIELDS = ("assignment", "person", "carer", "contacted_at", "method", "outcome", "note")
CARER_ROLES = (Role.COMMUNITY_ADMIN, Role.VOLUNTEER)
NOTE_MAX = 2000
# A contact time a little ahead of the server clock (a phone's clock) is accepted.
CLOCK_TOLERANCE = datetime.timedelta(minutes=10)


def require_manage(scope):
    if scope is None or not scope.has(Perm.CARE_MANAGE):
        raise PermissionDenied


# --- policies -------------------------------------------------------------------------------------------------

def can_edit_policies(scope):
    return scope is not None and scope.role in EDITING_ROLES and scope.has(Perm.CARE_MANAGE)


def _check_policy_values(condition, interval_days):
    if condition not in CONDITIONS:
        raise ValidationError({"condition": _("Choose one of the conditions.")})
    if interval_days is None or not MIN_INTERVAL <= interval_days <= MAX_INTERVAL:
        raise ValidationError({"interval_days": _("Give a number of days from %(low)s to %(high)s.")
                               % {"low": MIN_INTERVAL, "high": MAX_INTERVAL}})


@transaction.atomic
def set_policy(*, actor, scope, condition, interval_days, active=True, today=None):
    """Set the policy of the scope's own organisation for ``condition`` (another interval, or switched off)."""
    if not can_edit_policies(scope):
        raise PermissionDenied
    _check_policy_values(condition, interval_days)
    node = OrgNode.objects.get(pk=scope.node_id)
    row = CarePolicy.objects.select_for_update().filter(node=node, condition=condition).first()
    before = audit.snapshot(row, POLICY_FIELDS) if row is not None else {}
    if row is None:
        row = CarePolicy(node=node, node_path=node.path, condition=condition)
    row.interval_days, row.active, row.updated_by = interval_days, bool(active), actor
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # someone else created it at the same moment
        raise ValidationError(_("Someone else has just changed this policy. Look at it again.")) from None
    after = audit.snapshot(row, POLICY_FIELDS)
    changes = audit.diff(before, after)
    if changes:
        audit.record(AuditAction.UPDATE if before else AuditAction.CREATE, actor=actor, obj=row, changes=changes,
                     scope_path=scope.path)
        refresh_intervals(node.path, today=today)
    return row


@transaction.atomic
def clear_policy(*, actor, scope, condition, today=None):
    """Remove the scope's own policy for ``condition``: the one above (or the default) applies again."""
    if not can_edit_policies(scope):
        raise PermissionDenied
    row = CarePolicy.objects.select_for_update().filter(node_id=scope.node_id, condition=condition).first()
    if row is None:
        return False
    audit.record(AuditAction.DELETE, actor=actor, obj=row, changes=audit.snapshot(row, POLICY_FIELDS),
                 scope_path=scope.path)
    path = row.node_path
    row.delete()
    refresh_intervals(path, today=today)
    return True


def refresh_intervals(path, *, today=None):
    """Open assignments of the people under ``path`` follow the policy now in force: interval and next due date.
    (Someone who no longer matches keeps their assignment; the list shows it.) Returns how many changed."""
    return _refresh(Person.objects.filter(anchor_q(path)), today=today)


# What a person's care policy depends on: a change of these re-reads it for their open assignment.
FILE_FIELDS_READ_BY_POLICIES = frozenset({"living_status", "self_care", "birth_date", "community", "unit"})


@transaction.atomic
def follow_person_change(*, actor, person, fields, today=None):
    """The person's file changed (``core.events.person_file_changed``): on a death, the open care assignment ends on
    the day of death (the carer is told); a change of what the policy reads re-reads the interval."""
    assignment = CareAssignment.objects.filter(person=person, ended_on__isnull=True).first()
    if assignment is None:
        return
    if "deceased_on" in fields and person.deceased_on is not None:
        assignment.person = person
        _end(actor=actor, scope_path=person.community_path or person.unit_path, assignment=assignment,
             ended_on=max(person.deceased_on, assignment.started_on))
    elif FILE_FIELDS_READ_BY_POLICIES & set(fields):
        _refresh(Person.objects.filter(pk=person.pk), today=today)


def _refresh(people, *, today=None):
    today = today or timezone.localdate()
    policies = PolicySet.for_people(people)
    rows = (CareAssignment.objects.filter(person__in=people, ended_on__isnull=True)
            .annotate(care_interval=policies.interval_expression(today, "person__"))
            .only("pk", "interval_days", "started_on", "last_contact_on", "next_due_on"))
    changed = []
    for assignment in rows.iterator(chunk_size=2000):
        interval = assignment.care_interval
        if interval >= NEVER or interval == assignment.interval_days:
            continue
        assignment.interval_days = interval
        assignment.next_due_on = (assignment.last_contact_on or assignment.started_on) + datetime.timedelta(
            days=interval)
        changed.append(assignment)
    CareAssignment.objects.bulk_update(changed, ["interval_days", "next_due_on"], batch_size=1000)
    return len(changed)


# --- assignments ----------------------------------------------------------------------------------------------

def carer_paths(scope, person):
    """The paths of the nodes where a carer of ``person`` holds their role: the person's community and the nodes
    above it, down from the organisation that holds both the scope and the community. None without a community."""
    if not person.community_path:
        return []
    on_path = ancestor_paths(person.community_path)
    shared = [path for path in ancestor_paths(scope.path) if path in on_path]
    top = shared[-1] if shared else on_path[0]
    return [path for path in on_path if path.startswith(top)]


def carer_grants(scope, person, day=None):
    """The role grants making an account an eligible carer of ``person`` (nearest node first): one query."""
    paths = carer_paths(scope, person)
    if not paths:
        return RoleGrant.objects.none()
    return (RoleGrant.objects.active(day).filter(role__in=CARER_ROLES, user__is_active=True, node__path__in=paths)
            .select_related("user", "node").order_by("-node__depth", "user__full_name", "user__username", "pk"))


def carer_choices(scope, person, day=None):
    """[(account id, "name · role · organisation")] of the eligible carers, each account once."""
    choices, seen = [], set()
    for grant in carer_grants(scope, person, day):
        if grant.user_id in seen:
            continue
        seen.add(grant.user_id)
        choices.append((grant.user_id, f"{grant.user.display_name} · {grant.get_role_display()} · {grant.node.name}"))
    return choices


def open_assignment(person):
    return CareAssignment.objects.filter(person=person, ended_on__isnull=True).select_related("carer").first()


def _my_care_url():
    return reverse("care:my_care")


@transaction.atomic
def assign(*, actor, scope, person, carer, started_on=None, today=None, replace=False):
    """Assign ``person`` to ``carer``. With ``replace``, an open assignment of someone else is ended the day the new
    one starts (a hand-over); without it, a person already looked after is refused (two people assigning at once:
    the second is told)."""
    require_manage(scope)
    today = today or timezone.localdate()
    if not Person.objects.visible_to(scope).filter(pk=person.pk).exists():
        raise PermissionDenied
    person = Person.objects.select_for_update().get(pk=person.pk)  # one assignment at a time per person
    if person.deceased_on is not None:
        raise ValidationError({"person": _("This person has died: there is nobody to look after.")})
    effective = effective_policy(person, today)
    if not effective.matches:
        raise ValidationError({"person": _("This person matches no care policy in force.")})
    if not person.community_id:
        raise ValidationError({"person": _("The person's community of residence is not recorded: record it in "
                                           "their file first, so that a carer of that community can be chosen.")})
    carer_id = getattr(carer, "pk", carer)
    if carer_id not in {user_id for user_id, _label in carer_choices(scope, person, today)}:
        raise ValidationError({"carer": _("Choose community staff or a volunteer of the person's community or "
                                          "of an organisation above it.")})
    started_on = started_on or today
    if started_on > today:
        raise ValidationError({"started_on": _("The start cannot be in the future.")})
    current = CareAssignment.objects.select_for_update().filter(person=person, ended_on__isnull=True).first()
    last_contact = None
    if current is not None:
        if current.carer_id == carer_id:
            raise ValidationError({"carer": _("This carer already looks after the person.")})
        if not replace:
            raise ValidationError({"person": _("%(carer)s already looks after this person: confirm the hand-over "
                                               "to assign someone else.") % {"carer": current.carer}})
        if started_on < current.started_on:
            raise ValidationError({"started_on": _("The new assignment cannot start before the current one "
                                                   "(%(day)s).") % {"day": current.started_on}})
        _end(actor=actor, scope_path=scope.path, assignment=current, ended_on=started_on)
        last_contact = current.last_contact_on
    interval = effective.interval_days
    assignment = CareAssignment(
        person=person, carer_id=carer_id, interval_days=interval, started_on=started_on,
        last_contact_on=last_contact, next_due_on=(last_contact or started_on) + datetime.timedelta(days=interval),
        created_by=actor)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise ValidationError({"person": _("Someone else has just assigned this person. Look at the list again.")}
                              ) from None
    audit.record(AuditAction.CREATE, actor=actor, obj=assignment, scope_path=scope.path, personal_data=True,
                 changes=audit.snapshot(assignment, ASSIGNMENT_FIELDS))
    notify(recipients=[carer_id], obj=assignment, url=_my_care_url(),
           title=_("You now look after %(name)s") % {"name": person.name},
           body=_("Contact them at least every %(days)s days, by phone or a visit, and log each contact. "
                  "First contact due by %(due)s.") % {"days": interval, "due": assignment.next_due_on})
    return assignment


def _end(*, actor, scope_path, assignment, ended_on):
    updated = CareAssignment.objects.filter(pk=assignment.pk, ended_on__isnull=True).update(ended_on=ended_on)
    if not updated:
        raise ValidationError(_("This assignment has already ended."))
    assignment.ended_on = ended_on
    audit.record(AuditAction.UPDATE, actor=actor, obj=assignment, scope_path=scope_path, personal_data=True,
                 changes={"ended_on": [None, ended_on.isoformat()]})
    notify(recipients=[assignment.carer_id], obj=assignment, url=_my_care_url(),
           title=_("You no longer look after %(name)s") % {"name": assignment.person.name},
           body=_("The assignment ended on %(day)s.") % {"day": ended_on})


@transaction.atomic
def end_assignment(*, actor, scope, assignment, today=None):
    """End an open assignment (the person is listed as unassigned again until someone else is assigned)."""
    require_manage(scope)
    if not CareAssignment.objects.visible_to(scope).filter(pk=assignment.pk).exists():
        raise PermissionDenied
    ended_on = max(today or timezone.localdate(), assignment.started_on)
    _end(actor=actor, scope_path=scope.path, assignment=assignment, ended_on=ended_on)
    return assignment


# --- contacts -------------------------------------------------------------------------------------------------

def is_carer(user, assignment):
    """``user`` looks after the person now: an ended assignment leaves its former carer nothing."""
    return assignment.carer_id == user.pk and assignment.ended_on is None


def may_log(user, scope, assignment):
    return is_carer(user, assignment) or (scope is not None and scope.has(Perm.CARE_MANAGE))


def may_reveal_phone(user, scope, assignment):
    return is_carer(user, assignment) or (scope is not None and scope.has(Perm.PEOPLE_REVEAL))


def reveal_phone(*, actor, scope, assignment):
    """The person's full phone number to call them (the current carer, or staff with PEOPLE_REVEAL); audited as a
    reveal. The pages call it on a POST only, so that another site cannot make a browser reveal it."""
    if not may_log(actor, scope, assignment) or not may_reveal_phone(actor, scope, assignment):
        raise PermissionDenied
    return reveal_value(actor=actor, person=assignment.person, field="phone",
                        reason=_("Care contact by the carer")) or ""


@transaction.atomic
def log_contact(*, actor, scope, assignment, method, outcome, note="", contacted_at=None):
    """Log a contact of an open assignment. Returns (contact, escalations opened by it).

    An answered contact moves the last contact and the next due date, and resets the no-answer streak; a "no
    answer" only lengthens the streak. Two in a row (or "needs help") open an escalation, unless one is open."""
    if not may_log(actor, scope, assignment):
        raise PermissionDenied
    assignment = CareAssignment.objects.select_for_update().select_related("person").get(pk=assignment.pk)
    if assignment.ended_on is not None:
        raise ValidationError(_("This assignment has ended: log the contact on the person's current assignment."))
    errors = {}
    if method not in ContactMethod.values:
        errors["method"] = _("Choose phone call or home visit.")
    if outcome not in ContactOutcome.values:
        errors["outcome"] = _("Choose how it went.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(n)s characters.") % {"n": NOTE_MAX}
    if outcome == ContactOutcome.NEEDS_HELP and not note:
        errors["note"] = _("Say what help is needed.")
    now = timezone.now()
    contacted_at = contacted_at or now
    if contacted_at > now + CLOCK_TOLERANCE:
        errors["contacted_at"] = _("The contact cannot be in the future.")
    elif timezone.localdate(contacted_at) < assignment.started_on:
        errors["contacted_at"] = _("The contact cannot be before the assignment started (%(day)s).") % {
            "day": assignment.started_on}
    if errors:
        raise ValidationError(errors)
    contact = CareContact.objects.create(assignment=assignment, person_id=assignment.person_id, carer=actor,
                                         contacted_at=contacted_at, method=method, outcome=outcome, note=note)
    if outcome == ContactOutcome.NO_ANSWER:
        assignment.unanswered_in_a_row += 1
    else:
        day = timezone.localdate(contacted_at)
        assignment.unanswered_in_a_row = 0
        assignment.last_contact_on = max(filter(None, (assignment.last_contact_on, day)))
        assignment.next_due_on = assignment.last_contact_on + datetime.timedelta(days=assignment.interval_days)
    assignment.save(update_fields=["unanswered_in_a_row", "last_contact_on", "next_due_on"])
    audit.record(AuditAction.CREATE, actor=actor, obj=contact, scope_path=scope.path if scope else None,
                 personal_data=True, changes=audit.snapshot(contact, CONTACT_FIELDS))
    opened = []
    if outcome == ContactOutcome.NO_ANSWER and assignment.unanswered_in_a_row >= 2:
        opened.append(escalations.open_escalation(assignment=assignment, reason=EscalationReason.NO_ANSWER,
                                                  actor=actor))
    elif outcome == ContactOutcome.NEEDS_HELP:
        opened.append(escalations.open_escalation(assignment=assignment, reason=EscalationReason.NEEDS_HELP,
                                                  actor=actor, note=note))
    return contact, [escalation for escalation, created in opened if created]


def record_export(*, actor, scope, object_type, filters, rows):
    """Audit an Excel export of care contacts with the filters used."""
    require_view(scope)
    audit.record(AuditAction.EXPORT, actor=actor, object_type=object_type, personal_data=True,
                 object_repr=_("Care contacts of %(node)s") % {"node": scope.node_name}, scope_path=scope.path,
                 detail={"filters": filters, "rows": rows})


def require_view(scope):
    if scope is None or not scope.has(Perm.CARE_VIEW):
        raise PermissionDenied
