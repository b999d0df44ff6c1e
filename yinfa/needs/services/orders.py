"""Service orders (点单式服务): placing an order and its guarded state machine.

    submitted ─accept─▶ accepted ─assign─▶ assigned ─done─▶ done ─confirm─▶ confirmed
        │  └─reject─▶ rejected ◀─reject─┘     │ ▲ (re-assign)
        └──────────cancel──────────▶ cancelled ◀──┘

``TRANSITIONS`` says who may take each step (see ``order_steps.Who``). A step from a state not in the table is
refused with ValidationError; an actor not allowed is refused with PermissionDenied. Each step re-reads the order
under a row lock and updates it only if its status is still the one read (two staff accepting at once: one wins),
writes an ``OrderStep``, an audit row, and notifies whoever acts next.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core.permissions import Perm
from yinfa.needs import sla
from yinfa.needs.models import OrderChannel, OrderStatus, Resource, ServiceOrder, ServiceProject
from yinfa.needs.services import order_steps as steps
from yinfa.needs.services.order_steps import Who
from yinfa.needs.services.resources import menu_for_person
from yinfa.people.models import Person

S = OrderStatus
TRANSITIONS = {
    (S.SUBMITTED, S.ACCEPTED): {Who.HANDLER},
    (S.SUBMITTED, S.REJECTED): {Who.HANDLER},
    (S.SUBMITTED, S.CANCELLED): {Who.SELF, Who.HANDLER, Who.ORDERER},
    (S.ACCEPTED, S.ASSIGNED): {Who.HANDLER},
    (S.ACCEPTED, S.REJECTED): {Who.HANDLER},
    (S.ACCEPTED, S.CANCELLED): {Who.SELF, Who.HANDLER, Who.ORDERER},
    (S.ASSIGNED, S.ASSIGNED): {Who.HANDLER},  # re-assign to another provider
    (S.ASSIGNED, S.DONE): {Who.ASSIGNEE, Who.HANDLER_NO_ACCOUNT},
    (S.ASSIGNED, S.CANCELLED): {Who.SELF, Who.HANDLER, Who.ORDERER},
    (S.DONE, S.CONFIRMED): {Who.SELF, Who.PROXY},
}
# The actions of the pages and the API, and the state each leads to.
ACTIONS = {"accept": S.ACCEPTED, "assign": S.ASSIGNED, "done": S.DONE, "confirm": S.CONFIRMED,
           "cancel": S.CANCELLED, "reject": S.REJECTED}
PROXY_CHANNELS = (OrderChannel.STAFF, OrderChannel.FAMILY, OrderChannel.VISIT)
MAX_TEXT = 300


def allowed(order, action, *, actor, scope):
    """True when ``action`` can be taken on the order now by this actor (to show or hide its button)."""
    rule = TRANSITIONS.get((order.status, ACTIONS[action]))
    return bool(rule) and bool(rule & steps.actor_roles(order, actor, scope))


def allowed_actions(order, *, actor, scope):
    return [action for action in ACTIONS if allowed(order, action, actor=actor, scope=scope)]


# --- placing an order -----------------------------------------------------------------------------------------

def handler_of(person):
    """The organisation handling the person's orders: their community, else their former unit."""
    return person.community if person.community_id else person.unit


def _clean_text(value, limit=None):
    value = (value or "").strip()
    return value[:limit] if limit else value


def served_people(user):
    """The people a volunteer serves: those of their open care assignments and of the orders assigned to them."""
    from yinfa.care.models import CareAssignment

    cared = CareAssignment.objects.filter(carer=user, ended_on__isnull=True).values("person_id")
    assigned = ServiceOrder.objects.assigned_to(user).values("person_id")
    return Person.objects.filter(Q(pk__in=cared) | Q(pk__in=assigned))


def orderable_people(scope, user):
    """Whom the role in use may place an order for (staff, family or visit channel): staff who manage care
    (CARE_MANAGE), anyone of the scope; a volunteer (SERVICE_FULFIL alone), only the people of the scope they serve
    (``served_people``); anyone else, nobody."""
    if scope is None or user is None:
        return Person.objects.none()
    if scope.has(Perm.CARE_MANAGE):
        return Person.objects.visible_to(scope)
    if scope.has(Perm.SERVICE_FULFIL):
        return Person.objects.visible_to(scope).filter(pk__in=served_people(user).values("pk"))
    return Person.objects.none()


