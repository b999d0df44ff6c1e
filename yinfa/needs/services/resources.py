"""The resource list (资源清单), the service menu and the project list (项目清单): writes and the menu of a person.

Each entry belongs to an organisation of the scope (``node``) and is seen inside it and from above. Only staff with
CARE_MANAGE keep them. A resource links, by its kind of provider: a volunteer's account (the volunteer then carries
out the orders assigned to them), a retiree's person file (a talent, 银发人才库), or an organisation.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgKind, OrgNode, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.scope import ancestor_paths
from yinfa.needs.models import (
    ProviderKind,
    Resource,
    ServiceCategory,
    ServiceItem,
    ServiceProject,
)
from yinfa.people.models import Person

RESOURCE_FIELDS = ["node", "provider_kind", "provider_name", "provider_node", "provider_user", "provider_person",
                   "community", "categories", "offer", "skills", "place", "available", "contact_name", "active"]
ITEM_FIELDS = ["node", "name", "category", "description", "accept_days", "complete_days", "free", "price_note",
               "active"]
PROJECT_FIELDS = ["node", "title", "item", "provider", "frequency", "beneficiaries", "agreement", "starts_on",
                  "ends_on", "active"]
MAX_DAYS = 60


def require_manage(scope):
    if scope is None or not scope.has(Perm.CARE_MANAGE):
        raise PermissionDenied


def require_node(scope, node):
    """The organisation keeping an entry must lie in the scope."""
    if node is None or not scope.contains_path(node.path):
        raise ValidationError({"node": _("Choose an organisation of your scope.")})


# --- reads shared by pages, API and orders --------------------------------------------------------------------

def home_path(person):
    """The organisation a person's menu comes from: their community, else their former unit."""
    return person.community_path or person.unit_path


def menu_for_person(person):
    """Menu items (on the menu or not) of the person's community path: offered above it or within it."""
    path = home_path(person)
    if not path:
        return ServiceItem.objects.none()
    return ServiceItem.objects.filter(Q(node_path__startswith=path) | Q(node_path__in=ancestor_paths(path)))


def volunteer_accounts(scope):
    """Accounts holding the volunteer role (in force) in the scope."""
    from yinfa.core.models import User

    grants = RoleGrant.objects.active().visible_to(scope).filter(role=Role.VOLUNTEER)
    return User.objects.filter(pk__in=grants.values("user_id"), is_active=True).order_by("full_name", "pk")


def scope_nodes(scope, kinds=None):
    nodes = OrgNode.objects.visible_to(scope).filter(closed_on__isnull=True)
    if kinds:
        nodes = nodes.filter(kind__in=kinds)
    return nodes.order_by("path")


# --- resources ------------------------------------------------------------------------------------------------

def _text(values, name, limit):
    return (values.get(name) or "").strip()[:limit]


