"""Who to notify: the accounts holding a role at a node, or at a node or any of its ancestors (e.g. the 老干部局
administrators above a community). Reads ids only; the notification centre does the rest."""

from django.utils import timezone

from yinfa.core.models import RoleGrant
from yinfa.core.scope import ancestor_paths


def holders_at(roles, nodes, *, day=None):
    """Account ids holding one of ``roles`` (in force on ``day``) exactly at one of ``nodes`` (nodes or ids)."""
    node_ids = {getattr(n, "pk", n) for n in nodes if n is not None}
    if not node_ids:
        return set()
    day = day or timezone.localdate()
    return set(RoleGrant.objects.active(day).filter(role__in=list(roles), user__is_active=True,
                                                    node_id__in=node_ids).values_list("user_id", flat=True))


def holders_above(roles, path, *, day=None):
    """Account ids holding one of ``roles`` at the node with ``path`` or at any of its ancestors."""
    if not path:
        return set()
    day = day or timezone.localdate()
    return set(RoleGrant.objects.active(day).filter(role__in=list(roles), user__is_active=True,
                                                    node__path__in=ancestor_paths(path))
               .values_list("user_id", flat=True))