def _check_placer(*, actor, scope, person, channel, values):
    if channel == OrderChannel.SELF:
        if scope is None or not scope.has(Perm.SELF_SERVICE) or person.account_id != actor.pk:
            raise PermissionDenied
        return
    if channel not in PROXY_CHANNELS:
        raise ValidationError({"channel": _("Choose how the order was placed.")})
    if scope is None or not (scope.has(Perm.CARE_MANAGE) or scope.has(Perm.SERVICE_FULFIL)):
        raise PermissionDenied
    if not any(scope.contains_path(path) for path in steps.person_paths(person)):
        raise PermissionDenied
    if not scope.has(Perm.CARE_MANAGE) and not served_people(actor).filter(pk=person.pk).exists():
        raise PermissionDenied  # a volunteer orders only for the people they serve
    if (channel == OrderChannel.VISIT or values.get("source_visit") is not None) and not scope.has(Perm.CARE_VIEW):
        raise PermissionDenied  # visit notes are care records


def _clean_order(*, actor, scope, person, item, channel, values, today):
    errors = {}
    if person.deceased_on is not None:
        errors["person"] = _("The person has died: no order can be placed for them.")
    if item is None or not item.active or not menu_for_person(person).filter(pk=item.pk).exists():
        errors["item"] = _("Choose a service of the person's menu.")
    wanted_on = values.get("wanted_on")
    if wanted_on is not None and wanted_on < today:
        errors["wanted_on"] = _("The day wanted cannot be in the past.")
    proxy_name = _clean_text(values.get("proxy_name"), 60)
    proxy_relation = _clean_text(values.get("proxy_relation"), 30)
    if channel == OrderChannel.FAMILY:
        if not proxy_name:
            errors["proxy_name"] = _("Give the name of the family member placing the order.")
        if not proxy_relation:
            errors["proxy_relation"] = _("Give their relationship to the retiree.")
    elif channel in (OrderChannel.STAFF, OrderChannel.VISIT):
        proxy_name = proxy_name or (actor.full_name or actor.get_username())[:60]
        proxy_relation = proxy_relation or scope.node_name[:30]
    else:
        proxy_name = proxy_relation = ""
    visit = values.get("source_visit")
    if channel == OrderChannel.VISIT:
        if visit is None:
            errors["source_visit"] = _("An order from a visit needs the visit.")
        elif visit.person_id != person.pk:
            errors["source_visit"] = _("The visit is of another person.")
    elif visit is not None:
        errors["source_visit"] = _("Only an order from a visit names a visit.")
    project = values.get("project")
    if project is not None:
        if channel == OrderChannel.SELF:
            errors["project"] = _("Staff file orders under a project.")
        elif not project.active or not ServiceProject.objects.visible_to(scope).filter(pk=project.pk).exists():
            errors["project"] = _("Choose a project in force.")
        elif project.item_id and item is not None and project.item_id != item.pk:
            errors["project"] = _("The project is for another service.")
    if errors:
        raise ValidationError(errors)
    return {"details": _clean_text(values.get("details")), "wanted_on": wanted_on, "proxy_name": proxy_name,
            "proxy_relation": proxy_relation, "source_visit": visit, "project": project}


@transaction.atomic
def create_order(*, actor, scope, person, item, channel, values=None, today=None):
    """Place an order of menu ``item`` for ``person``. ``channel`` self: the retiree in their own role; staff,
    family or visit: staff of the person's scope, or a volunteer for a person they serve (``orderable_people``),
    acting for them (the proxy's name and relationship recorded); from a visit only with CARE_VIEW. ``values``:
    details, wanted_on, proxy_name, proxy_relation, source_visit, project."""
    values = values or {}
    today = today or timezone.localdate()
    _check_placer(actor=actor, scope=scope, person=person, channel=channel, values=values)
    cleaned = _clean_order(actor=actor, scope=scope, person=person, item=item, channel=channel, values=values,
                           today=today)
    clock = sla.deadlines(today, accept_days=item.accept_days, complete_days=item.complete_days)
    handler = handler_of(person)
    order = ServiceOrder.objects.create(person=person, item=item, channel=channel, ordered_by=actor,
                                        handler=handler, handler_path=handler.path, accept_by=clock.accept_by,
                                        due_on=clock.due_on, **cleaned)
    comment = ""
    if clock.unknown_years:
        comment = _("The holiday table does not know %(years)s yet: the dates were counted Monday to Friday "
                    "only.") % {"years": ", ".join(str(y) for y in clock.unknown_years)}
    steps.record_step(order, actor=actor, from_status="", comment=comment, action="create")
    steps.tell(order, steps.handler_staff(order), actor=actor,
               title=_("New service order: %(item)s for %(person)s") % {"item": item.name, "person": person.name},
               body=_("Accept it by %(day)s.") % {"day": clock.accept_by.isoformat()})
    return order


