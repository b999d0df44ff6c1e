"""The assessment rounds: the list (the module's "Assessment" tab), creating a round, the round's page (progress,
moves, refresh, and for supervisors every branch sorted by score with stars) and its Excel export.

A branch-level scope never gets a ranking: it sees its own assessment only (``BranchAssessment.visible_to``
excludes the others; the views also never build the table for it). Rounds are read through ``rounds_visible``
(scoped); anything outside the scope is 404.
"""

import tempfile
from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.exports import XlsxStream
from yinfa.core.forms_org import add_service_errors
from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.forms_assessment import RoundForm, TransitionForm
from yinfa.partylife.models import AssessmentStatus, BranchAssessment, ItemScore, RoundStatus
from yinfa.partylife.querysets import templates_visible_to
from yinfa.partylife.services import assessment as services
from yinfa.partylife.views.assessment_common import (
    ROUND_ACTIONS,
    STATUS_BADGES,
    get_round,
    max_total,
    rating,
    rounds_visible,
)

ROUNDS_SHOWN = 100
RANKING_ROWS_SHOWN = 500
NODE_CHOICES_LIMIT = 200
# Organisations offered for a round below the scope's own (branches and groups never hold one).
ROUND_NODE_KINDS = (OrgKind.BUREAU, OrgKind.DISTRICT, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH,
                    OrgKind.STREET)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def progress_of(counts):
    """{"total", "pending", "submitted", "reviewed", "percent"} from {status: count}."""
    figures = {status: counts.get(status, 0) for status in AssessmentStatus.values}
    total = sum(figures.values())
    done = figures[AssessmentStatus.SUBMITTED] + figures[AssessmentStatus.REVIEWED]
    return {**figures, "total": total, "percent": round(done * 100 / total) if total else 0}


# --- the list -----------------------------------------------------------------------------------------------------

@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def round_list(request):
    scope = request.scope
    branch_level = services.is_branch_level(scope)
    rounds = rounds_visible(scope).select_related("template", "node")
    year, status = request.GET.get("year", ""), request.GET.get("status", "")
    if year.isdigit():
        rounds = rounds.filter(year=int(year))
    if status in RoundStatus.values:
        rounds = rounds.filter(status=status)
    rounds = list(rounds.order_by("-year", "-pk")[: ROUNDS_SHOWN + 1])
    more = len(rounds) > ROUNDS_SHOWN
    rounds = rounds[:ROUNDS_SHOWN]
    visible = BranchAssessment.objects.visible_to(scope).filter(round__in=[r.pk for r in rounds])
    own, counts = {}, {}
    if branch_level:
        own = {row["round"]: row for row in visible.values("round", "pk", "status")}
    elif rounds:
        for row in visible.values("round", "status").annotate(n=Count("pk")).order_by():
            counts.setdefault(row["round"], {})[row["status"]] = row["n"]
    for round_ in rounds:
        round_.badge = STATUS_BADGES[round_.status]
        round_.own = own.get(round_.pk)
        if round_.own:
            round_.own["label"] = AssessmentStatus(round_.own["status"]).label
        round_.progress = progress_of(counts.get(round_.pk, {}))
        round_.is_own = scope.contains_path(round_.scope_path)
    this_year = timezone.localdate().year
    return render(request, "partylife/assessment/list.html", {
        "rounds": rounds, "more": more, "year": year, "status": status, "statuses": RoundStatus.choices,
        "years": range(this_year + 1, this_year - 6, -1), "filtered": bool(year or status),
        "branch_level": branch_level,
        "can_create": not branch_level and scope.has(Perm.PARTY_MANAGE),
    })


# --- creating a round ---------------------------------------------------------------------------------------------

def round_nodes(scope):
    """The scope's organisation first, then the organisations inside it that may hold a round."""
    own = OrgNode.objects.filter(pk=scope.node_id)
    inside = (OrgNode.objects.visible_to(scope).filter(kind__in=ROUND_NODE_KINDS).exclude(pk=scope.node_id)
              .order_by("path")[:NODE_CHOICES_LIMIT])
    return [*own, *inside]


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def round_create(request):
    scope = request.scope
    if services.is_branch_level(scope):
        raise PermissionDenied
    templates = list(templates_visible_to(scope).filter(active=True).annotate(n=Count("items")).filter(n__gt=0)
                     .order_by("name", "pk"))
    nodes = round_nodes(scope)
    this_year = timezone.localdate().year
    form_args = {"templates": templates, "nodes": nodes, "this_year": this_year}
    if request.method == "POST":
        form = RoundForm(request.POST, **form_args)
        if form.is_valid():
            data = form.cleaned_data
            template = next(t for t in templates if t.pk == data["template"])
            node = next(n for n in nodes if n.pk == data["node"])
            try:
                round_ = services.create_round(actor=request.user, scope=scope, template=template, node=node,
                                               year=data["year"], self_due_on=data["self_due_on"],
                                               title=data["title"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The round is created as a draft. Open it when the branches should "
                                            "start their self-assessment."))
                return redirect("partylife:assessment_round_detail", pk=round_.pk)
    else:
        chosen = request.GET.get("template", "")
        form = RoundForm(initial={"year": this_year - 1 if timezone.localdate().month <= 3 else this_year,
                                  "template": int(chosen) if chosen.isdigit() else None,
                                  "node": scope.node_id}, **form_args)
    return render(request, "partylife/assessment/round_form.html", {"form": form, "has_templates": bool(templates)})


# --- the round's page ---------------------------------------------------------------------------------------------

