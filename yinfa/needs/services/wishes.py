"""微心愿 — the state machine of a wish and the staff's transitions (collect, publish, reject, withdraw).

A wish moves along ``TRANSITIONS``; each transition is one guarded function that checks the role in use
(PermissionDenied), the current state (ValidationError) and who the actor is (PermissionDenied), then moves the
wish with a conditional ``UPDATE … WHERE status = <from>`` (two concurrent transitions cannot both succeed), writes a
``WishStep``, one audit row and the notifications. The claimant's side (claim, release, fulfil, expiry) and the
beneficiary's confirmation live in ``yinfa.needs.services.wish_claims``.

Who may act (``scope`` is the role in use):
- staff: CARE_MANAGE, the beneficiary in the scope — collect, publish, reject, withdraw, confirm for the person;
- claimers: PARTY_MANAGE, SERVICE_FULFIL or SELF_SERVICE, the wish on a wall of their scope, not their own wish —
  claim; then the claimant of the active claim — release, fulfil;
- the beneficiary through their own account (``Person.account``) — confirm;
- the system (the expiry job) — an overdue claim expires and the wish goes back to the wall.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgKind, OrgNode
from yinfa.core.permissions import Perm, Role
from yinfa.core.recipients import holders_at
from yinfa.core.scope import ancestor_paths
from yinfa.core.services.notifications import notify
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishStatus, WishStep

S = WishStatus

MAX_COST = Decimal("2000.00")  # a micro-wish is small; anything dearer is hardship aid
MAX_TITLE = 100
MAX_REASON_CLOSED = 300
AUDIT_FIELDS = ("person", "title", "reason", "estimated_cost", "status", "wall", "source_visit", "published_at",
                "fulfilled_at", "confirmed_at", "confirmed_by_proxy", "beneficiary_words", "reason_closed")

# Who may act (see the module docstring).
STAFF = "staff"
CLAIMER = "claimer"
THE_CLAIMANT = "the claimant"
BENEFICIARY = "the beneficiary"
SYSTEM = "system"
# action -> (the states it starts from, the state it leads to, who may take it)
ACTIONS = {
    "collect": (("",), S.COLLECTED, {STAFF}),
    "publish": ((S.COLLECTED,), S.PUBLISHED, {STAFF}),
    "reject": ((S.COLLECTED,), S.REJECTED, {STAFF}),
    "withdraw": ((S.COLLECTED, S.PUBLISHED, S.CLAIMED), S.WITHDRAWN, {STAFF}),
    "claim": ((S.PUBLISHED,), S.CLAIMED, {CLAIMER}),
    "release": ((S.CLAIMED,), S.PUBLISHED, {THE_CLAIMANT}),  # the claimant gives up
    "expire": ((S.CLAIMED,), S.PUBLISHED, {SYSTEM}),  # not fulfilled in time
    "fulfil": ((S.CLAIMED,), S.FULFILLED, {THE_CLAIMANT}),
    "confirm": ((S.FULFILLED,), S.CONFIRMED, {BENEFICIARY, STAFF}),
}


def _transition_table():
    table = {}
    for sources, target, who in ACTIONS.values():
        for source in sources:
            table.setdefault((source, target), set()).update(who)
    return table


# The transition table: (from, to) -> who may make it.
TRANSITIONS = _transition_table()
# The claim's own small machine: how an active claim ends.
CLAIM_TRANSITIONS = {
    (ClaimStatus.ACTIVE, ClaimStatus.FULFILLED): {THE_CLAIMANT},
    (ClaimStatus.ACTIVE, ClaimStatus.RELEASED): {THE_CLAIMANT, STAFF},  # given up, or the wish withdrawn
    (ClaimStatus.ACTIVE, ClaimStatus.EXPIRED): {SYSTEM},
}

ON_WALL = (S.PUBLISHED, S.CLAIMED)
WALL_PERMS = (Perm.CARE_VIEW, Perm.SERVICE_FULFIL, Perm.PARTY_MANAGE, Perm.SELF_SERVICE)
CLAIM_PERMS = (Perm.PARTY_MANAGE, Perm.SERVICE_FULFIL, Perm.SELF_SERVICE)
WALL_KINDS = (OrgKind.BUREAU, OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY, OrgKind.UNIT)
STAFF_ROLES = (Role.COMMUNITY_ADMIN, Role.UNIT_ADMIN, Role.BUREAU_ADMIN)


# --- who is who -----------------------------------------------------------------------------------------------

def person_paths(person):
    return [p for p in (person.unit_path, person.branch_path, person.community_path, person.registered_path) if p]


def person_in_scope(scope, person):
    return scope is not None and any(scope.contains_path(path) for path in person_paths(person))


def is_staff_for(scope, wish, perm=Perm.CARE_MANAGE):
    """The role in use carries ``perm`` and the beneficiary lies in its scope."""
    return scope is not None and scope.has(perm) and person_in_scope(scope, wish.person)


def is_beneficiary(actor, wish):
    return actor is not None and wish.person.account_id is not None and wish.person.account_id == actor.pk


def on_wall_of(scope, wish):
    """The wish's wall lies in the scope, or above it (the same rule as ``Wish.objects.on_wall_for``)."""
    return scope is not None and (scope.contains_path(wish.wall_path) or wish.wall_path in ancestor_paths(scope.path))