# --- the transitions ------------------------------------------------------------------------------------------

def _locked(order):
    return (ServiceOrder.objects.select_for_update(of=("self",))
            .select_related("person", "item", "provider", "handler").get(pk=order.pk))


def _guard(order, to, *, actor, scope):
    """Refuse a step the table does not have (ValidationError) or an actor it does not allow (PermissionDenied)."""
    rule = TRANSITIONS.get((order.status, to))
    if rule is None:
        raise ValidationError({"status": _("An order that is “%(status)s” cannot become “%(to)s”.") % {
            "status": order.get_status_display(), "to": S(to).label}})
    who = rule & steps.actor_roles(order, actor, scope)
    if not who:
        raise PermissionDenied
    return who


def _move(order, to, *, actor, action, comment="", **values):
    """Apply the step if the order is still in the state read; write the step, the audit row."""
    before = steps.snapshot(order)
    from_status = order.status
    changed = ServiceOrder.objects.filter(pk=order.pk, status=from_status).update(status=to, **values)
    if not changed:
        raise ValidationError({"status": _("The order was changed by someone else meanwhile. Reload it.")})
    order.status = to
    for name, value in values.items():
        setattr(order, name, value)
    steps.record_step(order, actor=actor, from_status=from_status, comment=comment, action=action, before=before)
    return order


def _required(value, field, message, limit=MAX_TEXT):
    value = _clean_text(value)
    if not value:
        raise ValidationError({field: message})
    if limit and len(value) > limit:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": limit}})
    return value


@transaction.atomic
def accept_order(*, actor, scope, order, comment=""):
    order = _locked(order)
    _guard(order, S.ACCEPTED, actor=actor, scope=scope)
    _move(order, S.ACCEPTED, actor=actor, action="accept", comment=_clean_text(comment),
          accepted_at=timezone.now())
    steps.tell(order, steps.handler_staff(order), actor=actor,
               title=_("Assign a provider: %(item)s for %(person)s") % {"item": order.item.name,
                                                                          "person": order.person.name},
               body=_("To be carried out by %(day)s.") % {"day": order.due_on.isoformat()})
    steps.tell(order, steps.retiree_side(order), actor=actor,
               title=_("Your order “%(item)s” is accepted") % {"item": order.item.name})
    return order


@transaction.atomic
def assign_order(*, actor, scope, order, provider, comment=""):
    """Give the order to a provider of the resource list (a volunteer's account becomes the assignee)."""
    order = _locked(order)
    _guard(order, S.ASSIGNED, actor=actor, scope=scope)
    if provider is None or not Resource.objects.visible_to(scope).active().filter(pk=provider.pk).exists():
        raise ValidationError({"provider": _("Choose an available provider of the resource list.")})
    if order.provider_id == provider.pk:
        raise ValidationError({"provider": _("The order is already assigned to this provider.")})
    previous = order.assignee_id
    _move(order, S.ASSIGNED, actor=actor, action="assign", comment=_clean_text(comment), provider=provider,
          assignee_id=provider.provider_user_id, assigned_at=timezone.now())
    names = {"item": order.item.name, "person": order.person.name}
    if order.assignee_id:
        steps.tell(order, [order.assignee_id], actor=actor,
                   title=_("A service order for you: %(item)s for %(person)s") % names,
                   body=_("Carry it out by %(day)s, then mark it done.") % {"day": order.due_on.isoformat()})
    else:
        steps.tell(order, steps.handler_staff(order), actor=actor,
                   title=_("Record when %(provider)s has carried out %(item)s") % {
                       "provider": provider.provider_name, "item": order.item.name})
    if previous and previous != order.assignee_id:
        steps.tell(order, [previous], actor=actor, title=_("The order %(item)s for %(person)s was given to "
                                                            "another provider") % names)
    steps.tell(order, steps.retiree_side(order), actor=actor,
               title=_("%(provider)s will carry out your order “%(item)s”") % {
                   "provider": provider.provider_name, "item": order.item.name})
    return order


