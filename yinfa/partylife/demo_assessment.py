"""The demo's assessment: the 六好 template (the preset of ``assessment_presets``) defined by the county's work
committee, and its 2026 round under review: most branches submitted their self-assessment, some are reviewed
already, a few never submitted. System scores come from the records (``assessment_metrics.measure``), so they
agree with the meetings, compliance and dues of the demo."""

import datetime
from decimal import ROUND_FLOOR, Decimal

from django.utils import timezone

from yinfa.partylife import assessment_metrics
from yinfa.partylife.assessment_presets import LIUHAO
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
)

YEAR = 2026
SELF_DUE = datetime.date(2026, 11, 15)
EVIDENCE = (
    "支部委员分工明确，按月召开支委会，有会议记录和分工文件。",
    "组织党员参加社区志愿服务、政策宣讲和关心下一代活动，累计{n}人次，有活动照片和简报。",
    "按季度讲党课，主题党日内容充实，学习笔记和签到表齐全。",
    "年度组织生活会、民主评议党员按期开展，对照检查材料和评议结果已存档。",
    "党小组按居住地划分，配备在职联络员，名单已报工委备案。",
)
REVIEW_COMMENTS = ("支部工作扎实，组织生活规范，送学上门做得细致。", "总体较好，学习活动记录需进一步规范。",
                   "党员作用发挥突出，建议总结经验做法。", "组织生活落实有差距，请对照问题清单整改。")
ADJUST_COMMENT = "佐证材料不够充分，酌情扣分。"


def _half(value):
    return (Decimal(value) * 2).to_integral_value(rounding=ROUND_FLOOR) / 2


def _moment(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed_assessment(rng, plan, committee_node, users):
    """Create the template, the round and every branch's assessment and item scores; returns figures."""
    reviewer = users.get("gongwei_admin")
    secretary_user = users.get("zhibu_shuji")
    template = AssessmentTemplate.objects.create(
        name=LIUHAO["name"], scheme=LIUHAO["scheme"], description=LIUHAO["description"], node=committee_node,
        node_path=committee_node.path, created_by=reviewer)
    items = AssessmentItem.objects.bulk_create([
        AssessmentItem(template=template, sort_order=n, title=entry["title"], description=entry["description"],
                       points=entry["points"], source=entry["source"], threshold=entry["threshold"])
        for n, entry in enumerate(LIUHAO["items"], start=1)])
    round_ = AssessmentRound.objects.create(
        template=template, node=committee_node, scope_path=committee_node.path, year=YEAR,
        title=f"{YEAR}年度{LIUHAO['name']}", status=RoundStatus.REVIEW, self_due_on=SELF_DUE, created_by=reviewer)
    branches = list(Branch.objects.filter(path__startswith=committee_node.path).open_on(plan.today)
                    .select_related("node").order_by("node__code"))
    measured = assessment_metrics.measure(items, branches, YEAR, within_path=committee_node.path, today=plan.today)
    assessments, scores = [], []
    secretary_pk = plan.secretary_branch.branch.pk
    for branch in branches:
        roll = rng.random()
        if branch.pk == secretary_pk:
            status = AssessmentStatus.SUBMITTED
        else:
            status = (AssessmentStatus.PENDING if roll < 0.12 else AssessmentStatus.SUBMITTED if roll < 0.55
                      else AssessmentStatus.REVIEWED)
        assessment = BranchAssessment(round=round_, branch=branch, branch_path=branch.path, status=status)
        rows = [_score(rng, assessment, item, measured.get((branch.pk, item.pk)), status) for item in items]
        _totals(rng, assessment, rows, status, branch.pk == secretary_pk, reviewer, secretary_user)
        assessments.append(assessment)
        scores.append(rows)
    BranchAssessment.objects.bulk_create(assessments)
    rows = []
    for assessment, own in zip(assessments, scores, strict=True):
        for score in own:
            score.assessment = assessment
            rows.append(score)
    ItemScore.objects.bulk_create(rows, batch_size=1000)
    by_status = {status: sum(1 for a in assessments if a.status == status) for status in AssessmentStatus.values}
    return {"assessment_round": round_.title, "assessments": len(assessments), "assessments_by_status": by_status}


def _score(rng, assessment, item, measured, status):
    score = ItemScore(item=item, system_score=measured.score if measured else None,
                      system_basis=measured.basis[:200] if measured else "")
    if status == AssessmentStatus.PENDING:
        return score
    if item.source == ItemSource.MANUAL:
        score.self_score = _half(item.points * Decimal(rng.uniform(0.82, 1.0)))
        score.evidence = rng.choice(EVIDENCE).format(n=rng.randint(20, 160))
    elif score.system_score is not None:
        score.self_score = score.system_score
    else:
        score.self_score = _half(item.points * Decimal("0.8"))
        score.evidence = "系统暂无统计数据，按支部工作台账自评。"
    if status == AssessmentStatus.REVIEWED:
        score.final_score = score.self_score
        if item.source == ItemSource.MANUAL and rng.random() < 0.25 and score.self_score >= 1:
            score.final_score = score.self_score - Decimal(rng.choice(("0.5", "1.0")))
            score.comment = ADJUST_COMMENT
    return score


def _totals(rng, assessment, rows, status, is_secretary_branch, reviewer, secretary_user):
    own = [s.self_score if s.self_score is not None else s.system_score for s in rows]
    assessment.self_total = sum((v for v in own if v is not None), Decimal(0)).quantize(Decimal("0.01"))
    if status == AssessmentStatus.PENDING:
        return
    submitted = datetime.date(2026, 11, rng.randint(3, 15))
    assessment.submitted_at = _moment(submitted, rng.randint(9, 16))
    assessment.submitted_by = secretary_user if is_secretary_branch else None
    if status == AssessmentStatus.REVIEWED:
        assessment.final_total = sum((s.final_score for s in rows), Decimal(0)).quantize(Decimal("0.01"))
        assessment.review_comment = rng.choice(REVIEW_COMMENTS)
        assessment.reviewed_at = _moment(submitted + datetime.timedelta(days=rng.randint(2, 6)), 15)
        assessment.reviewed_by = reviewer