def ranking_rows(round_, scope, items):
    """Every visible assessment of the round sorted by score (final, else self-assessed), with stars: for
    supervisors only. Two queries."""
    assessments = list(BranchAssessment.objects.visible_to(scope).filter(round=round_).select_related("branch__node"))
    maximum = max_total(items)

    def score(a):
        return a.final_total if a.final_total is not None else a.self_total

    assessments.sort(key=lambda a: (score(a) is None, -(score(a) or Decimal(0)), a.branch_path))
    for rank, assessment in enumerate(assessments, start=1):
        assessment.rank = rank
        assessment.score = score(assessment)
        assessment.badge = STATUS_BADGES[assessment.status]
        assessment.rating = rating(round_.template, assessment.score, maximum)
    return assessments


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def round_detail(request, pk):
    scope = request.scope
    round_ = get_round(request, pk)
    items = list(round_.template.items.all())
    branch_level = services.is_branch_level(scope)
    supervisor = not branch_level and services.supervises_round(scope, round_)
    manager = supervisor and services.manages_round(scope, round_)
    visible = BranchAssessment.objects.visible_to(scope).filter(round=round_)
    counts = {row["status"]: row["n"] for row in visible.values("status").annotate(n=Count("pk")).order_by()}
    progress = progress_of(counts)
    rows, own = [], []
    published = round_.status == RoundStatus.PUBLISHED
    if supervisor:
        rows = ranking_rows(round_, scope, items)
    else:
        own = list(visible.select_related("branch__node").order_by("branch_path")[:RANKING_ROWS_SHOWN])
        for assessment in own:
            assessment.badge = STATUS_BADGES[assessment.status]
            assessment.rating = rating(round_.template, assessment.final_total, max_total(items)) if published \
                else None
    moves = sorted(services.ROUND_MOVES[round_.status]) if manager else []
    branches_to_open = (len(services.round_branches(round_, scope))
                        if manager and round_.status == RoundStatus.DRAFT else None)
    return render(request, "partylife/assessment/round_detail.html", {
        "round": round_, "badge": STATUS_BADGES[round_.status], "items": items, "max_total": max_total(items),
        "progress": progress, "supervisor": supervisor, "manager": manager, "branch_level": branch_level,
        "rows": rows[:RANKING_ROWS_SHOWN], "rows_cut": len(rows) > RANKING_ROWS_SHOWN, "own": own,
        "moves": [(to, ROUND_ACTIONS[to]) for to in moves], "published": published,
        "unreviewed": progress["total"] - progress[AssessmentStatus.REVIEWED],
        "can_refresh": manager and round_.status in (RoundStatus.SELF_ASSESSMENT, RoundStatus.REVIEW),
        "can_review": manager and round_.status == RoundStatus.REVIEW,
        "can_export": supervisor and round_.status != RoundStatus.DRAFT,
        "overdue": services.overdue(round_), "branches_to_open": branches_to_open,
        "shows_stars": round_.template.scheme == "stars",
    })


@module("partylife")
@require_POST
@scope_checked(Perm.PARTY_MANAGE)
def round_transition(request, pk):
    round_ = get_round(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the round."))
        return redirect("partylife:assessment_round_detail", pk=round_.pk)
    to = form.cleaned_data["to"]
    try:
        services.transition(round_, to, actor=request.user, scope=request.scope,
                            confirm_unreviewed=form.cleaned_data["confirm_unreviewed"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, {
            RoundStatus.SELF_ASSESSMENT: _("The round is open. The branch secretaries were notified."),
            RoundStatus.REVIEW: _("Self-assessment is closed; the review can start."),
            RoundStatus.PUBLISHED: _("The results are published. Each branch now sees its own result."),
        }.get(to, _("Saved.")))
    return redirect("partylife:assessment_round_detail", pk=round_.pk)


@module("partylife")
@require_POST
@scope_checked(Perm.PARTY_MANAGE)
def round_refresh(request, pk):
    round_ = get_round(request, pk)
    try:
        count = services.refresh_scores(actor=request.user, scope=request.scope, round_=round_)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The scores drawn from the records were refreshed for %(count)s branches.") % {
            "count": count})
    return redirect("partylife:assessment_round_detail", pk=round_.pk)


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def round_export(request, pk):
    """The results of every branch (rank, totals, stars, each item's score) as an Excel file; supervisors only."""
    scope = request.scope
    round_ = get_round(request, pk)
    if services.is_branch_level(scope) or not services.supervises_round(scope, round_) \
            or round_.status == RoundStatus.DRAFT:
        raise PermissionDenied
    items = list(round_.template.items.all())
    rows = ranking_rows(round_, scope, items)
    by_item = {}
    for assessment_id, item_id, final, own, system in (ItemScore.objects.filter(assessment__in=[r.pk for r in rows])
                                                       .values_list("assessment_id", "item_id", "final_score",
                                                                    "self_score", "system_score")):
        value = final if final is not None else (own if own is not None else system)
        by_item[(assessment_id, item_id)] = value
    columns = [(_("Rank"), 6), (_("Branch"), 36), (_("Status"), 14), (_("Self-assessed score"), 12),
               (_("Final score"), 12), (_("Rating"), 10)] + [(item.title, 14) for item in items]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "results.xlsx"
        with XlsxStream(path, columns, sheet_name=_("Results")) as sheet:
            for row in rows:
                rated = row.rating
                label = f"{rated['stars']}★" if rated["stars"] is not None else str(rated["grade"])
                sheet.write([row.rank, row.branch.node.name, AssessmentStatus(row.status).label, row.self_total,
                             row.final_total, label, *[by_item.get((row.pk, item.pk)) for item in items]])
        content = path.read_bytes()
    services.record_ranking_export(actor=request.user, round_=round_, rows=len(rows))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-{round_.year}-{round_.pk}.xlsx"'
    return response
