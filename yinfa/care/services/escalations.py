"""Escalations of care contacts: opened when a contact is overdue (the periodic job), after two "no answer" in a
row, or when the person needs help; each notifies the community head, the person's unit and the carer; open until
someone with CARE_MANAGE records the follow-up.

One open escalation per assignment and reason (a partial unique constraint): opening is ``get_or_create`` and a
concurrent opener gets the existing one.

The overdue rule (the periodic job): an open assignment of a living person is escalated as "overdue" when its next
contact was due before today, unless an overdue escalation of it is open, or one was followed up at most
``interval_days`` days ago. The follow-up of an overdue escalation counts like a contact for this check: the carer has a
new interval from the day of the follow-up, and without an answered contact logged by then (the later of that day
and the contact's own due date, ``grace_until``) the assignment is escalated again the day after. A follow-up thus
never silences the job for good; a contact logged after it moves the next due date as usual.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.care.models import CareAssignment, Escalation, EscalationReason, EscalationStatus
from yinfa.core import audit
from yinfa.core.models import AuditAction, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.recipients import holders_at
from yinfa.core.services.notifications import notify, notify_many

ESCALATION_FIELDS = ("person", "assignment", "reason", "status", "follow_up", "resolved_by", "resolved_at")
FOLLOW_UP_MAX = 4000
BATCH = 500
# The only transition: open → followed up, by CARE_MANAGE staff of a scope that sees the person.
TRANSITIONS = {(EscalationStatus.OPEN, EscalationStatus.RESOLVED): Perm.CARE_MANAGE}


def recipients(person, carer_id, day=None):
    """The community head, the person's unit and the carer."""
    return (holders_at([Role.COMMUNITY_ADMIN], [person.community_id], day=day)
            | holders_at([Role.UNIT_ADMIN], [person.unit_id], day=day) | {carer_id})


def _message(escalation, person_name, note=""):
    title = _("Care escalation: %(name)s — %(reason)s") % {"name": person_name,
                                                            "reason": escalation.get_reason_display()}
    body = {
        EscalationReason.OVERDUE: _("The regular contact is overdue. Follow it up and record what was done."),
        EscalationReason.NO_ANSWER: _("Two contacts in a row went unanswered. Check on the person and record "
                                      "what was done."),
        EscalationReason.NEEDS_HELP: _("The person needs help: %(note)s") % {"note": note},
    }[escalation.reason]
    return title, body


def open_escalation_exists():
    """SQL: the assignment (the outer row) has an open escalation."""
    return Exists(Escalation.objects.filter(assignment=OuterRef("pk"), status=EscalationStatus.OPEN))


def _url(escalation):
    return reverse("care:escalation_resolve", args=[escalation.pk])


def open_escalation(*, assignment, reason, actor=None, note=""):
    """Open an escalation unless one is open for this assignment and reason. Returns (escalation, created)."""
    try:
        with transaction.atomic():
            escalation, created = Escalation.objects.get_or_create(
                assignment=assignment, reason=reason, status=EscalationStatus.OPEN,
                defaults={"person_id": assignment.person_id})
    except IntegrityError:  # opened by a concurrent request between the look-up and the insert
        escalation = Escalation.objects.get(assignment=assignment, reason=reason, status=EscalationStatus.OPEN)
        created = False
    if created:
        person = assignment.person
        audit.record(AuditAction.CREATE, actor=actor, obj=escalation, personal_data=True,
                     scope_path=person.community_path or person.unit_path,
                     changes=audit.snapshot(escalation, ESCALATION_FIELDS))
        title, body = _message(escalation, person.name, note)
        notify(recipients=recipients(person, assignment.carer_id), title=title, body=body, url=_url(escalation),
               obj=escalation)
    return escalation, created


def grace_until(assignment, followed_up_on):
    """The last day without an overdue escalation after a follow-up of one on ``followed_up_on``: the later of
    the next due date and the follow-up day plus the interval."""
    return max(assignment.next_due_on, followed_up_on + datetime.timedelta(days=assignment.interval_days))


def overdue_candidates(today):
    """Open assignments (of living people) whose contact is overdue and that have no open overdue escalation,
    with ``followed_up_at``: when the latest overdue escalation was followed up (or None). ``escalate_overdue``
    leaves out those still within the grace of that follow-up."""
    is_open = Escalation.objects.filter(assignment=OuterRef("pk"), reason=EscalationReason.OVERDUE,
                                        status=EscalationStatus.OPEN)
    followed_up = (Escalation.objects.filter(assignment=OuterRef("pk"), reason=EscalationReason.OVERDUE,
                                             status=EscalationStatus.RESOLVED)
                   .order_by("-resolved_at").values("resolved_at")[:1])
    return (CareAssignment.objects.filter(ended_on__isnull=True, next_due_on__lt=today,
                                          person__deceased_on__isnull=True)
            .filter(~Exists(is_open)).annotate(followed_up_at=Subquery(followed_up)))


