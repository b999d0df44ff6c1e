"""Assessment templates and rounds: define weighted items (or start from a preset), open a round for an
organisation and a year, move it through its states, refresh the scores drawn from the records.

A round is a small explicit state machine (``ROUND_MOVES``; ``transition`` refuses any other move):
draft → self_assessment (opening creates one assessment per open branch, with the system scores) → review →
published (final). The branch's own writes (self-assessment, review) are in ``assessment_scores``.
Every write is atomic, permission-checked and audited.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgKind, OrgNode, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.scope import ancestor_paths
from yinfa.core.services.notifications import notify
from yinfa.partylife import assessment_metrics
from yinfa.partylife.assessment_presets import PRESETS, THRESHOLD_RANGES
from yinfa.partylife.models import (
    AssessmentItem,
    AssessmentRound,
    AssessmentStatus,
    AssessmentTemplate,
    Branch,
    BranchAssessment,
    ItemScore,
    ItemSource,
    RoundStatus,
    Scheme,
)
from yinfa.partylife.querysets import templates_visible_to

ROUND_MOVES = {
    RoundStatus.DRAFT: {RoundStatus.SELF_ASSESSMENT},
    RoundStatus.SELF_ASSESSMENT: {RoundStatus.REVIEW},
    RoundStatus.REVIEW: {RoundStatus.PUBLISHED},
    RoundStatus.PUBLISHED: set(),
}
# Organisations that never hold a template or a round (a branch assesses itself within a round above it).
BRANCH_LEVEL_KINDS = (OrgKind.BRANCH, OrgKind.PARTY_GROUP)
REVIEWER_ROLES = (Role.BUREAU_ADMIN, Role.COMMITTEE_ADMIN)
EARLIEST_YEAR = 2000
MAX_ITEMS = 60
MAX_POINTS = Decimal("1000")
BATCH_SIZE = 1000

TEMPLATE_FIELDS = ["name", "scheme", "description", "active"]
ROUND_FIELDS = ["template", "node", "year", "title", "status", "self_due_on", "published_at"]


# --- permissions ------------------------------------------------------------------------------------------------

def require(scope, perm):
    if scope is None or not scope.has(perm):
        raise PermissionDenied


def is_branch_level(scope):
    """True when the scope's organisation is a branch or lies inside one (one query)."""
    return scope is not None and Branch.objects.filter(path__in=ancestor_paths(scope.path)).exists()


def may_define_templates(scope):
    return scope is not None and scope.has(Perm.PARTY_MANAGE) and not is_branch_level(scope)


def manages_template(scope, template):
    return scope is not None and scope.has(Perm.PARTY_MANAGE) and scope.contains_path(template.node_path)


def manages_round(scope, round_):
    """The scope runs the round (opens, moves, reviews, refreshes): PARTY_MANAGE at or above its organisation."""
    return scope is not None and scope.has(Perm.PARTY_MANAGE) and scope.contains_path(round_.scope_path)


def supervises_round(scope, round_):
    """The scope sees every branch's scores and the ranking: its subtree holds the round's organisation."""
    return scope is not None and scope.has(Perm.PARTY_VIEW) and scope.contains_path(round_.scope_path)


def _require_round_manager(scope, round_):
    require(scope, Perm.PARTY_MANAGE)
    if not manages_round(scope, round_):
        raise PermissionDenied


def template_in_use(template):
    return AssessmentRound.objects.filter(template=template).exists()


# --- templates --------------------------------------------------------------------------------------------------

def _scope_node(scope):
    node = OrgNode.objects.get(pk=scope.node_id)
    if node.kind in BRANCH_LEVEL_KINDS or is_branch_level(scope):
        raise PermissionDenied
    return node


