"""A branch's assessment within a round: the self-assessment (with evidence), the submission, the review.

Each branch assessment is a small state machine too (``ASSESSMENT_MOVES``, each move allowed only in one state
of the round): pending → submitted (the branch, during self-assessment); submitted → pending (returned by the
reviewer, during self-assessment); pending or submitted → reviewed, reviewed → reviewed (the reviewer, during
review). Every write is atomic, permission-checked and audited.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import audit, uploads
from yinfa.core.models import AuditAction
from yinfa.core.permissions import Perm
from yinfa.core.services.notifications import notify
from yinfa.partylife.models import AssessmentStatus, BranchAssessment, ItemScore, ItemSource, RoundStatus
from yinfa.partylife.services.assessment import (
    assessment_url,
    manages_round,
    notify_submitted,
    require,
    secretaries_of,
    totals,
)

# (from, to) → the round state in which the move is allowed.
ASSESSMENT_MOVES = {
    (AssessmentStatus.PENDING, AssessmentStatus.SUBMITTED): RoundStatus.SELF_ASSESSMENT,
    (AssessmentStatus.SUBMITTED, AssessmentStatus.PENDING): RoundStatus.SELF_ASSESSMENT,
    (AssessmentStatus.PENDING, AssessmentStatus.REVIEWED): RoundStatus.REVIEW,
    (AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED): RoundStatus.REVIEW,
    (AssessmentStatus.REVIEWED, AssessmentStatus.REVIEWED): RoundStatus.REVIEW,
}
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# extension → content type of the evidence files kept (recognised from the first bytes, never from the name).
EVIDENCE_TYPES = {
    "pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
CENT = Decimal("0.01")
ASSESSMENT_FIELDS = ["status", "self_total", "final_total", "review_comment", "submitted_at", "reviewed_at"]


def check_move(assessment, to, round_status):
    """Refuse a move of the branch assessment that ASSESSMENT_MOVES does not allow in the round's state."""
    needed = ASSESSMENT_MOVES.get((assessment.status, to))
    if needed is None:
        raise ValidationError(_("An assessment “%(state)s” cannot become “%(to)s”.") % {
            "state": AssessmentStatus(assessment.status).label, "to": AssessmentStatus(to).label})
    if round_status != needed:
        raise ValidationError(_("This cannot be done while the round is “%(state)s”.") % {
            "state": RoundStatus(round_status).label})


def _locked(assessment):
    return (BranchAssessment.objects.select_for_update(of=("self",)).select_related("round", "branch__node")
            .get(pk=assessment.pk))


def _scores(assessment):
    return list(ItemScore.objects.filter(assessment=assessment).select_related("item")
                .order_by("item__sort_order", "item_id"))


def _plain(value):
    return None if value is None else str(value)


def _storage():
    return ItemScore._meta.get_field("evidence_file").storage


def _in_range(value, item, field):
    """The score as stored (to the cent), or ValidationError when it is not between 0 and the item's points."""
    if value is not None:
        value = Decimal(value).quantize(CENT)
    if value is not None and not Decimal(0) <= value <= item.points:
        raise ValidationError({field: _("“%(item)s”: give a score from 0 to %(points)s.") % {
            "item": item.title, "points": item.points}})
    return value


# --- evidence files ---------------------------------------------------------------------------------------------

def evidence_type(upload):
    """The extension of an allowed evidence file recognised from its content (PDF, images, Word), or None."""
    extension = uploads.FILE_TYPES.get(uploads.sniff(upload))
    return extension if extension in EVIDENCE_TYPES else None


def check_evidence(upload, field):
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({field: _("The file is larger than 10 MB. Scan it at a lower resolution.")})
    if upload.size == 0:
        raise ValidationError({field: _("The file is empty.")})
    extension = evidence_type(upload)
    if extension is None:
        raise ValidationError({field: _("Only PDF, images (JPEG, PNG, GIF, WebP) and Word documents can be kept "
                                        "as evidence.")})
    return extension


def evidence_content_type(name):
    return EVIDENCE_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


# --- the branch's self-assessment -------------------------------------------------------------------------------