def can_view_wall(scope):
    return scope is not None and any(scope.has(p) for p in WALL_PERMS)


def can_claim(scope):
    return scope is not None and any(scope.has(p) for p in CLAIM_PERMS)


def require_staff(scope, wish=None, person=None):
    if scope is None or not scope.has(Perm.CARE_MANAGE):
        raise PermissionDenied(_("Your role in use does not manage wishes."))
    person = person if person is not None else wish.person
    if not person_in_scope(scope, person):
        raise PermissionDenied(_("This person is outside your scope."))


def state_allows(wish, action):
    return wish.status in ACTIONS[action][0]


def require_state(wish, action, message):
    if not state_allows(wish, action):
        raise ValidationError({"status": message % {"status": wish.get_status_display()}})


# --- moving a wish --------------------------------------------------------------------------------------------

CHANGED = gettext_lazy("The wish was changed by someone else meanwhile. Reload the page and try again.")


def move(wish, to, *, actor, comment="", message=None, **fields):
    """The conditional update from the wish's current state to ``to``, and its step. Raises ValidationError when
    the wish is no longer in the state it was read in (someone else moved it first)."""
    before = wish.status
    if (before, to) not in TRANSITIONS:
        raise ValidationError({"status": CHANGED})
    updated = Wish.objects.filter(pk=wish.pk, status=before).update(status=to, **fields)
    if not updated:
        raise ValidationError({"status": message or CHANGED})
    wish.status = to
    for name, value in fields.items():
        setattr(wish, name, value)
    WishStep.objects.create(wish=wish, from_status=before, to_status=to, comment=comment, actor=actor)
    return before


def end_claim(claim, to, *, ended_at, **fields):
    """Conditionally end an active claim; False when it was no longer active."""
    if (claim.status, to) not in CLAIM_TRANSITIONS:
        return False
    updated = WishClaim.objects.filter(pk=claim.pk, status=ClaimStatus.ACTIVE).update(status=to, ended_at=ended_at,
                                                                                        **fields)
    if updated:
        claim.status = to
        claim.ended_at = ended_at
        for name, value in fields.items():
            setattr(claim, name, value)
    return bool(updated)


def active_claim(wish):
    return WishClaim.objects.filter(wish=wish, status=ClaimStatus.ACTIVE).select_related("claimant").first()


def record(wish, *, actor, before, comment="", extra=None):
    """The audit row of a transition (the wish concerns a person: personal data)."""
    changes = {"status": [before, wish.status]}
    if comment:
        changes["comment"] = [None, comment]
    audit.record(AuditAction.UPDATE, actor=actor, obj=wish, changes=changes, scope_path=wish.wall_path,
                 detail=extra or {}, personal_data=True)


def wish_url(wish):
    return reverse("needs:wish_detail", args=[wish.pk])


def tell(recipients, *, actor, wish, title, body=""):
    """Notify the given accounts (never the actor about their own act)."""
    ids = {getattr(r, "pk", r) for r in recipients if r is not None} - {getattr(actor, "pk", None)}
    if ids:
        notify(recipients=ids, title=title, body=body, url=wish_url(wish), obj=wish)


# --- the wall a wish is published to --------------------------------------------------------------------------

def wall_choices(scope, person):
    """The organisations whose wall may carry a wish of ``person``: the person's community, street, county … (and
    their unit and its parents), those inside the scope; the nearest first, the community's line before the unit's.
    One query."""
    chains = {}
    for rank, path in enumerate((person.community_path, person.registered_path, person.unit_path)):
        for ancestor in ancestor_paths(path) if path else ():
            chains.setdefault(ancestor, rank)
    if scope is None or not chains:
        return []
    nodes = OrgNode.objects.filter(path__in=sorted(chains), path__startswith=scope.path, kind__in=WALL_KINDS,
                                   closed_on__isnull=True).only("pk", "name", "path", "depth", "kind")
    return sorted(nodes, key=lambda n: (-n.depth, chains[n.path], n.path))


def default_wall(choices, person):
    for node in choices:
        if node.pk == person.community_id:
            return node
    return choices[0] if choices else None


# --- collect --------------------------------------------------------------------------------------------------

def parse_cost(value):
    if value in (None, ""):
        raise ValidationError({"estimated_cost": _("Give the estimated cost in yuan.")})
    try:
        cost = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"estimated_cost": _("Give the estimated cost as a number of yuan.")}) from None
    if cost <= 0:
        raise ValidationError({"estimated_cost": _("The estimated cost must be more than ¥0.")})
    if cost > MAX_COST:
        raise ValidationError({"estimated_cost": _(
            "A micro-wish costs at most ¥%(cap)s. A larger need is a case for hardship aid (困难帮扶).")
            % {"cap": f"{MAX_COST:,.0f}"}})
    return cost