def clean_items(items):
    """Validated item dicts (title, description, points, source, threshold; optional id), or ValidationError."""
    if not items:
        raise ValidationError({"items": _("Add at least one item.")})
    if len(items) > MAX_ITEMS:
        raise ValidationError({"items": _("A template holds at most %(limit)s items.") % {"limit": MAX_ITEMS}})
    cleaned = []
    for number, entry in enumerate(items, start=1):
        title = (entry.get("title") or "").strip()
        points = entry.get("points")
        source = entry.get("source") or ItemSource.MANUAL
        threshold = entry.get("threshold")
        values = {"number": number}
        if not title:
            raise ValidationError({"items": _("Item %(number)s has no title.") % values})
        if source not in ItemSource.values:
            raise ValidationError({"items": _("Item %(number)s: choose how it is scored.") % values})
        if points is None or Decimal(points) <= 0 or Decimal(points) > MAX_POINTS:
            raise ValidationError({"items": _("Item %(number)s: points must be above 0 and at most 1000.") % values})
        if source in THRESHOLD_RANGES and threshold is not None:
            low, high = THRESHOLD_RANGES[source]
            if not low <= Decimal(threshold) <= high:
                raise ValidationError({"items": _("Item %(number)s: N must lie between %(low)s and %(high)s.") % {
                    **values, "low": low, "high": high}})
        if source not in THRESHOLD_RANGES:
            threshold = None
        cleaned.append({"id": entry.get("id"), "title": title[:120], "description": (entry.get("description") or "")
                        .strip(), "points": Decimal(points).quantize(Decimal("0.01")), "source": source,
                        "threshold": None if threshold is None else Decimal(threshold).quantize(Decimal("0.01")),
                        "sort_order": number})
    return cleaned


def _items_summary(template):
    return [f"{item.title} ({item.points}; {item.source}{'' if item.threshold is None else f' N={item.threshold}'})"
            for item in template.items.all()]


@transaction.atomic
def create_template(*, actor, scope, name, scheme=Scheme.CUSTOM, description="", preset=None, items=None,
                    copied_from=None):
    """A new template at the scope's organisation, with the items of ``preset`` (a Scheme with a preset) or
    ``items``; without either it starts empty and the items are added on the edit page."""
    require(scope, Perm.PARTY_MANAGE)
    node = _scope_node(scope)
    if preset:
        if preset not in PRESETS:
            raise ValidationError({"preset": _("Choose one of the ready-made templates.")})
        items = PRESETS[preset]["items"]
        scheme = PRESETS[preset]["scheme"]
    name = (name or "").strip() or (PRESETS[preset]["name"] if preset else "")
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    if scheme not in Scheme.values:
        raise ValidationError({"scheme": _("Choose a scheme.")})
    cleaned = clean_items(items) if items else []
    template = AssessmentTemplate.objects.create(
        name=name[:80], scheme=scheme, node=node, node_path=node.path, created_by=actor,
        description=(description or (PRESETS[preset]["description"] if preset else "")).strip())
    AssessmentItem.objects.bulk_create([AssessmentItem(template=template, **{k: v for k, v in entry.items()
                                                                            if k != "id"}) for entry in cleaned])
    audit.record(AuditAction.CREATE, actor=actor, obj=template, scope_path=template.node_path,
                 changes=audit.diff({}, audit.snapshot(template, TEMPLATE_FIELDS)),
                 detail={"preset": preset or "", "items": _items_summary(template),
                         "copied_from": copied_from.pk if copied_from else None})
    return template


@transaction.atomic
def update_template(*, actor, scope, template, name, scheme, description="", active=True, items=None):
    """Change a template; ``items`` (a list of item dicts, ``id`` for kept ones) replaces its items, which is
    refused once a round uses the template (make a copy instead)."""
    template = AssessmentTemplate.objects.select_for_update().get(pk=template.pk)
    require(scope, Perm.PARTY_MANAGE)
    if not manages_template(scope, template):
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    if scheme not in Scheme.values:
        raise ValidationError({"scheme": _("Choose a scheme.")})
    before = audit.snapshot(template, TEMPLATE_FIELDS)
    items_before = _items_summary(template)
    template.name, template.scheme, template.active = name[:80], scheme, bool(active)
    template.description = (description or "").strip()
    template.save(update_fields=TEMPLATE_FIELDS)
    if items is not None:
        if template_in_use(template):
            raise ValidationError({"items": _("A round uses this template: its items can no longer change. "
                                              "Make a copy and change the copy.")})
        _replace_items(template, clean_items(items))
    changes = audit.diff(before, audit.snapshot(template, TEMPLATE_FIELDS))
    items_after = _items_summary(template)
    if items_after != items_before:
        changes["items"] = [items_before, items_after]
    audit.record(AuditAction.UPDATE, actor=actor, obj=template, scope_path=template.node_path, changes=changes)
    return template


def _replace_items(template, cleaned):
    existing = {item.pk: item for item in template.items.all()}
    kept, created = [], []
    for entry in cleaned:
        values = {k: v for k, v in entry.items() if k != "id"}
        item = existing.get(entry["id"]) if entry["id"] else None
        if item is None:
            created.append(AssessmentItem(template=template, **values))
            continue
        for name, value in values.items():
            setattr(item, name, value)
        kept.append(item)
    AssessmentItem.objects.filter(template=template).exclude(pk__in=[item.pk for item in kept]).delete()
    AssessmentItem.objects.bulk_update(kept, ["sort_order", "title", "description", "points", "source",
                                              "threshold"])
    AssessmentItem.objects.bulk_create(created)


