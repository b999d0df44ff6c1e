"""Read-side query sets of the core app. Every scoped read goes through ``yinfa.core.scope.scoped``."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from yinfa.core.scope import scoped


class OrgNodeQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "path")

    def open_on(self, day=None):
        day = day or timezone.localdate()
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))

    def subtree_of(self, node):
        return self.filter(path__startswith=node.path)


class RoleGrantQuerySet(models.QuerySet):
    def active(self, day=None):
        day = day or timezone.localdate()
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
            revoked_at__isnull=True,
        )

    def visible_to(self, scope):
        return scoped(self, scope, "node__path")


class UserQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Accounts holding at least one role inside the scope's subtree.

        Accounts that hold no role yet are visible to those who manage accounts at the top of
        the tree, so a new account never becomes unreachable.
        """
        if scope is None:
            return self.none()
        from yinfa.core.models import RoleGrant

        inside = scoped(RoleGrant.objects.all(), scope, "node__path").values("user_id")
        condition = Q(pk__in=inside)
        if scope.depth == 0:
            condition |= ~Q(pk__in=RoleGrant.objects.values("user_id"))
        return self.filter(condition)


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Audit events whose scope lies in the audit administrator's subtree.

        Events without a scope (failed logins of unknown names, system jobs) belong to the root.
        """
        if scope is None:
            return self.none()
        if scope.depth == 0:
            return self.filter(Q(scope_path__startswith=scope.path) | Q(scope_path=""))
        return scoped(self, scope, "scope_path")


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)