def _past_grace(row, today):
    if row["followed_up_at"] is None:
        return True
    followed_up_on = timezone.localdate(row["followed_up_at"])
    return followed_up_on + datetime.timedelta(days=row["interval_days"]) < today


def _heads(rows, today):
    """{("community", node id): {account ids}, ("unit", node id): {...}} for the rows' people: one query."""
    communities = {row["person__community_id"] for row in rows if row["person__community_id"]}
    units = {row["person__unit_id"] for row in rows}
    grants = (RoleGrant.objects.active(today).filter(user__is_active=True)
              .filter(Q(role=Role.COMMUNITY_ADMIN, node_id__in=communities)
                      | Q(role=Role.UNIT_ADMIN, node_id__in=units))
              .values_list("role", "node_id", "user_id"))
    heads = {}
    for role, node_id, user_id in grants:
        heads.setdefault(("community" if role == Role.COMMUNITY_ADMIN else "unit", node_id), set()).add(user_id)
    return heads


def _insert(rows):
    """Escalation rows for ``rows`` (in one statement; one at a time if a concurrent run got there first)."""
    new = [Escalation(person_id=row["person_id"], assignment_id=row["pk"], reason=EscalationReason.OVERDUE)
           for row in rows]
    try:
        with transaction.atomic():
            return Escalation.objects.bulk_create(new)
    except IntegrityError:
        created = []
        for escalation in new:
            try:
                with transaction.atomic():
                    escalation.save()
            except IntegrityError:
                continue
            created.append(escalation)
        return created


@transaction.atomic
def escalate_overdue(*, today):
    """The periodic job's work: open an "overdue" escalation for each open assignment whose next contact was due
    before ``today``, unless one is open or was followed up within the interval (see the module's
    docstring; set-based; idempotent). Returns the escalations opened."""
    fields = ("pk", "person_id", "carer_id", "next_due_on", "interval_days", "followed_up_at", "person__name",
              "person__community_id", "person__unit_id")
    rows = [row for row in overdue_candidates(today).order_by("pk").values(*fields) if _past_grace(row, today)]
    if not rows:
        return []
    heads = _heads(rows, today)
    by_assignment = {row["pk"]: row for row in rows}
    opened = []
    for start in range(0, len(rows), BATCH):
        opened += _insert(rows[start:start + BATCH])
    messages = []
    for escalation in opened:
        row = by_assignment[escalation.assignment_id]
        title, body = _message(escalation, row["person__name"])
        body += " " + _("It was due on %(day)s.") % {"day": row["next_due_on"]}
        who = (heads.get(("community", row["person__community_id"]), set())
               | heads.get(("unit", row["person__unit_id"]), set()) | {row["carer_id"]})
        messages.append({"recipients": who, "title": title, "body": body, "url": _url(escalation), "obj": escalation})
    notify_many(messages)
    audit.record(AuditAction.SYSTEM, object_type=Escalation._meta.label_lower, scope_path="", personal_data=True,
                 object_repr=_("Overdue care contacts escalated"),
                 detail={"job": "care_escalations", "day": today.isoformat(), "opened": len(opened),
                         "escalations": [escalation.pk for escalation in opened[:1000]]})
    return opened


def can_resolve(scope):
    return scope is not None and scope.has(TRANSITIONS[(EscalationStatus.OPEN, EscalationStatus.RESOLVED)])


@transaction.atomic
def resolve_escalation(*, actor, scope, escalation, follow_up):
    """Record the follow-up of an open escalation (who and when are kept)."""
    if not can_resolve(scope) or not Escalation.objects.visible_to(scope).filter(pk=escalation.pk).exists():
        raise PermissionDenied
    text = (follow_up or "").strip()
    if not text:
        raise ValidationError({"follow_up": _("Write what was done to follow it up.")})
    if len(text) > FOLLOW_UP_MAX:
        raise ValidationError({"follow_up": _("At most %(n)s characters.") % {"n": FOLLOW_UP_MAX}})
    before = audit.snapshot(escalation, ESCALATION_FIELDS)
    updated = Escalation.objects.filter(pk=escalation.pk, status=EscalationStatus.OPEN).update(
        status=EscalationStatus.RESOLVED, follow_up=text, resolved_by=actor, resolved_at=timezone.now())
    if not updated:
        raise ValidationError(_("This escalation has already been followed up."))
    escalation.refresh_from_db()
    audit.record(AuditAction.UPDATE, actor=actor, obj=escalation, scope_path=scope.path, personal_data=True,
                 changes=audit.diff(before, audit.snapshot(escalation, ESCALATION_FIELDS)))
    carer_id = CareAssignment.objects.filter(pk=escalation.assignment_id).values_list("carer_id", flat=True).first()
    notify(recipients=[carer_id], obj=escalation, url=reverse("care:my_care"),
           title=_("Followed up: %(name)s") % {"name": escalation.person.name},
           body=_("%(who)s recorded: %(text)s") % {"who": actor.display_name, "text": text})
    return escalation
