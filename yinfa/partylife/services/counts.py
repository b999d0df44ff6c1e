"""The cached figures on ``Branch`` rows that the warning list filters on: full and probationary members, whether
a committee is in office, and when the current term ends. Recounted after every membership or committee change
(a few queries for any number of branches)."""

from django.db.models import Count, Exists, OuterRef, Q

from yinfa.partylife.models import (
    Branch,
    BranchKind,
    CommitteeMember,
    CommitteePost,
    CommitteeTerm,
    Membership,
    Relation,
    Standing,
)


def recount(branch_ids):
    """Recompute the cached counts of the given branches (an iterable of Branch primary keys)."""
    branch_ids = list(branch_ids)
    if not branch_ids:
        return
    counts = {row["branch_id"]: row for row in (
        # A functional branch (功能型党支部) counts the members who joined it; the others their organisational ones.
        Membership.objects.filter(Q(relation=Relation.ORGANISATIONAL) & ~Q(branch__kind=BranchKind.FUNCTIONAL)
                                  | Q(relation=Relation.FUNCTIONAL, branch__kind=BranchKind.FUNCTIONAL),
                                  branch_id__in=branch_ids, ended_on__isnull=True)
        .values("branch_id")
        .annotate(full=Count("pk", filter=Q(standing=Standing.FULL)),
                  probationary=Count("pk", filter=Q(standing=Standing.PROBATIONARY))))}
    committee_posts = CommitteeMember.objects.filter(term=OuterRef("pk"), ended_on__isnull=True).exclude(
        post=CommitteePost.SECRETARY)
    terms = {}
    for row in (CommitteeTerm.objects.filter(branch_id__in=branch_ids, ended_on__isnull=True)
                .annotate(has_members=Exists(committee_posts)).values("branch_id", "ends_on", "has_members")):
        term = terms.setdefault(row["branch_id"], {"ends": None, "committee": False})
        term["ends"] = max(filter(None, (term["ends"], row["ends_on"])), default=None)
        term["committee"] = term["committee"] or row["has_members"]
    branches = list(Branch.objects.filter(pk__in=branch_ids).only("pk"))
    for branch in branches:
        count = counts.get(branch.pk, {})
        term = terms.get(branch.pk, {})
        branch.full_members = count.get("full", 0)
        branch.probationary_members = count.get("probationary", 0)
        branch.term_ends_on = term.get("ends")
        branch.has_committee = bool(term.get("committee"))
    Branch.objects.bulk_update(branches, ["full_members", "probationary_members", "term_ends_on", "has_committee"],
                               batch_size=2000)
