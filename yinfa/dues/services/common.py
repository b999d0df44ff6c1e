"""Guards shared by the dues services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core.permissions import Perm
from yinfa.core.scope import scoped
from yinfa.partylife.models import Membership, Relation


def require_dues(scope):
    """The role in use must record dues (branch secretary, work committee, bureau administrator)."""
    if scope is None or not scope.has(Perm.DUES_MANAGE):
        raise PermissionDenied


def require_branch(scope, branch):
    require_dues(scope)
    if not scope.contains_path(branch.path):
        raise PermissionDenied


def member_branch_in_scope(scope, person):
    """The branch (in the scope) holding the person's organisational relationship now, or else the latest one
    in the scope; ValidationError when the person never held one there."""
    rows = list(scoped(Membership.objects.filter(person=person, relation=Relation.ORGANISATIONAL), scope,
                       "branch_path").select_related("branch", "branch__node").order_by("-started_on", "-pk"))
    if not rows:
        raise ValidationError(_("%(name)s holds no organisational membership in a party branch of your scope.")
                              % {"name": person.name})
    open_rows = [row for row in rows if row.ended_on is None]
    return (open_rows or rows)[0].branch


def today():
    return timezone.localdate()
