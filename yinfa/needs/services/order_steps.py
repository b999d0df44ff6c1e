"""What every transition of a service order shares: who the actor is to the order (``actor_roles``), the step row,
the audit row and who is told.

The actor's relations to an order (``Who``):

- ``self``: the retiree the order is for, working in the retiree role (their account is the person's account);
- ``handler``: staff with CARE_MANAGE whose scope holds the handling organisation (the person's community, else
  their unit);
- ``orderer``: the staff member or volunteer who placed the order for the retiree (family or staff channel);
- ``assignee``: the volunteer whose account the order is assigned to (SERVICE_FULFIL);
- ``handler_no_account``: a handler, when the assigned provider has no account (records the work for them);
- ``proxy``: someone confirming and rating for the retiree: staff who manage care (CARE_MANAGE) in the order's
  scope, or the account that placed the order for the retiree (``orderer``, e.g. for family on the phone) — a
  volunteer otherwise never.

Whoever did the work is never ``self`` nor ``proxy``: the assignee, and whoever recorded the order done (a handler
recording the work of a provider without an account), so doing and confirming stay apart.
"""

from django.urls import reverse

from yinfa.core import audit
from yinfa.core.models import AuditAction
from yinfa.core.permissions import Perm, Role
from yinfa.core.recipients import holders_above, holders_at
from yinfa.core.services.notifications import notify
from yinfa.needs.models import OrderChannel, OrderStatus, OrderStep

AUDIT_FIELDS = ["person", "item", "project", "details", "wanted_on", "channel", "proxy_name", "proxy_relation",
                "source_visit", "handler", "status", "provider", "assignee", "accept_by", "due_on", "done_note",
                "rating", "rating_comment", "confirmed_by_proxy", "reason"]
HANDLER_ROLES = (Role.COMMUNITY_ADMIN, Role.UNIT_ADMIN)
HANDLER_FALLBACK_ROLES = (Role.COMMUNITY_ADMIN, Role.UNIT_ADMIN, Role.BUREAU_ADMIN)


class Who:
    SELF = "self"
    HANDLER = "handler"
    ORDERER = "orderer"
    ASSIGNEE = "assignee"
    HANDLER_NO_ACCOUNT = "handler_no_account"
    PROXY = "proxy"


def person_paths(person):
    return [path for path in (person.unit_path, person.branch_path, person.community_path, person.registered_path)
            if path]


def in_scope(order, scope):
    """The order is visible in the scope (its handler or one of the person's anchors lies inside)."""
    if scope is None:
        return False
    return any(scope.contains_path(path) for path in [order.handler_path, *person_paths(order.person)])


def is_self(order, actor, scope):
    return (scope is not None and scope.has(Perm.SELF_SERVICE) and order.person.account_id is not None
            and order.person.account_id == actor.pk)


def is_handler(order, scope):
    return scope is not None and scope.has(Perm.CARE_MANAGE) and scope.contains_path(order.handler_path)


def done_by(order):
    """The account that recorded the order done (its latest DONE step), or None."""
    cached = getattr(order, "_prefetched_objects_cache", {}).get("steps")
    if cached is not None:
        rows = [step for step in cached if step.to_status == OrderStatus.DONE]
        return max(rows, key=lambda step: (step.at, step.pk)).actor_id if rows else None
    return (order.steps.filter(to_status=OrderStatus.DONE).order_by("-at", "-pk")
            .values_list("actor_id", flat=True).first())


def did_the_work(order, actor):
    """The actor carried the order out: its assignee, or the one who recorded it done."""
    if order.assignee_id is not None and order.assignee_id == actor.pk:
        return True
    return order.status in (OrderStatus.DONE, OrderStatus.CONFIRMED) and done_by(order) == actor.pk


def actor_roles(order, actor, scope):
    """The set of ``Who`` the actor is to the order with the role in use."""
    if scope is None or actor is None:
        return set()
    found = set()
    if is_self(order, actor, scope):
        found.add(Who.SELF)
    if is_handler(order, scope):
        found.add(Who.HANDLER)
        if order.assignee_id is None:
            found.add(Who.HANDLER_NO_ACCOUNT)
    staff_or_volunteer = scope.has(Perm.CARE_MANAGE) or scope.has(Perm.SERVICE_FULFIL)
    if (staff_or_volunteer and order.channel != OrderChannel.SELF and order.ordered_by_id == actor.pk
            and in_scope(order, scope)):
        found.add(Who.ORDERER)
    if scope.has(Perm.SERVICE_FULFIL) and order.assignee_id is not None and order.assignee_id == actor.pk:
        found.add(Who.ASSIGNEE)
    if order.status == OrderStatus.DONE:  # only confirming asks who did the work
        if (scope.has(Perm.CARE_MANAGE) and in_scope(order, scope)) or Who.ORDERER in found:
            found.add(Who.PROXY)
        if did_the_work(order, actor):
            found -= {Who.SELF, Who.PROXY}
    return found


# --- who is told ----------------------------------------------------------------------------------------------

def handler_staff(order):
    """Accounts of the handling organisation (its community or unit administrators; when it has none, those
    above it)."""
    found = holders_at(HANDLER_ROLES, [order.handler_id])
    return found or holders_above(HANDLER_FALLBACK_ROLES, order.handler_path)


def retiree_side(order):
    """The retiree's own account and whoever placed the order for them."""
    found = set()
    if order.person.account_id:
        found.add(order.person.account_id)
    if order.channel != OrderChannel.SELF and order.ordered_by_id:
        found.add(order.ordered_by_id)
    return found


def order_url(order):
    return reverse("needs:order_detail", args=[order.pk])


def tell(order, recipients, *, actor, title, body=""):
    """Notify ``recipients`` (never the actor) about the order."""
    ids = {r for r in recipients if r} - {getattr(actor, "pk", None)}
    if ids:
        notify(recipients=ids, title=title, body=body, url=order_url(order), obj=order)


# --- step and audit -------------------------------------------------------------------------------------------

def snapshot(order):
    return audit.snapshot(order, AUDIT_FIELDS)


def record_step(order, *, actor, from_status, comment="", action, before=None):
    """The step row and the audit row of a transition (or of the creation when ``before`` is None)."""
    OrderStep.objects.create(order=order, from_status=from_status, to_status=order.status, comment=comment,
                             actor=actor if getattr(actor, "is_authenticated", False) else None)
    after = snapshot(order)
    audit.record(AuditAction.CREATE if before is None else AuditAction.UPDATE, actor=actor, obj=order,
                 changes=audit.diff(before or {}, after), scope_path=order.handler_path, personal_data=True,
                 detail={"transition": action, "from": from_status, "to": order.status})