def clean_resource(scope, values):
    """The values of a resource, checked against the scope and the kind of provider."""
    errors = {}
    kind = values.get("provider_kind")
    if kind not in ProviderKind.values:
        errors["provider_kind"] = _("Choose the kind of provider.")
    node = values.get("node")
    try:
        require_node(scope, node)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    categories = [c for c in (values.get("categories") or []) if c]
    if not categories or any(c not in ServiceCategory.values for c in categories):
        errors["categories"] = _("Choose at least one kind of service.")
    cleaned = {"provider_kind": kind, "node": node, "categories": sorted(set(categories)),
               "provider_name": _text(values, "provider_name", 120), "offer": _text(values, "offer", 200),
               "skills": " ".join(_text(values, "skills", 200).split()), "place": _text(values, "place", 120),
               "available": _text(values, "available", 120), "contact_name": _text(values, "contact_name", 60),
               "active": bool(values.get("active", True)), "provider_node": None, "provider_user": None,
               "provider_person": None}
    if not cleaned["offer"]:
        errors["offer"] = _("Say what is offered.")
    if kind == ProviderKind.VOLUNTEER:
        user = values.get("provider_user")
        if user is None or not volunteer_accounts(scope).filter(pk=user.pk).exists():
            errors["provider_user"] = _("Link the account of a volunteer of your scope.")
        else:
            cleaned["provider_user"] = user
            cleaned["provider_name"] = cleaned["provider_name"] or (user.full_name or user.get_username())[:120]
    elif kind == ProviderKind.RETIREE:
        person = values.get("provider_person")
        if person is None or not Person.objects.visible_to(scope).alive().filter(pk=person.pk).exists():
            errors["provider_person"] = _("Link the person file of a retiree of your scope.")
        else:
            cleaned["provider_person"] = person
            cleaned["provider_name"] = cleaned["provider_name"] or person.name
    elif kind in (ProviderKind.UNIT, ProviderKind.COMMUNITY):
        provider_node = values.get("provider_node")
        if provider_node is not None:
            if not OrgNode.objects.visible_to(scope).filter(pk=provider_node.pk).exists():
                errors["provider_node"] = _("Choose an organisation of your scope.")
            else:
                cleaned["provider_node"] = provider_node
                cleaned["provider_name"] = cleaned["provider_name"] or provider_node.name[:120]
    community = values.get("community")
    if community is not None and (community.kind != OrgKind.COMMUNITY or not scope.contains_path(community.path)):
        errors["community"] = _("Choose a community of your scope.")
    cleaned["community"] = community
    if cleaned["community"] is None and kind == ProviderKind.RETIREE and cleaned["provider_person"] is not None:
        cleaned["community"] = cleaned["provider_person"].community
    if not cleaned["provider_name"] and "provider_name" not in errors:
        errors["provider_name"] = _("Give the provider's name.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_entry(model, fields, cleaned, *, actor, entry):
    """Create (``entry`` None) or change an entry of one of the three lists, kept by an organisation of the scope,
    with one audit row of what changed (the caller has checked the role and the entry's organisation)."""
    before = audit.snapshot(entry, fields) if entry else {}
    entry = entry or model(created_by=actor)
    for name, value in cleaned.items():
        setattr(entry, name, value)
    entry.node_path = cleaned["node"].path
    entry.save()
    audit.record(AuditAction.UPDATE if before else AuditAction.CREATE, actor=actor, obj=entry,
                 changes=audit.diff(before, audit.snapshot(entry, fields)), scope_path=entry.node_path)
    return entry


@transaction.atomic
def save_resource(*, actor, scope, values, resource=None):
    """Create (``resource`` None) or change an entry of the resource list."""
    require_manage(scope)
    if resource is not None:
        require_node(scope, resource.node)
    return _save_entry(Resource, RESOURCE_FIELDS, clean_resource(scope, values), actor=actor, entry=resource)


# --- menu items -----------------------------------------------------------------------------------------------

def clean_item(scope, values):
    errors = {}
    node = values.get("node")
    try:
        require_node(scope, node)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    name = _text(values, "name", 80)
    if not name:
        errors["name"] = _("Give the name of the service.")
    if values.get("category") not in ServiceCategory.values:
        errors["category"] = _("Choose the kind of service.")
    accept_days, complete_days = values.get("accept_days"), values.get("complete_days")
    if not isinstance(accept_days, int) or not 0 <= accept_days <= MAX_DAYS:
        errors["accept_days"] = _("Between 0 and %(n)s working days.") % {"n": MAX_DAYS}
    if not isinstance(complete_days, int) or not 1 <= complete_days <= MAX_DAYS:
        errors["complete_days"] = _("Between 1 and %(n)s working days.") % {"n": MAX_DAYS}
    elif isinstance(accept_days, int) and complete_days < accept_days:
        errors["complete_days"] = _("It cannot be carried out before it is accepted.")
    free = bool(values.get("free"))
    price_note = _text(values, "price_note", 120)
    if not free and not price_note:
        errors["price_note"] = _("Say what it costs.")
    if errors:
        raise ValidationError(errors)
    return {"node": node, "name": name, "category": values["category"],
            "description": (values.get("description") or "").strip(), "accept_days": accept_days,
            "complete_days": complete_days, "free": free, "price_note": "" if free else price_note,
            "active": bool(values.get("active", True))}


@transaction.atomic
def save_item(*, actor, scope, values, item=None):
    require_manage(scope)
    if item is not None:
        require_node(scope, item.node)
    return _save_entry(ServiceItem, ITEM_FIELDS, clean_item(scope, values), actor=actor, entry=item)


# --- projects -------------------------------------------------------------------------------------------------

def clean_project(scope, values):
    errors = {}
    node = values.get("node")
    try:
        require_node(scope, node)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    title = _text(values, "title", 120)
    if not title:
        errors["title"] = _("Give the project a title.")
    provider = values.get("provider")
    if provider is None or not Resource.objects.visible_to(scope).filter(pk=provider.pk).exists():
        errors["provider"] = _("Choose a provider of the resource list.")
    item = values.get("item")
    if item is not None and not ServiceItem.objects.visible_to(scope).filter(pk=item.pk).exists():
        errors["item"] = _("Choose a service of the menu.")
    if values.get("frequency") is None:
        errors["frequency"] = _("Say how often.")
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    if starts_on is None:
        errors["starts_on"] = _("Give the first day of the agreement.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The agreement cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    return {"node": node, "title": title, "item": item, "provider": provider, "frequency": values["frequency"],
            "beneficiaries": _text(values, "beneficiaries", 200),
            "agreement": (values.get("agreement") or "").strip(), "starts_on": starts_on, "ends_on": ends_on,
            "active": bool(values.get("active", True))}


@transaction.atomic
def save_project(*, actor, scope, values, project=None):
    require_manage(scope)
    if project is not None:
        require_node(scope, project.node)
    return _save_entry(ServiceProject, PROJECT_FIELDS, clean_project(scope, values), actor=actor,
                       entry=project)


def record_export(*, actor, scope, model, title, filters, rows, personal_data=False):
    """Audit an Excel export of a list with the filters used."""
    audit.record(AuditAction.EXPORT, actor=actor, object_type=model._meta.label_lower, object_repr=title[:200],
                 scope_path=scope.path, detail={"filters": filters, "rows": rows}, personal_data=personal_data)
