"""Reads shared by the assessment pages, always through the scoped querysets (anything outside the scope: 404)."""

from decimal import Decimal

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from yinfa.partylife.assessment_presets import grade_for, stars_for
from yinfa.partylife.models import AssessmentRound, BranchAssessment, ItemScore, RoundStatus, Scheme

STATUS_BADGES = {
    RoundStatus.DRAFT: "text-bg-secondary", RoundStatus.SELF_ASSESSMENT: "text-bg-primary",
    RoundStatus.REVIEW: "text-bg-warning", RoundStatus.PUBLISHED: "text-bg-success",
    "pending": "text-bg-light border", "submitted": "text-bg-info", "reviewed": "text-bg-success",
}
ROUND_ACTIONS = {
    RoundStatus.SELF_ASSESSMENT: gettext_lazy("Open for self-assessment"),
    RoundStatus.REVIEW: gettext_lazy("Close self-assessment and start the review"),
    RoundStatus.PUBLISHED: gettext_lazy("Publish the results"),
}


def rounds_visible(scope):
    """Rounds of the scope's subtree and those above it; a draft only to the organisations running it."""
    return AssessmentRound.objects.visible_to(scope).filter(
        Q(scope_path__startswith=scope.path) | ~Q(status=RoundStatus.DRAFT))


def get_round(request, pk):
    return get_object_or_404(rounds_visible(request.scope).select_related("template", "node", "created_by"), pk=pk)


def get_assessment(request, pk):
    return get_object_or_404(
        BranchAssessment.objects.visible_to(request.scope)
        .select_related("round__template", "round__node", "branch__node", "submitted_by", "reviewed_by"), pk=pk)


def item_scores(assessment):
    return list(ItemScore.objects.filter(assessment=assessment).select_related("item")
                .order_by("item__sort_order", "item_id"))


def max_total(items):
    return sum((item.points for item in items), Decimal(0))


def rating(template, total, maximum):
    """{"stars": n or None, "grade": label, "star_range": ...} shown beside a result."""
    if template.scheme == Scheme.STARS:
        stars = stars_for(total, maximum)
        return {"stars": stars, "grade": "", "filled": range(stars or 0), "empty": range(5 - (stars or 0))}
    return {"stars": None, "grade": grade_for(total, maximum), "filled": range(0), "empty": range(0)}
