"""One branch's assessment: the self-assessment page (the branch fills in, saves, submits), the review page (the
round's manager), giving a submitted assessment back, refreshing one branch's scores, and the evidence files.

Assessments are read through ``BranchAssessment.objects.visible_to`` (a branch sees only its own); the final
scores and the reviewers' comments are shown to the branch only once the round is published.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.forms_assessment import ReturnForm, ReviewForm, SelfAssessmentForm
from yinfa.partylife.models import AssessmentStatus, BranchAssessment, ItemScore, ItemSource, RoundStatus
from yinfa.partylife.services import assessment as services
from yinfa.partylife.services import assessment_scores as score_services
from yinfa.partylife.views.assessment_common import STATUS_BADGES, get_assessment, item_scores, max_total, rating


def may_edit(request, assessment):
    return (score_services.may_self_assess(request.scope, assessment)
            and assessment.round.status == RoundStatus.SELF_ASSESSMENT
            and assessment.status == AssessmentStatus.PENDING)


def page_context(request, assessment, scores):
    round_ = assessment.round
    manager = services.manages_round(request.scope, round_)
    supervisor = services.supervises_round(request.scope, round_)
    published = round_.status == RoundStatus.PUBLISHED
    results_visible = published or supervisor
    maximum = max_total(score.item for score in scores)
    for score in scores:
        score.is_system = score.item.source != ItemSource.MANUAL
        score.own = score.self_score if score.self_score is not None else score.system_score
        score.adjusted = score.is_system and score.self_score is not None and score.self_score != score.system_score
    shown_total = assessment.final_total if results_visible else None
    return {
        "assessment": assessment, "round": round_, "scores": scores, "max_total": maximum,
        "badge": STATUS_BADGES[assessment.status], "round_badge": STATUS_BADGES[round_.status],
        "results_visible": results_visible, "published": published, "manager": manager,
        "rating": rating(round_.template, shown_total, maximum) if shown_total is not None else None,
        "can_review": manager and round_.status == RoundStatus.REVIEW,
        "can_return": manager and round_.status == RoundStatus.SELF_ASSESSMENT
        and assessment.status == AssessmentStatus.SUBMITTED,
        "can_refresh": may_edit(request, assessment),
        "returned": assessment.status == AssessmentStatus.PENDING and bool(assessment.review_comment)
        and round_.status == RoundStatus.SELF_ASSESSMENT,
        "shows_stars": round_.template.scheme == "stars",
    }


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_VIEW)
def assessment_branch(request, pk):
    assessment = get_assessment(request, pk)
    scores = item_scores(assessment)
    editable = may_edit(request, assessment)
    form = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = SelfAssessmentForm(request.POST, request.FILES, scores=scores)
        if form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                score_services.save_self_assessment(actor=request.user, scope=request.scope, assessment=assessment,
                                                    entries=form.entries(), submit=submit)
            except ValidationError as exc:
                add_service_errors(form, exc)
                scores = item_scores(assessment)
                form.scores = scores
            else:
                messages.success(request, _("The self-assessment is submitted. The reviewers were notified.")
                                 if submit else _("The self-assessment is saved. Submit it when it is complete."))
                return redirect("partylife:assessment_branch", pk=assessment.pk)
    elif editable:
        form = SelfAssessmentForm(scores=scores)
    context = page_context(request, assessment, scores)
    context.update({"form": form, "editable": editable, "return_form": ReturnForm()})
    return render(request, "partylife/assessment/branch.html", context)


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def assessment_review(request, pk):
    assessment = get_assessment(request, pk)
    if not services.manages_round(request.scope, assessment.round):
        raise PermissionDenied
    if assessment.round.status != RoundStatus.REVIEW:
        messages.error(request, _("Assessments are reviewed once the round is under review."))
        return redirect("partylife:assessment_branch", pk=assessment.pk)
    scores = item_scores(assessment)
    if request.method == "POST":
        form = ReviewForm(request.POST, assessment=assessment, scores=scores)
        if form.is_valid():
            try:
                score_services.review_assessment(actor=request.user, scope=request.scope, assessment=assessment,
                                                 entries=form.entries(), comment=form.cleaned_data["comment"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The review of %(branch)s is saved.") % {
                    "branch": assessment.branch.node.name})
                return redirect("partylife:assessment_round_detail", pk=assessment.round_id)
    else:
        form = ReviewForm(assessment=assessment, scores=scores)
    context = page_context(request, assessment, scores)
    context["form"] = form
    return render(request, "partylife/assessment/review.html", context)


@module("partylife")
@require_POST
@scope_checked(Perm.PARTY_MANAGE)
def assessment_return(request, pk):
    assessment = get_assessment(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what the branch should change."))
        return redirect("partylife:assessment_branch", pk=assessment.pk)
    try:
        score_services.return_assessment(actor=request.user, scope=request.scope, assessment=assessment,
                                         comment=form.cleaned_data["comment"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The self-assessment was given back to the branch."))
    return redirect("partylife:assessment_branch", pk=assessment.pk)


@module("partylife")
@require_POST
@scope_checked(Perm.PARTY_MANAGE)
def assessment_refresh(request, pk):
    """The branch draws its own system scores from the records again (while its self-assessment is pending)."""
    assessment = get_assessment(request, pk)
    if not may_edit(request, assessment):
        raise PermissionDenied
    try:
        services.refresh_scores(actor=request.user, scope=request.scope, round_=assessment.round,
                                assessment=assessment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The scores drawn from the records are up to date."))
    return redirect("partylife:assessment_branch", pk=assessment.pk)


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def assessment_evidence(request, pk):
    """An evidence file, only for an assessment in scope. Images and PDFs are shown inline, Word downloaded."""
    score = get_object_or_404(ItemScore.objects.filter(
        assessment__in=BranchAssessment.objects.visible_to(request.scope).values("pk")).exclude(evidence_file=""),
        pk=pk)
    try:
        stream = score.evidence_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    name = score.evidence_file.name
    content_type = score_services.evidence_content_type(name)
    inline = content_type.startswith("image/") or content_type == "application/pdf"
    extension = name.rsplit(".", 1)[-1].lower()
    response = FileResponse(stream, as_attachment=not inline, filename=f"evidence-{score.pk}.{extension}",
                            content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
