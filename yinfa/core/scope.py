"""Data scope: the one function through which every read of scoped data passes.

A user holds roles at nodes of the organisation tree; the role currently in use (chosen with
the scope switcher) defines a subtree. A record is visible when one of its anchors (former
unit, branch, residence community, registration community…) lies in that subtree.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from yinfa.core.permissions import ROLE_PERMISSIONS


@dataclass(frozen=True)
class Scope:
    grant_id: int
    node_id: int
    node_name: str
    path: str
    depth: int
    role: str
    permissions: frozenset = field(default_factory=frozenset)

    @classmethod
    def from_grant(cls, grant):
        return cls(
            grant_id=grant.pk,
            node_id=grant.node_id,
            node_name=grant.node.name,
            path=grant.node.path,
            depth=grant.node.depth,
            role=grant.role,
            permissions=frozenset(ROLE_PERMISSIONS.get(grant.role, ())),
        )

    def has(self, permission) -> bool:
        return permission in self.permissions

    def contains_path(self, path: str) -> bool:
        return bool(path) and path.startswith(self.path)


def ancestor_paths(path):
    """The materialised paths of a node and all its ancestors: '/1/2s/5/' → ['/1/', '/1/2s/', '/1/2s/5/']."""
    parts = [part for part in path.strip("/").split("/") if part]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def scope_condition(scope, *path_lookups):
    """A Q object true when any of the given path lookups lies in the scope's subtree."""
    if scope is None or not path_lookups:
        return None
    condition = Q()
    for lookup in path_lookups:
        condition |= Q(**{f"{lookup}__startswith": scope.path})
    return condition


def above_or_within(scope, column):
    """Q: the node path in ``column`` lies in the scope, or the scope lies inside that node (a campaign, round or
    policy of a county is seen by its units too). None without a scope."""
    if scope is None:
        return None
    return scope_condition(scope, column) | Q(**{f"{column}__in": ancestor_paths(scope.path)})


def scoped(queryset, scope, *path_lookups):
    """Restrict ``queryset`` to rows with one anchor path inside ``scope``. No scope: nothing."""
    condition = scope_condition(scope, *path_lookups)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)
