"""Branch profiles: every tree node of kind ``branch`` has a ``Branch`` row beside it.

Created when a branch node is saved (``receivers.py``) and in bulk by ``ensure_branch_profiles`` (the demo, the
synthetic province, the data migration). The branch kind is guessed from the tree and can be changed on the
branch page: under a community → community branch; under an association → functional; "联合" in the name →
joint; otherwise a unit branch.
"""

from yinfa.core.models import OrgKind, OrgNode


def guess_kind(node, parent_kind):
    from yinfa.partylife.models import BranchKind

    if "联合" in node.name:
        return BranchKind.JOINT
    if parent_kind == OrgKind.COMMUNITY:
        return BranchKind.COMMUNITY
    if parent_kind == OrgKind.ASSOCIATION or "功能型" in node.name:
        return BranchKind.FUNCTIONAL
    return BranchKind.UNIT


def ensure_branch_profiles(batch_size=2000):
    """Create the missing ``Branch`` rows for branch nodes; returns how many were created."""
    from yinfa.partylife.models import Branch

    missing = (OrgNode.objects.filter(kind=OrgKind.BRANCH, branch__isnull=True)
               .select_related("parent").only("pk", "name", "path", "parent__kind"))
    rows = [Branch(node=node, path=node.path, kind=guess_kind(node, node.parent.kind if node.parent else ""))
            for node in missing.iterator(chunk_size=batch_size)]
    Branch.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)
