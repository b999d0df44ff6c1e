"""Changes to the organisation tree: create, edit, move, close, reopen. Closed nodes stay in history."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.events import org_subtree_moved
from yinfa.core.models import ALLOWED_CHILD_KINDS, AuditAction, OrgKind, OrgNode

NODE_AUDIT_FIELDS = ["kind", "unit_kind", "code", "name", "parent", "sort_order", "opened_on", "closed_on"]


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def path_for(parent_path: str, pk: int) -> str:
    return f"{parent_path or '/'}{_b36(pk)}/"


def _check_kinds(kind, parent, unit_kind):
    if parent is not None and kind not in ALLOWED_CHILD_KINDS[OrgKind(parent.kind)]:
        raise ValidationError({"kind": _("A %(child)s cannot be placed under a %(parent)s.") % {
            "child": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}})
    if unit_kind and kind != OrgKind.UNIT:
        raise ValidationError({"unit_kind": _("Only a work unit has a unit kind.")})


def _check_scope(actor_scope, node_path):
    if actor_scope is not None and not node_path.startswith(actor_scope.path):
        raise ValidationError(_("This organisation lies outside your scope."))


@transaction.atomic
def create_node(*, actor, actor_scope, parent, kind, code, name, unit_kind="", opened_on=None, sort_order=0):
    if parent is None and actor_scope is not None:
        raise ValidationError({"parent": _("Choose the parent organisation.")})
    if parent is not None:
        _check_scope(actor_scope, parent.path)
        if parent.is_closed:
            raise ValidationError({"parent": _("The parent organisation is closed.")})
    _check_kinds(kind, parent, unit_kind)
    if OrgNode.objects.filter(code=code).exists():
        raise ValidationError({"code": _("This code is already used by another organisation.")})
    node = OrgNode(parent=parent, kind=kind, code=code, name=name, unit_kind=unit_kind or "",
                   opened_on=opened_on, sort_order=sort_order, depth=(parent.depth + 1) if parent else 0,
                   path=f"tmp-{code}")
    node.save()
    node.path = path_for(parent.path if parent else "", node.pk)
    node.save(update_fields=["path"])
    if parent is not None:
        OrgNode.objects.filter(pk=parent.pk).update(child_count=F("child_count") + 1)
    audit.record(AuditAction.CREATE, actor=actor, obj=node, scope_path=node.path,
                 changes=audit.diff({}, audit.snapshot(node, NODE_AUDIT_FIELDS)))
    return node


@transaction.atomic
def update_node(*, actor, actor_scope, node, **values):
    allowed = {"name", "code", "unit_kind", "opened_on", "sort_order"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    _check_scope(actor_scope, node.path)
    if "code" in values and OrgNode.objects.filter(code=values["code"]).exclude(pk=node.pk).exists():
        raise ValidationError({"code": _("This code is already used by another organisation.")})
    if values.get("unit_kind"):
        _check_kinds(node.kind, None, values["unit_kind"])
    before = audit.snapshot(node, NODE_AUDIT_FIELDS)
    for name, value in values.items():
        setattr(node, name, value)
    node.save()
    changes = audit.diff(before, audit.snapshot(node, NODE_AUDIT_FIELDS))
    if changes:
        audit.record(AuditAction.UPDATE, actor=actor, obj=node, changes=changes, scope_path=node.path)
    return node


@transaction.atomic
def move_node(*, actor, actor_scope, node, new_parent):
    """Re-hang a node and its whole subtree under ``new_parent`` (one UPDATE for the subtree)."""
    node = OrgNode.objects.select_for_update().get(pk=node.pk)
    _check_scope(actor_scope, node.path)
    _check_scope(actor_scope, new_parent.path)
    if actor_scope is not None and node.path == actor_scope.path:
        raise ValidationError(_("You cannot move the organisation at the top of your own scope."))
    if new_parent.path.startswith(node.path):
        raise ValidationError({"parent": _("An organisation cannot be moved under itself or its own subtree.")})
    if new_parent.is_closed:
        raise ValidationError({"parent": _("The new parent organisation is closed.")})
    if new_parent.pk == node.parent_id:
        return node
    _check_kinds(node.kind, new_parent, node.unit_kind)
    old_parent_id, old_path = node.parent_id, node.path
    new_path = path_for(new_parent.path, node.pk)
    depth_delta = (new_parent.depth + 1) - node.depth
    OrgNode.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", Length(Value(old_path)) + 1)),
        depth=F("depth") + depth_delta,
    )
    OrgNode.objects.filter(pk=node.pk).update(parent=new_parent)
    OrgNode.objects.filter(pk=old_parent_id).update(child_count=F("child_count") - 1)
    OrgNode.objects.filter(pk=new_parent.pk).update(child_count=F("child_count") + 1)
    node.refresh_from_db()
    org_subtree_moved.send(sender=OrgNode, old_path=old_path, new_path=new_path)
    audit.record(AuditAction.UPDATE, actor=actor, obj=node, scope_path=node.path,
                 changes={"parent": [str(old_parent_id), str(new_parent.pk)], "path": [old_path, new_path]},
                 detail={"moved_under": new_parent.name})
    return node


@transaction.atomic
def close_node(*, actor, actor_scope, node, closed_on, reason=""):
    """Close a node on a date. It stays in the tree and in history; nothing is deleted."""
    _check_scope(actor_scope, node.path)
    if actor_scope is not None and node.path == actor_scope.path:
        raise ValidationError(_("You cannot close the organisation at the top of your own scope."))
    if node.opened_on and closed_on < node.opened_on:
        raise ValidationError({"closed_on": _("The closing date is before the opening date.")})
    open_children = OrgNode.objects.filter(parent=node, closed_on__isnull=True).count()
    if open_children:
        raise ValidationError(
            _("Close or move its %(n)d open sub-organisations first.") % {"n": open_children}
        )
    before = audit.snapshot(node, NODE_AUDIT_FIELDS)
    node.closed_on = closed_on
    node.save(update_fields=["closed_on", "updated_at"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=node, scope_path=node.path,
                 changes=audit.diff(before, audit.snapshot(node, NODE_AUDIT_FIELDS)), detail={"reason": reason})
    return node


@transaction.atomic
def reopen_node(*, actor, actor_scope, node):
    _check_scope(actor_scope, node.path)
    if node.parent and node.parent.is_closed:
        raise ValidationError(_("Reopen the parent organisation first."))
    before = audit.snapshot(node, NODE_AUDIT_FIELDS)
    node.closed_on = None
    node.save(update_fields=["closed_on", "updated_at"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=node, scope_path=node.path,
                 changes=audit.diff(before, audit.snapshot(node, NODE_AUDIT_FIELDS)))
    return node