@transaction.atomic
def collect_wish(*, actor, scope, person, title, reason, estimated_cost, wall=None, source_visit=None):
    """Record a wish for a person in the scope (staff). It awaits review before it goes on the wall."""
    require_staff(scope, person=person)
    errors = {}
    if person.deceased_on is not None:
        errors["person"] = _("%(name)s has died: no wish can be collected for them.") % {"name": person.name}
    title, reason = (title or "").strip(), (reason or "").strip()
    if not title:
        errors["title"] = _("Say what the wish is.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Keep the wish to %(n)s characters; explain it under “why”.") % {"n": MAX_TITLE}
    if not reason:
        errors["reason"] = _("Say why the person needs it.")
    try:
        cost = parse_cost(estimated_cost)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cost = None
    choices = wall_choices(scope, person)
    if wall is None:
        wall = default_wall(choices, person)
        if wall is None:
            errors["wall"] = _("No wish wall of your scope can carry a wish of this person.")
    elif wall.pk not in {n.pk for n in choices}:
        errors["wall"] = _("Choose the person's community or an organisation above it within your scope.")
    if source_visit is not None and source_visit.person_id != person.pk:
        errors["source_visit"] = _("The visit is not one of this person's.")
    if errors:
        raise ValidationError(errors)
    wish = Wish.objects.create(person=person, title=title, reason=reason, estimated_cost=cost, wall=wall,
                               wall_path=wall.path, source_visit=source_visit, collected_by=actor,
                               status=S.COLLECTED)
    WishStep.objects.create(wish=wish, from_status="", to_status=S.COLLECTED, actor=actor)
    audit.record(AuditAction.CREATE, actor=actor, obj=wish, changes=audit.snapshot(wish, AUDIT_FIELDS),
                 scope_path=wall.path, personal_data=True)
    reviewers = holders_at(STAFF_ROLES, [wall])
    tell(reviewers, actor=actor, wish=wish, title=_("A micro-wish awaits review: %(title)s") % {"title": title},
         body=_("Review it and publish it to the wish wall of %(wall)s, or say why not.") % {"wall": wall.name})
    return wish


# --- review ---------------------------------------------------------------------------------------------------

@transaction.atomic
def publish_wish(*, actor, scope, wish):
    """Collected → published: the wish appears on its wall (no broadcast)."""
    require_staff(scope, wish)
    require_state(wish, "publish", _("Only a collected wish can be published; this one is “%(status)s”."))
    now = timezone.now()
    before = move(wish, S.PUBLISHED, actor=actor, published_at=wish.published_at or now)
    record(wish, actor=actor, before=before)
    tell([wish.collected_by_id], actor=actor, wish=wish,
         title=_("The wish “%(title)s” is on the wish wall") % {"title": wish.title})
    return wish


def required_reason(reason, message):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason[:MAX_REASON_CLOSED]


@transaction.atomic
def reject_wish(*, actor, scope, wish, reason):
    """Collected → rejected (not published), with the reason."""
    require_staff(scope, wish)
    require_state(wish, "reject", _("Only a collected wish can be turned down; this one is “%(status)s”."))
    reason = required_reason(reason, _("Say why the wish is not published."))
    before = move(wish, S.REJECTED, actor=actor, comment=reason, reason_closed=reason)
    record(wish, actor=actor, before=before, comment=reason)
    tell([wish.collected_by_id], actor=actor, wish=wish,
         title=_("The wish “%(title)s” is not published") % {"title": wish.title}, body=reason)
    return wish


@transaction.atomic
def withdraw_wish(*, actor, scope, wish, reason):
    """Collected, published or claimed → withdrawn, with the reason; an active claim ends as released and its
    claimant is told."""
    require_staff(scope, wish)
    require_state(wish, "withdraw", _("A wish that is “%(status)s” can no longer be withdrawn."))
    reason = required_reason(reason, _("Say why the wish is withdrawn."))
    claim = active_claim(wish) if wish.status == S.CLAIMED else None
    now = timezone.now()
    before = move(wish, S.WITHDRAWN, actor=actor, comment=reason, reason_closed=reason)
    if claim is not None and not end_claim(claim, ClaimStatus.RELEASED, ended_at=now):
        raise ValidationError({"status": CHANGED})
    record(wish, actor=actor, before=before, comment=reason,
           extra={"claim_released": claim.pk} if claim is not None else None)
    recipients = [wish.collected_by_id] + ([claim.claimant_id] if claim is not None else [])
    tell(recipients, actor=actor, wish=wish,
         title=_("The wish “%(title)s” is withdrawn") % {"title": wish.title}, body=reason)
    return wish


def record_export(*, actor, scope, filters, rows):
    """Audit an Excel export of the wish list (names in full: personal data)."""
    if scope is None or not scope.has(Perm.CARE_VIEW):
        raise PermissionDenied
    audit.record(AuditAction.EXPORT, actor=actor, object_type=Wish._meta.label_lower,
                 object_repr=_("Micro-wishes of %(node)s") % {"node": scope.node_name}, scope_path=scope.path,
                 detail={"filters": filters, "rows": rows}, personal_data=True)
