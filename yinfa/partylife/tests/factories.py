"""Test helpers for party life: branches (tree nodes of kind ``branch`` with their ``Branch`` row) and members."""

import datetime

from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.testing import make_node
from yinfa.partylife.models import Branch, BranchKind, Membership, Relation, Standing
from yinfa.partylife.services import counts
from yinfa.people.models import PoliticalStatus
from yinfa.people.tests.factories import make_person


def make_branch(parent, name="甲县财政局离退休干部党支部", kind=BranchKind.UNIT, opened_on=None) -> Branch:
    """A branch node under ``parent`` (its ``Branch`` row is made by a post_save receiver) of the given kind."""
    node = make_node(parent, OrgKind.BRANCH, name)
    if opened_on is not None:
        OrgNode.objects.filter(pk=node.pk).update(opened_on=opened_on)
    Branch.objects.filter(pk=node.pk).update(kind=kind)
    return Branch.objects.select_related("node").get(pk=node.pk)


def make_group(branch, name="甲县财政局第一党小组"):
    """A party group (a child node of the branch)."""
    return make_node(branch.node, OrgKind.PARTY_GROUP, name)


def default_unit(branch):
    """The nearest unit above the branch node, else the branch's parent."""
    ancestors = {node.pk: node for node in OrgNode.objects.filter(pk__in=branch.node.ancestor_ids)}
    for node_id in reversed(branch.node.ancestor_ids):
        node = ancestors.get(node_id)
        if node is not None and node.kind == OrgKind.UNIT:
            return node
    return branch.node.parent


def make_membership(person, branch, *, standing=Standing.FULL, started_on=datetime.date(2020, 1, 1),
                    relation=Relation.ORGANISATIONAL, **values) -> Membership:
    """A membership row only (no anchors, no recount)."""
    if standing == Standing.PROBATIONARY:
        values.setdefault("probation_from", started_on)
        values.setdefault("probation_until", started_on.replace(year=started_on.year + 1))
    return Membership.objects.create(person=person, branch=branch, branch_path=branch.path, relation=relation,
                                     standing=standing, started_on=started_on, **values)


def make_member(branch, *, name="甲县老同志", standing=Standing.FULL, started_on=datetime.date(2020, 1, 1), unit=None,
                **person_values):
    """A person whose organisational relationship is held in ``branch`` (anchor, status, open membership)."""
    status = PoliticalStatus.PROBATIONARY if standing == Standing.PROBATIONARY else PoliticalStatus.PARTY_MEMBER
    person_values.setdefault("political_status", status)
    person = make_person(unit or default_unit(branch), name=name, branch=branch.node, **person_values)
    make_membership(person, branch, standing=standing, started_on=started_on)
    counts.recount([branch.pk])
    return person


def scope_of(user):
    """The scope of the user's first role grant."""
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    return Scope.from_grant(RoleGrant.objects.select_related("node").filter(user=user).order_by("pk").first())