@transaction.atomic
def mark_done(*, actor, scope, order, note):
    order = _locked(order)
    _guard(order, S.DONE, actor=actor, scope=scope)
    note = _required(note, "done_note", _("Say what was done."), limit=2000)
    _move(order, S.DONE, actor=actor, action="done", done_at=timezone.now(), done_note=note)
    title = _("“%(item)s” is carried out: please confirm and rate it") % {"item": order.item.name}
    recipients = steps.retiree_side(order)
    if not order.person.account_id:  # staff confirm for a retiree without an account
        recipients |= steps.handler_staff(order)
    steps.tell(order, recipients, actor=actor, title=title, body=note[:200])
    return order


@transaction.atomic
def confirm_order(*, actor, scope, order, rating, comment="", proxy_name="", proxy_relation=""):
    """The retiree confirms and rates (1–5); staff who manage care, or whoever placed the order for them, may do it
    for them (recorded as by proxy); whoever did the work never (``order_steps.Who``)."""
    order = _locked(order)
    who = _guard(order, S.CONFIRMED, actor=actor, scope=scope)
    if isinstance(rating, str) and rating.strip().isdigit():
        rating = int(rating)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate the service from 1 to 5 stars.")})
    comment = _clean_text(comment)
    if len(comment) > MAX_TEXT:
        raise ValidationError({"rating_comment": _("At most %(n)s characters.") % {"n": MAX_TEXT}})
    by_proxy = Who.SELF not in who
    step_comment = comment
    if by_proxy:
        proxy = _clean_text(proxy_name, 60) or (actor.full_name or actor.get_username())
        relation = _clean_text(proxy_relation, 30)
        step_comment = _("Confirmed for the retiree by %(name)s%(relation)s.") % {
            "name": proxy, "relation": f" ({relation})" if relation else ""} + (f" {comment}" if comment else "")
    _move(order, S.CONFIRMED, actor=actor, action="confirm", comment=step_comment, rating=rating,
          rating_comment=comment, confirmed_by_proxy=by_proxy, closed_at=timezone.now())
    steps.tell(order, {order.assignee_id, *steps.handler_staff(order)}, actor=actor,
               title=_("%(person)s rated “%(item)s”: %(stars)s of 5") % {
                   "person": order.person.name, "item": order.item.name, "stars": rating})
    return order


@transaction.atomic
def cancel_order(*, actor, scope, order, reason):
    order = _locked(order)
    who = _guard(order, S.CANCELLED, actor=actor, scope=scope)
    reason = _required(reason, "reason", _("Give the reason for cancelling."))
    _move(order, S.CANCELLED, actor=actor, action="cancel", comment=reason, reason=reason,
          closed_at=timezone.now())
    title = _("Order cancelled: %(item)s for %(person)s") % {"item": order.item.name, "person": order.person.name}
    recipients = {order.assignee_id, *steps.handler_staff(order)}
    if Who.SELF not in who:
        recipients |= steps.retiree_side(order)
    steps.tell(order, recipients, actor=actor, title=title, body=reason)
    return order


@transaction.atomic
def reject_order(*, actor, scope, order, reason):
    order = _locked(order)
    _guard(order, S.REJECTED, actor=actor, scope=scope)
    reason = _required(reason, "reason", _("Give the reason for rejecting the order."))
    _move(order, S.REJECTED, actor=actor, action="reject", comment=reason, reason=reason, closed_at=timezone.now())
    steps.tell(order, steps.retiree_side(order), actor=actor,
               title=_("Your order “%(item)s” cannot be served") % {"item": order.item.name}, body=reason)
    return order


def perform(action, *, actor, scope, order, **values):
    """Run ``action`` (a key of ACTIONS) with its values: the one entry point of the pages and the API."""
    functions = {"accept": accept_order, "assign": assign_order, "done": mark_done, "confirm": confirm_order,
                 "cancel": cancel_order, "reject": reject_order}
    return functions[action](actor=actor, scope=scope, order=order, **values)