@transaction.atomic
def copy_template(*, actor, scope, template, name=""):
    """A copy of a visible template (its items included) at the scope's organisation, free to change."""
    require(scope, Perm.PARTY_MANAGE)
    if not templates_visible_to(scope).filter(pk=template.pk).exists():
        raise PermissionDenied
    items = [{"title": item.title, "description": item.description, "points": item.points, "source": item.source,
              "threshold": item.threshold} for item in template.items.all()]
    return create_template(actor=actor, scope=scope, name=(name or "").strip() or _("%(name)s (copy)") % {
        "name": template.name}, scheme=template.scheme, description=template.description, items=items or None,
        copied_from=template)


# --- rounds -----------------------------------------------------------------------------------------------------

def default_title(template, year, node_name):
    return _("%(year)s %(template)s · %(node)s") % {"year": year, "template": template.name, "node": node_name}


@transaction.atomic
def create_round(*, actor, scope, template, node, year, self_due_on, title=""):
    """A draft round for ``node`` (the scope's organisation or one inside it) and ``year`` from ``template``."""
    require(scope, Perm.PARTY_MANAGE)
    if is_branch_level(scope):
        raise PermissionDenied
    if not scope.contains_path(node.path) or node.kind in BRANCH_LEVEL_KINDS:
        raise ValidationError({"node": _("Choose your organisation or one inside it that is not a branch.")})
    if not templates_visible_to(scope).filter(pk=template.pk).exists():
        raise PermissionDenied
    if not template.active:
        raise ValidationError({"template": _("This template is no longer in use.")})
    if not template.items.exists():
        raise ValidationError({"template": _("This template has no items yet.")})
    today = timezone.localdate()
    if not EARLIEST_YEAR <= year <= today.year + 1:
        raise ValidationError({"year": _("Choose a year between %(first)s and %(last)s.") % {
            "first": EARLIEST_YEAR, "last": today.year + 1}})
    if self_due_on is None or self_due_on < today:
        raise ValidationError({"self_due_on": _("Choose a due date from today on.")})
    if AssessmentRound.objects.filter(node=node, year=year, template=template).exists():
        raise ValidationError({"template": _("%(node)s already has a %(year)s round with this template.") % {
            "node": node.name, "year": year}})
    round_ = AssessmentRound.objects.create(
        template=template, node=node, scope_path=node.path, year=year, self_due_on=self_due_on, created_by=actor,
        title=(title or "").strip()[:120] or default_title(template, year, node.name)[:120])
    audit.record(AuditAction.CREATE, actor=actor, obj=round_, scope_path=round_.scope_path,
                 changes=audit.diff({}, audit.snapshot(round_, ROUND_FIELDS)))
    return round_