def may_self_assess(scope, assessment):
    """The branch itself (a role at the branch or inside it) fills in its self-assessment."""
    return (scope is not None and scope.has(Perm.PARTY_MANAGE)
            and scope.path.startswith(assessment.branch_path))


@transaction.atomic
def save_self_assessment(*, actor, scope, assessment, entries, submit=False):
    """Save the branch's self scores and evidence; with ``submit`` hand them in (pending → submitted).

    ``entries``: {item score id: {"self_score": Decimal or None, "evidence": str, "file": upload or None,
    "clear_file": bool}}. A system item's score may be changed only with evidence (text or a file).
    """
    require(scope, Perm.PARTY_MANAGE)
    assessment = _locked(assessment)
    if not may_self_assess(scope, assessment):
        raise PermissionDenied
    round_ = assessment.round
    if round_.status != RoundStatus.SELF_ASSESSMENT:
        raise ValidationError(_("The self-assessment is closed: the round is “%(state)s”.") % {
            "state": RoundStatus(round_.status).label})
    if assessment.status != AssessmentStatus.PENDING:
        raise ValidationError(_("The self-assessment was submitted already and can no longer change."))
    before = audit.snapshot(assessment, ASSESSMENT_FIELDS)
    scores = _scores(assessment)
    changes, old_files, new_files = {}, [], []
    try:
        for score in scores:
            entry = entries.get(score.pk)
            if entry is not None:
                _apply_entry(score, entry, changes, old_files, new_files)
        if submit:
            check_move(assessment, AssessmentStatus.SUBMITTED, round_.status)
            missing = [s.item.title for s in scores if s.self_score is None and s.system_score is None]
            if missing:
                raise ValidationError(_("Score every item before submitting. Not scored yet: %(items)s") % {
                    "items": "; ".join(missing)})
    except Exception:
        for name in new_files:  # nothing is saved, so no new file is kept
            _storage().delete(name)
        raise
    if submit:
        for score in scores:
            if score.self_score is None:
                score.self_score = score.system_score
        assessment.status = AssessmentStatus.SUBMITTED
        assessment.submitted_at, assessment.submitted_by = timezone.now(), actor
    ItemScore.objects.bulk_update(scores, ["self_score", "evidence", "evidence_file"])
    assessment.self_total = totals(scores)[0]
    assessment.save(update_fields=["status", "self_total", "submitted_at", "submitted_by"])
    changes.update(audit.diff(before, audit.snapshot(assessment, ASSESSMENT_FIELDS)))
    audit.record(AuditAction.UPDATE, actor=actor, obj=assessment, scope_path=assessment.branch_path,
                 object_repr=f"{round_.title} · {assessment.branch.node.name}"[:200], changes=changes,
                 detail={"round": round_.pk, "submitted": submit})
    if old_files:
        transaction.on_commit(lambda: [_storage().delete(name) for name in old_files])
    if submit:
        notify_submitted(assessment, round_, assessment.branch.node.name)
    return assessment


def _apply_entry(score, entry, changes, old_files, new_files):
    item = score.item
    field = f"self_{score.pk}"
    value = _in_range(entry.get("self_score"), item, field)
    evidence = (entry.get("evidence") or "").strip()
    upload = entry.get("file")
    label = item.title[:40]
    if upload:
        extension = check_evidence(upload, f"file_{score.pk}")
        upload.name = f"evidence.{extension}"  # the stored name never keeps the original one
        if score.evidence_file:
            old_files.append(score.evidence_file.name)
        score.evidence_file.save(upload.name, upload, save=False)
        new_files.append(score.evidence_file.name)
        changes[f"{label}: evidence file"] = ["", score.evidence_file.name]
    elif entry.get("clear_file") and score.evidence_file:
        old_files.append(score.evidence_file.name)
        changes[f"{label}: evidence file"] = [score.evidence_file.name, ""]
        score.evidence_file = ""
    adjusted = (item.source != ItemSource.MANUAL and value is not None and score.system_score is not None
                and value != score.system_score)
    if adjusted and not evidence and not score.evidence_file:
        raise ValidationError({f"evidence_{score.pk}": _("“%(item)s”: you changed the score drawn from the "
                                                         "records; give the evidence.") % {"item": item.title}})
    if value != score.self_score:
        changes[f"{label}: self score"] = [_plain(score.self_score), _plain(value)]
    if evidence != score.evidence:
        changes[f"{label}: evidence"] = [score.evidence, evidence]
    score.self_score, score.evidence = value, evidence


