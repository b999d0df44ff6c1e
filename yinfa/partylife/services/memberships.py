"""Memberships: where a member's organisational relationship (组织关系) is held, functional branches, party groups
and community registration (社区报到).

Every write: PARTY_MANAGE (registrations: PARTY_MANAGE or PEOPLE_EDIT) in a scope holding the branch or community,
the person visible in the scope; atomic; audited; the branches touched are recounted (``counts.recount``) and the
person's anchors follow (``set_party_anchors``: branch node, registered community, political status).

Public API (keyword-only arguments):

``add_member(actor, scope, person, branch, started_on, standing=FULL, probation_from=None, probation_until=None,
from_branch=None, from_outside="", joined_by=None, note="") -> Membership``
    Transfer in: from a branch of the scope (``from_branch``: the open membership there is closed, a transfer),
    from outside the system (``from_outside`` text), or a first record / admission.
``transfer_out(actor, scope, membership, on_date, how, to_branch=None, to_outside="", note="") -> Membership|None``
    ``how`` is a ``LeftBy``: TRANSFER (to ``to_branch``, which must be an open branch of the scope; returns the
    new membership), TRANSFER_OUT (``to_outside`` text), DIED or LEFT.
``convert_to_full(actor, scope, membership, on_date)``, ``assign_group(actor, scope, membership, group)``,
``join_functional(actor, scope, person, branch, started_on, note="")``,
``leave_functional(actor, scope, membership, ended_on)``,
``register_community(actor, scope, person, community, registered_on, note="")``,
``end_registration(actor, scope, registration, ended_on)``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgKind, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.services.notifications import notify
from yinfa.partylife.models import (
    BranchKind,
    CommitteeMember,
    CommitteeTerm,
    CommunityRegistration,
    JoinedBy,
    LeftBy,
    Membership,
    Relation,
    Standing,
)
from yinfa.partylife.services import counts
from yinfa.partylife.services.branches import require_manage
from yinfa.people.models import CPC_STATUSES, Person, PoliticalStatus
from yinfa.people.services.person import set_party_anchors

MEMBERSHIP_AUDIT_FIELDS = ["relation", "standing", "probation_from", "probation_until", "started_on", "joined_by",
                           "transfer_in_from", "ended_on", "left_by", "transfer_out_to", "note"]
REGISTRATION_AUDIT_FIELDS = ["registered_on", "ended_on", "note"]
STATUS_OF_STANDING = {Standing.FULL: PoliticalStatus.PARTY_MEMBER, Standing.PROBATIONARY: PoliticalStatus.PROBATIONARY}
DEFAULT_PROBATION_YEARS = 1


# --- guards -----------------------------------------------------------------------------------------------------

def require_visible_person(scope, person):
    if not Person.objects.visible_to(scope).filter(pk=person.pk).exists():
        raise PermissionDenied


def require_party_member(person):
    if person.political_status not in CPC_STATUSES:
        raise ValidationError({"person": _("%(name)s is not recorded as a CPC member or probationary member. "
                                           "Correct the political status in the person's file first.")
                               % {"name": person.name}})
    if person.deceased_on is not None:
        raise ValidationError({"person": _("%(name)s has died.") % {"name": person.name}})


def require_registration_rights(scope, community):
    if scope is None or not (scope.has(Perm.PARTY_MANAGE) or scope.has(Perm.PEOPLE_EDIT)):
        raise PermissionDenied
    if not scope.contains_path(community.path):
        raise PermissionDenied


def _check_day(day, name, not_before=None, before_label=""):
    if day > timezone.localdate():
        raise ValidationError({name: _("The date cannot be in the future.")})
    if not_before is not None and day < not_before:
        raise ValidationError({name: _("The date cannot be before %(day)s (%(what)s).")
                               % {"day": not_before.isoformat(), "what": before_label}})


def _check_branch_open(branch, day, name="branch"):
    if not branch.is_open_on(day):
        raise ValidationError({name: _("%(branch)s is not open on %(day)s.") % {"branch": branch.node.name,
                                                                                 "day": day.isoformat()}})


def _probation(standing, probation_from, probation_until):
    if standing != Standing.PROBATIONARY:
        return None, None
    if probation_from is None:
        raise ValidationError({"probation_from": _("A probationary member needs the start of the probation.")})
    if probation_until is None:
        probation_until = CommitteeTerm.default_end(probation_from, DEFAULT_PROBATION_YEARS)
    if probation_until <= probation_from:
        raise ValidationError({"probation_until": _("The probation must end after it starts.")})
    return probation_from, probation_until


def _membership_audit(membership):
    values = audit.snapshot(membership, MEMBERSHIP_AUDIT_FIELDS)
    values["branch"] = membership.branch.node.name
    return values


def _record(action, *, actor, membership, before=None, detail=None):
    changes = audit.diff(before or {}, _membership_audit(membership))
    audit.record(action, actor=actor, obj=membership, changes=changes, scope_path=membership.branch_path,
                 object_repr=f"{membership.person.name} @ {membership.branch.node.name}"[:200],
                 detail={"person": membership.person_id, "branch": membership.branch_id, **(detail or {})})


def _create(**values):
    """Create a membership; the database refuses a second open one (turned into a clear message)."""
    try:
        with transaction.atomic():
            return Membership.objects.create(**values)
    except IntegrityError:
        person = values["person"]
        if values.get("relation") == Relation.FUNCTIONAL:
            message = _("%(name)s is already a member of this functional branch.") % {"name": person.name}
        else:
            message = _("%(name)s already has an organisational relationship held in a branch. Transfer it "
                        "out of that branch first.") % {"name": person.name}
        raise ValidationError({"person": message}) from None


def _lock_open(membership, relation):
    """The membership row, locked for this change; it must still be open and of ``relation``."""
    locked = (Membership.objects.select_for_update().select_related("branch__node", "person")
              .filter(pk=membership.pk).first())
    if locked is None or locked.ended_on is not None or locked.relation != relation:
        raise ValidationError(_("This membership has ended already; reload the page."))
    return locked


def _notify_secretaries(branch, title, body, person, actor):
    holders = (RoleGrant.objects.active().filter(node_id=branch.pk, role__in=(Role.BRANCH_SECRETARY, Role.LIAISON))
               .exclude(user=actor).values_list("user_id", flat=True))
    notify(recipients=list(holders), title=title, body=body, obj=person,
           url=reverse("partylife:person_party", kwargs={"pk": person.pk}))


def _end_committee_posts(person, branch, day, *, actor):
    """A member who leaves the branch leaves its committee too: each post ended is audited on its term."""
    posts = list(CommitteeMember.objects.select_for_update().select_related("term").filter(
        person=person, term__branch=branch, ended_on__isnull=True, term__ended_on__isnull=True))
    for post in posts:
        post.ended_on = day
        post.save(update_fields=["ended_on"])
        audit.record(AuditAction.UPDATE, actor=actor, obj=post.term, scope_path=branch.path,
                     changes={"post.ended_on": [None, day.isoformat()]},
                     detail={"person": person.pk, "post": post.post, "reason": "left the branch"})


def _end_functional_memberships(person, day, *, actor):
    """Leaving the party or dying ends the functional-branch memberships too, each audited. Returns their branches."""
    ended = []
    for membership in (Membership.objects.select_for_update().select_related("person", "branch__node")
                       .filter(person=person, relation=Relation.FUNCTIONAL, ended_on__isnull=True)):
        before = _membership_audit(membership)
        membership.ended_on, membership.left_by = day, LeftBy.QUIT
        membership.save(update_fields=["ended_on", "left_by"])
        _record(AuditAction.UPDATE, actor=actor, membership=membership, before=before)
        ended.append(membership.branch_id)
    return ended


# --- organisational relationship --------------------------------------------------------------------------------

@transaction.atomic
def add_member(*, actor, scope, person, branch, started_on, standing=Standing.FULL, probation_from=None,
               probation_until=None, from_branch=None, from_outside="", joined_by=None, note=""):
    require_manage(scope, branch)
    require_visible_person(scope, person)
    require_party_member(person)
    if standing not in Standing.values:
        raise ValidationError({"standing": _("Choose full or probationary.")})
    if branch.kind == BranchKind.FUNCTIONAL:
        raise ValidationError({"branch": _("A functional branch does not hold organisational relationships; "
                                           "add the member to it as a functional-branch member.")})
    _check_day(started_on, "started_on")
    _check_branch_open(branch, started_on)
    probation_from, probation_until = _probation(standing, probation_from, probation_until)
    from_outside = (from_outside or "").strip()[:120]
    previous = None
    if from_branch is not None:
        if not scope.contains_path(from_branch.path):
            raise PermissionDenied
        if from_branch.pk == branch.pk:
            raise ValidationError({"from_branch": _("The member is already held in this branch.")})
        current = (Membership.objects.organisational().open().filter(person=person, branch=from_branch).first())
        if current is None:
            raise ValidationError({"from_branch": _("%(name)s has no open membership in %(branch)s.")
                                   % {"name": person.name, "branch": from_branch.node.name}})
        previous = _lock_open(current, Relation.ORGANISATIONAL)
        _check_day(started_on, "started_on", previous.started_on, _("joined the previous branch"))
        # The membership continues: a probationary member stays probationary, with the same probation.
        standing, probation_from, probation_until = (previous.standing, previous.probation_from,
                                                     previous.probation_until)
        before = _membership_audit(previous)
        previous.ended_on, previous.left_by = started_on, LeftBy.TRANSFER
        previous.transfer_out_to = branch.node.name[:120]
        previous.save(update_fields=["ended_on", "left_by", "transfer_out_to"])
        _end_committee_posts(person, from_branch, started_on, actor=actor)
        _record(AuditAction.UPDATE, actor=actor, membership=previous, before=before)
        joined_by, from_outside = JoinedBy.TRANSFER_IN, from_branch.node.name[:120]
    elif joined_by is None:
        joined_by = JoinedBy.TRANSFER_IN if from_outside else JoinedBy.FOUNDING
    if joined_by not in (JoinedBy.FOUNDING, JoinedBy.TRANSFER_IN, JoinedBy.ADMITTED):
        raise ValidationError({"joined_by": _("Choose how the member joined.")})
    if joined_by == JoinedBy.TRANSFER_IN and not from_outside:
        raise ValidationError({"from_outside": _("Say where the member was transferred in from.")})
    membership = _create(person=person, branch=branch, branch_path=branch.path, relation=Relation.ORGANISATIONAL,
                         standing=standing, probation_from=probation_from, probation_until=probation_until,
                         started_on=started_on, joined_by=joined_by, transfer_in_from=from_outside,
                         note=(note or "")[:200], created_by=actor)
    _record(AuditAction.CREATE, actor=actor, membership=membership)
    set_party_anchors(actor=actor, person=person, branch=branch.node, political_status=STATUS_OF_STANDING[standing])
    counts.recount([branch.pk] + ([from_branch.pk] if from_branch is not None else []))
    if from_branch is not None:
        _notify_secretaries(branch, _("A member was transferred to your branch"),
                            _("%(name)s, from %(branch)s.") % {"name": person.name, "branch": from_branch.node.name},
                            person, actor)
    return membership


@transaction.atomic
def transfer_out(*, actor, scope, membership, on_date, how, to_branch=None, to_outside="", note=""):
    require_manage(scope, membership.branch)
    membership = _lock_open(membership, Relation.ORGANISATIONAL)
    person, branch = membership.person, membership.branch
    require_visible_person(scope, person)
    if how not in (LeftBy.TRANSFER, LeftBy.TRANSFER_OUT, LeftBy.DIED, LeftBy.LEFT):
        raise ValidationError({"how": _("Choose how the member leaves the branch.")})
    _check_day(on_date, "on_date", membership.started_on, _("joined this branch"))
    to_outside = (to_outside or "").strip()[:120]
    if how == LeftBy.TRANSFER:
        if to_branch is None:
            raise ValidationError({"to_branch": _("Choose the branch the member is transferred to.")})
        if not scope.contains_path(to_branch.path):
            raise PermissionDenied
        if to_branch.pk == branch.pk:
            raise ValidationError({"to_branch": _("Choose another branch than the current one.")})
        if to_branch.kind == BranchKind.FUNCTIONAL:
            raise ValidationError({"to_branch": _("A functional branch does not hold organisational "
                                                  "relationships.")})
        _check_branch_open(to_branch, on_date, "to_branch")
        to_outside = to_branch.node.name[:120]
    elif how == LeftBy.TRANSFER_OUT and not to_outside:
        raise ValidationError({"to_outside": _("Say which organisation outside the system receives the member.")})
    before = _membership_audit(membership)
    membership.ended_on, membership.left_by, membership.transfer_out_to = on_date, how, to_outside
    if note:
        membership.note = note[:200]
    membership.save(update_fields=["ended_on", "left_by", "transfer_out_to", "note"])
    _end_committee_posts(person, branch, on_date, actor=actor)
    _record(AuditAction.UPDATE, actor=actor, membership=membership, before=before)
    touched, new = [branch.pk], None
    if how == LeftBy.TRANSFER:
        new = _create(person=person, branch=to_branch, branch_path=to_branch.path, relation=Relation.ORGANISATIONAL,
                      standing=membership.standing, probation_from=membership.probation_from,
                      probation_until=membership.probation_until, started_on=on_date,
                      joined_by=JoinedBy.TRANSFER_IN, transfer_in_from=branch.node.name[:120], created_by=actor)
        _record(AuditAction.CREATE, actor=actor, membership=new)
        set_party_anchors(actor=actor, person=person, branch=to_branch.node)
        touched.append(to_branch.pk)
        _notify_secretaries(to_branch, _("A member was transferred to your branch"),
                            _("%(name)s, from %(branch)s.") % {"name": person.name, "branch": branch.node.name},
                            person, actor)
    else:
        touched += _end_functional_memberships(person, on_date, actor=actor)
        anchors = {"branch": None}
        if how == LeftBy.LEFT:
            anchors["political_status"] = PoliticalStatus.MASSES
        set_party_anchors(actor=actor, person=person, **anchors)
    counts.recount(touched)
    return new


@transaction.atomic
def convert_to_full(*, actor, scope, membership, on_date):
    require_manage(scope, membership.branch)
    membership = _lock_open(membership, Relation.ORGANISATIONAL)
    require_visible_person(scope, membership.person)
    if membership.standing != Standing.PROBATIONARY:
        raise ValidationError(_("%(name)s is a full member already.") % {"name": membership.person.name})
    _check_day(on_date, "on_date", membership.probation_from or membership.started_on, _("start of the probation"))
    before = _membership_audit(membership)
    membership.standing, membership.probation_until = Standing.FULL, on_date
    membership.save(update_fields=["standing", "probation_until"])
    _record(AuditAction.UPDATE, actor=actor, membership=membership, before=before, detail={"converted": True})
    set_party_anchors(actor=actor, person=membership.person, political_status=PoliticalStatus.PARTY_MEMBER)
    counts.recount([membership.branch_id])
    return membership


@transaction.atomic
def assign_group(*, actor, scope, membership, group):
    require_manage(scope, membership.branch)
    membership = _lock_open(membership, membership.relation)
    if group is not None and (group.kind != OrgKind.PARTY_GROUP or group.parent_id != membership.branch_id):
        raise ValidationError({"group": _("Choose a party group of this branch.")})
    if membership.party_group_id == (group.pk if group else None):
        return membership
    before_name = membership.party_group.name if membership.party_group_id else ""
    membership.party_group = group
    membership.save(update_fields=["party_group"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=membership, scope_path=membership.branch_path,
                 object_repr=f"{membership.person.name} @ {membership.branch.node.name}"[:200],
                 changes={"party_group": [before_name, group.name if group else ""]},
                 detail={"person": membership.person_id, "branch": membership.branch_id})
    return membership


# --- functional branches ----------------------------------------------------------------------------------------

@transaction.atomic
def join_functional(*, actor, scope, person, branch, started_on, note=""):
    require_manage(scope, branch)
    require_visible_person(scope, person)
    require_party_member(person)
    if branch.kind != BranchKind.FUNCTIONAL:
        raise ValidationError({"branch": _("Only functional branches take members besides their organisational "
                                           "relationship.")})
    _check_day(started_on, "started_on")
    _check_branch_open(branch, started_on)
    membership = _create(person=person, branch=branch, branch_path=branch.path, relation=Relation.FUNCTIONAL,
                         standing=Standing.FULL, started_on=started_on, joined_by=JoinedBy.JOINED,
                         note=(note or "")[:200], created_by=actor)
    _record(AuditAction.CREATE, actor=actor, membership=membership)
    return membership


@transaction.atomic
def leave_functional(*, actor, scope, membership, ended_on):
    require_manage(scope, membership.branch)
    membership = _lock_open(membership, Relation.FUNCTIONAL)
    _check_day(ended_on, "ended_on", membership.started_on, _("joined the functional branch"))
    before = _membership_audit(membership)
    membership.ended_on, membership.left_by = ended_on, LeftBy.QUIT
    membership.save(update_fields=["ended_on", "left_by"])
    _record(AuditAction.UPDATE, actor=actor, membership=membership, before=before)
    return membership


# --- community registration (社区报到) --------------------------------------------------------------------------

def _registration_audit(registration):
    values = audit.snapshot(registration, REGISTRATION_AUDIT_FIELDS)
    values["community"] = registration.community.name
    return values


@transaction.atomic
def register_community(*, actor, scope, person, community, registered_on, note=""):
    require_registration_rights(scope, community)
    require_visible_person(scope, person)
    require_party_member(person)
    if community.kind != OrgKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    if community.closed_on is not None and community.closed_on <= registered_on:
        raise ValidationError({"community": _("This community is closed.")})
    _check_day(registered_on, "registered_on")
    current = CommunityRegistration.objects.open().filter(person=person).select_related("community").first()
    if current is not None:
        raise ValidationError({"person": _("%(name)s is registered with %(community)s since %(day)s. End that "
                                           "registration first.") % {
            "name": person.name, "community": current.community.name, "day": current.registered_on.isoformat()}})
    try:
        with transaction.atomic():
            registration = CommunityRegistration.objects.create(
                person=person, community=community, community_path=community.path, registered_on=registered_on,
                note=(note or "")[:200], created_by=actor)
    except IntegrityError:
        raise ValidationError({"person": _("%(name)s is already registered with a community.")
                               % {"name": person.name}}) from None
    audit.record(AuditAction.CREATE, actor=actor, obj=registration, scope_path=community.path,
                 object_repr=f"{person.name} @ {community.name}"[:200],
                 changes=audit.diff({}, _registration_audit(registration)), detail={"person": person.pk})
    set_party_anchors(actor=actor, person=person, registered_community=community)
    return registration


@transaction.atomic
def end_registration(*, actor, scope, registration, ended_on):
    require_registration_rights(scope, registration.community)
    registration = (CommunityRegistration.objects.select_for_update().select_related("community", "person")
                    .get(pk=registration.pk))
    if registration.ended_on is not None:
        raise ValidationError(_("This registration has ended already."))
    _check_day(ended_on, "ended_on", registration.registered_on, _("registered"))
    before = _registration_audit(registration)
    registration.ended_on = ended_on
    registration.save(update_fields=["ended_on"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=registration, scope_path=registration.community_path,
                 object_repr=f"{registration.person.name} @ {registration.community.name}"[:200],
                 changes=audit.diff(before, _registration_audit(registration)),
                 detail={"person": registration.person_id})
    set_party_anchors(actor=actor, person=registration.person, registered_community=None)
    return registration