@transaction.atomic
def transition(round_, to, *, actor, scope, confirm_unreviewed=False):
    """Move ``round_`` to the state ``to`` if ROUND_MOVES allows it; any other move is a ValidationError.

    Opening creates the branches' assessments; publishing needs every assessment reviewed, or
    ``confirm_unreviewed`` to publish the self scores of the others as their results.
    """
    round_ = AssessmentRound.objects.select_for_update().select_related("template", "node").get(pk=round_.pk)
    _require_round_manager(scope, round_)
    if to not in ROUND_MOVES.get(round_.status, set()):
        raise ValidationError(_("A round in the state “%(state)s” cannot move to “%(to)s”.") % {
            "state": RoundStatus(round_.status).label, "to": RoundStatus(to).label if to in RoundStatus.values
            else to})
    before = audit.snapshot(round_, ROUND_FIELDS)
    detail = {}
    if to == RoundStatus.SELF_ASSESSMENT:
        detail["branches"] = _open(round_, scope)
    elif to == RoundStatus.PUBLISHED:
        detail["published_unreviewed"] = _publish(round_, confirm_unreviewed)
    round_.status = to
    round_.save(update_fields=["status", "published_at"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=round_, scope_path=round_.scope_path,
                 changes=audit.diff(before, audit.snapshot(round_, ROUND_FIELDS)), detail=detail)
    if to == RoundStatus.SELF_ASSESSMENT:
        _notify_opened(round_)
    elif to == RoundStatus.PUBLISHED:
        _notify_published(round_)
    return round_


def round_branches(round_, scope):
    """The open branches under the round's organisation (read through the scope), their nodes loaded."""
    as_of = assessment_metrics.as_of_day(round_.year)
    return list(Branch.objects.visible_to(scope).filter(path__startswith=round_.scope_path).open_on(as_of)
                .select_related("node").order_by("path"))


def _open(round_, scope):
    branches = round_branches(round_, scope)
    if not branches:
        raise ValidationError(_("No open branch lies under %(node)s: there is nobody to assess.") % {
            "node": round_.node.name})
    items = list(round_.template.items.all())
    measured = assessment_metrics.measure(items, branches, round_.year, within_path=round_.scope_path)
    assessments = []
    for branch in branches:
        scores = [measured.get((branch.pk, item.pk)) for item in items]
        total = sum((m.score for m in scores if m is not None and m.score is not None), Decimal(0))
        assessments.append(BranchAssessment(round=round_, branch=branch, branch_path=branch.path, self_total=total))
    BranchAssessment.objects.bulk_create(assessments, batch_size=BATCH_SIZE)
    if any(a.pk is None for a in assessments):  # a database that does not return keys from bulk inserts
        ids = dict(BranchAssessment.objects.filter(round=round_).values_list("branch_id", "pk"))
        for assessment in assessments:
            assessment.pk = ids[assessment.branch_id]
    rows = []
    for assessment in assessments:
        for item in items:
            m = measured.get((assessment.branch_id, item.pk))
            rows.append(ItemScore(assessment_id=assessment.pk, item=item, system_score=m.score if m else None,
                                  system_basis=m.basis[:200] if m else ""))
    ItemScore.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(assessments)


def effective_self(score):
    """The self score of an item: the one entered, else the one drawn from the records."""
    return score.self_score if score.self_score is not None else score.system_score


def totals(scores):
    """(self total, final total or None while an item has no final score), in Decimal."""
    self_total = sum((effective_self(s) or Decimal(0) for s in scores), Decimal(0))
    finals = [s.final_score for s in scores]
    final_total = sum(finals, Decimal(0)) if finals and all(f is not None for f in finals) else None
    return self_total.quantize(Decimal("0.01")), None if final_total is None else final_total.quantize(
        Decimal("0.01"))


def _publish(round_, confirm_unreviewed):
    """Fill the results of assessments not reviewed (their self scores) when confirmed; returns how many."""
    unreviewed = list(BranchAssessment.objects.filter(round=round_).exclude(status=AssessmentStatus.REVIEWED)
                      .order_by("pk"))
    if unreviewed and not confirm_unreviewed:
        raise ValidationError(ngettext(
            "%(count)s branch is not reviewed yet. Review it, or confirm that its self-assessed score is published "
            "as its result.",
            "%(count)s branches are not reviewed yet. Review them, or confirm that their self-assessed scores are "
            "published as their results.", len(unreviewed)) % {"count": len(unreviewed)})
    if unreviewed:
        scores = list(ItemScore.objects.filter(assessment__in=unreviewed).order_by("pk"))
        by_assessment = {}
        for score in scores:
            score.final_score = effective_self(score) or Decimal("0.00")
            by_assessment.setdefault(score.assessment_id, []).append(score)
        ItemScore.objects.bulk_update(scores, ["final_score"], batch_size=BATCH_SIZE)
        for assessment in unreviewed:
            assessment.final_total = totals(by_assessment.get(assessment.pk, []))[1] or Decimal("0.00")
        BranchAssessment.objects.bulk_update(unreviewed, ["final_total"], batch_size=BATCH_SIZE)
    round_.published_at = timezone.now()
    return len(unreviewed)


@transaction.atomic
def refresh_scores(*, actor, scope, round_, assessment=None):
    """Draw the system scores from the records again: for the whole round (its manager), or for one pending
    assessment (its branch). Submitted self scores and review scores stay as they are. Returns the number of
    assessments refreshed."""
    round_ = AssessmentRound.objects.select_related("template").get(pk=round_.pk)
    require(scope, Perm.PARTY_MANAGE)
    if round_.status not in (RoundStatus.SELF_ASSESSMENT, RoundStatus.REVIEW):
        raise ValidationError(_("Scores are drawn from the records only while the round is open."))
    if assessment is None:
        _require_round_manager(scope, round_)
        assessments = list(BranchAssessment.objects.filter(round=round_).select_related("branch__node"))
        within = round_.scope_path
    else:
        if assessment.round_id != round_.pk or not scope.contains_path(assessment.branch_path):
            raise PermissionDenied
        assessments = [BranchAssessment.objects.select_related("branch__node").get(pk=assessment.pk)]
        within = assessments[0].branch_path
    items = list(round_.template.items.all())
    measured = assessment_metrics.measure(items, [a.branch for a in assessments], round_.year, within_path=within)
    branch_of = {a.pk: a.branch_id for a in assessments}
    scores = list(ItemScore.objects.filter(assessment__in=assessments).exclude(item__source=ItemSource.MANUAL))
    for score in scores:
        m = measured.get((branch_of[score.assessment_id], score.item_id))
        if m is not None:
            score.system_score, score.system_basis = m.score, m.basis[:200]
    ItemScore.objects.bulk_update(scores, ["system_score", "system_basis"], batch_size=BATCH_SIZE)
    recount_self_totals([a for a in assessments if a.status == AssessmentStatus.PENDING])
    audit.record(AuditAction.UPDATE, actor=actor, obj=assessment or round_,
                 scope_path=assessment.branch_path if assessment else round_.scope_path,
                 detail={"refreshed_from_records": len(assessments), "round": round_.pk})
    return len(assessments)


def recount_self_totals(assessments):
    """Recompute the running self totals of ``assessments`` from their item scores (two queries)."""
    if not assessments:
        return
    by_assessment = {}
    for score in ItemScore.objects.filter(assessment__in=assessments):
        by_assessment.setdefault(score.assessment_id, []).append(score)
    for assessment in assessments:
        assessment.self_total = totals(by_assessment.get(assessment.pk, []))[0]
    BranchAssessment.objects.bulk_update(assessments, ["self_total"], batch_size=BATCH_SIZE)


# --- notifications ----------------------------------------------------------------------------------------------

def secretaries_of(branch_ids, today=None):
    """{branch id: {account ids}} of the branch secretaries holding a role at each branch."""
    holders = (RoleGrant.objects.active(today).filter(role=Role.BRANCH_SECRETARY, node_id__in=list(branch_ids),
                                                      user__is_active=True).values_list("node_id", "user_id"))
    found = {}
    for node_id, user_id in holders:
        found.setdefault(node_id, set()).add(user_id)
    return found


def reviewers_of(round_, today=None):
    """Accounts that review the round: bureau and work-committee administrators at its organisation (else the
    account that created it)."""
    ids = set(RoleGrant.objects.active(today).filter(role__in=REVIEWER_ROLES, node_id=round_.node_id,
                                                     user__is_active=True).values_list("user_id", flat=True))
    return ids or {round_.created_by_id}


def assessment_url(assessment_id):
    return reverse("partylife:assessment_branch", kwargs={"pk": assessment_id})


def _notify_opened(round_):
    assessments = dict(BranchAssessment.objects.filter(round=round_).values_list("branch_id", "pk"))
    due = formats.date_format(round_.self_due_on, "Y-m-d") if round_.self_due_on else ""
    for branch_id, user_ids in secretaries_of(assessments).items():
        notify(recipients=user_ids, title=_("Assessment opened: %(title)s") % {"title": round_.title},
               body=_("Please complete your branch's self-assessment by %(due)s. The scores drawn from the records "
                      "are filled in already.") % {"due": due},
               url=assessment_url(assessments[branch_id]), obj=round_)


def _notify_published(round_):
    assessments = dict(BranchAssessment.objects.filter(round=round_).values_list("branch_id", "pk"))
    for branch_id, user_ids in secretaries_of(assessments).items():
        notify(recipients=user_ids, title=_("Assessment results published: %(title)s") % {"title": round_.title},
               body=_("Your branch's result and the reviewers' comments can now be seen."),
               url=assessment_url(assessments[branch_id]), obj=round_)


def notify_submitted(assessment, round_, branch_name):
    notify(recipients=reviewers_of(round_),
           title=_("Self-assessment submitted: %(branch)s") % {"branch": branch_name},
           body=_("%(branch)s submitted its self-assessment for %(title)s.") % {"branch": branch_name,
                                                                              "title": round_.title},
           url=assessment_url(assessment.pk), obj=assessment)


@transaction.atomic
def record_ranking_export(*, actor, round_, rows):
    """Audit the download of a round's results table (branches and scores)."""
    audit.record(AuditAction.EXPORT, actor=actor, obj=round_, object_repr=round_.title[:200],
                 scope_path=round_.scope_path, detail={"ranking": True, "branches": rows})



def overdue(round_, today=None):
    """True while branches still self-assess after the due date."""
    today = today or timezone.localdate()
    return (round_.status == RoundStatus.SELF_ASSESSMENT and round_.self_due_on is not None
            and round_.self_due_on < today)