# --- the review -------------------------------------------------------------------------------------------------

@transaction.atomic
def review_assessment(*, actor, scope, assessment, entries, comment=""):
    """The reviewer's final score of each item (a comment where it differs from the self score) and an overall
    comment: → reviewed. ``entries``: {item score id: {"final_score": Decimal, "comment": str}}."""
    require(scope, Perm.PARTY_MANAGE)
    assessment = _locked(assessment)
    round_ = assessment.round
    if not manages_round(scope, round_):
        raise PermissionDenied
    check_move(assessment, AssessmentStatus.REVIEWED, round_.status)
    before = audit.snapshot(assessment, ASSESSMENT_FIELDS)
    scores = _scores(assessment)
    changes = {}
    for score in scores:
        entry = entries.get(score.pk) or {}
        value, note = entry.get("final_score"), (entry.get("comment") or "").strip()
        if value is None:
            raise ValidationError({f"final_{score.pk}": _("“%(item)s”: give the final score.") % {
                "item": score.item.title}})
        value = _in_range(value, score.item, f"final_{score.pk}")
        own = score.self_score if score.self_score is not None else score.system_score
        if own is not None and value != own and not note:
            raise ValidationError({f"comment_{score.pk}": _("“%(item)s”: say why the final score differs from "
                                                            "the self-assessed score.") % {"item": score.item.title}})
        label = score.item.title[:40]
        if value != score.final_score:
            changes[f"{label}: final score"] = [_plain(score.final_score), _plain(value)]
        if note != score.comment:
            changes[f"{label}: comment"] = [score.comment, note[:300]]
        score.final_score, score.comment = value, note[:300]
    ItemScore.objects.bulk_update(scores, ["final_score", "comment"])
    assessment.self_total, assessment.final_total = totals(scores)
    assessment.status = AssessmentStatus.REVIEWED
    assessment.review_comment = (comment or "").strip()
    assessment.reviewed_at, assessment.reviewed_by = timezone.now(), actor
    assessment.save(update_fields=["status", "self_total", "final_total", "review_comment", "reviewed_at",
                                   "reviewed_by"])
    changes.update(audit.diff(before, audit.snapshot(assessment, ASSESSMENT_FIELDS)))
    audit.record(AuditAction.UPDATE, actor=actor, obj=assessment, scope_path=assessment.branch_path,
                 object_repr=f"{round_.title} · {assessment.branch.node.name}"[:200], changes=changes,
                 detail={"round": round_.pk, "reviewed": True})
    return assessment


@transaction.atomic
def return_assessment(*, actor, scope, assessment, comment):
    """Give a submitted self-assessment back to the branch to change (submitted → pending), with the reason."""
    require(scope, Perm.PARTY_MANAGE)
    assessment = _locked(assessment)
    round_ = assessment.round
    if not manages_round(scope, round_):
        raise PermissionDenied
    check_move(assessment, AssessmentStatus.PENDING, round_.status)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the branch should change.")})
    before = audit.snapshot(assessment, ASSESSMENT_FIELDS)
    assessment.status = AssessmentStatus.PENDING
    assessment.review_comment = comment
    assessment.submitted_at = None
    assessment.save(update_fields=["status", "review_comment", "submitted_at"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=assessment, scope_path=assessment.branch_path,
                 object_repr=f"{round_.title} · {assessment.branch.node.name}"[:200],
                 changes=audit.diff(before, audit.snapshot(assessment, ASSESSMENT_FIELDS)),
                 detail={"round": round_.pk, "returned": True})
    recipients = secretaries_of([assessment.branch_id]).get(assessment.branch_id, set())
    notify(recipients=recipients, title=_("Self-assessment returned: %(title)s") % {"title": round_.title},
           body=comment, url=assessment_url(assessment.pk), obj=assessment)
    return assessment
