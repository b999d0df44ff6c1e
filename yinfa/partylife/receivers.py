"""Keeping the copies of tree paths on party-life rows in step when a subtree of the tree moves."""

from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.db.models.signals import post_save
from django.dispatch import receiver

from yinfa.core.events import org_subtree_moved
from yinfa.core.models import OrgKind, OrgNode


def _rewrite(queryset, column, old_path, new_path):
    queryset.filter(**{f"{column}__startswith": old_path}).update(
        **{column: Concat(Value(new_path), Substr(column, Length(Value(old_path)) + 1))})


@receiver(org_subtree_moved)
def rewrite_party_paths(sender, old_path, new_path, **kwargs):
    from yinfa.partylife.models import (
        AssessmentRound,
        AssessmentTemplate,
        Branch,
        BranchAssessment,
        BranchCompliance,
        CommunityRegistration,
        Meeting,
        Membership,
    )

    for model, column in ((Branch, "path"), (Membership, "branch_path"), (Meeting, "branch_path"),
                          (BranchCompliance, "branch_path"), (BranchAssessment, "branch_path"),
                          (CommunityRegistration, "community_path"), (AssessmentRound, "scope_path"),
                          (AssessmentTemplate, "node_path")):
        _rewrite(model.objects.all(), column, old_path, new_path)


@receiver(post_save, sender=OrgNode)
def create_branch_profile(sender, instance, created, raw=False, **kwargs):
    """A new branch node gets its ``Branch`` row at once; a branch node's path copy follows the node."""
    from yinfa.partylife.models import Branch
    from yinfa.partylife.profiles import guess_kind

    if raw or instance.kind != OrgKind.BRANCH or not instance.path.startswith("/"):
        return  # create_node saves once with a temporary path, then with the real one
    parent_kind = instance.parent.kind if instance.parent_id else ""
    branch, made = Branch.objects.get_or_create(node=instance, defaults={"path": instance.path,
                                                                        "kind": guess_kind(instance, parent_kind)})
    if not made and branch.path != instance.path:
        Branch.objects.filter(pk=branch.pk).update(path=instance.path)
