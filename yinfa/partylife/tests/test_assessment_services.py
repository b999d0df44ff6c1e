"""The assessment services: templates and presets, every allowed and refused move of a round and of a branch's
assessment, self-assessment with evidence, review, publishing, refreshing, totals in Decimal, notifications and
the audit trail."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yinfa.core.models import AuditAction, AuditEvent, Notification, OrgKind
from yinfa.core.testing import make_node
from yinfa.partylife.assessment_presets import PRESETS, preset_total
from yinfa.partylife.models import (
    AssessmentItem,
    AssessmentRound,
    AssessmentStatus,
    BranchAssessment,
    ItemScore,
    ItemSource,
    RoundStatus,
    Scheme,
)
from yinfa.partylife.services import assessment as services
from yinfa.partylife.services import assessment_scores as scores
from yinfa.partylife.tests.assessment_factories import (
    YEAR,
    committee_meetings,
    item,
    make_branch,
    make_round,
    make_secretary,
    make_template,
    scope_of,
    term_ahead,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world):
    first = make_branch(world.unit_a, "甲县财政局离退休干部第一党支部", term_ends_on=term_ahead(), full_members=5)
    second = make_branch(world.unit_a, "甲县财政局离退休干部第二党支部")
    closed = make_branch(world.unit_a, "甲县财政局已撤销党支部")
    closed.node.closed_on = datetime.date(YEAR - 1, 1, 1)
    closed.node.save(update_fields=["closed_on"])
    elsewhere = make_branch(world.unit_b, "乙县教育局离退休干部党支部")
    committee_meetings(first, range(1, 11))
    committee_meetings(second, range(1, 6))
    secretary = make_secretary(first, "a_shuji")
    other_secretary = make_secretary(second, "a_shuji2")
    return world, first, second, closed, elsewhere, secretary, other_secretary


@pytest.fixture
def opened(county, django_capture_on_commit_callbacks):
    world = county[0]
    with django_capture_on_commit_callbacks(execute=True):
        round_ = make_round(world, make_template(world))
    return round_


def assessment_of(round_, branch):
    return BranchAssessment.objects.get(round=round_, branch=branch)


def scores_of(assessment):
    return {s.item.title: s for s in ItemScore.objects.filter(assessment=assessment).select_related("item")}


def set_round_status(round_, status):
    AssessmentRound.objects.filter(pk=round_.pk).update(status=status)
    round_.status = status
    return round_


# --- templates -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("preset", [Scheme.LIUHAO, Scheme.WUHUA, Scheme.STARS])
def test_each_preset_creates_a_template_of_100_points_with_items_from_the_records(world, preset):
    template = services.create_template(actor=world.county_a_admin, scope=scope_of(world.county_a_admin), name="",
                                        preset=preset)
    items = list(template.items.all())
    assert template.scheme == preset
    assert template.name == PRESETS[preset]["name"]
    assert sum(i.points for i in items) == Decimal(100) == preset_total(PRESETS[preset])
    assert {i.source for i in items} >= {ItemSource.MANUAL, ItemSource.COMMITTEE_MONTHS, ItemSource.NO_DUES_ARREARS}
    assert template.node == world.county_a
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(template.pk)).exists()


def test_the_liuhao_preset_covers_the_six_goods():
    titles = " ".join(entry["title"] for entry in PRESETS[Scheme.LIUHAO]["items"])
    for good in ("组织设置好", "班子建设好", "党员队伍好", "学习活动好", "作用发挥好", "制度坚持好"):
        assert good in titles


def test_a_branch_secretary_cannot_define_templates(county):
    world, first, *_rest, secretary, _other = county
    with pytest.raises(PermissionDenied):
        services.create_template(actor=secretary, scope=scope_of(secretary), name="支部自定", preset="stars")


def test_items_are_validated(world):
    with pytest.raises(ValidationError):
        make_template(world, items=[item("", 10)])
    with pytest.raises(ValidationError):
        make_template(world, items=[item("支委会", 10, ItemSource.COMMITTEE_MONTHS, 13)])
    with pytest.raises(ValidationError):
        make_template(world, items=[item("负分", -1)])


def test_items_can_change_until_a_round_uses_the_template(county):
    world = county[0]
    scope = scope_of(world.county_a_admin)
    template = make_template(world)
    kept = template.items.get(source=ItemSource.MANUAL)
    services.update_template(actor=world.county_a_admin, scope=scope, template=template, name="改名", scheme="custom",
                             items=[{"id": kept.pk, "title": "作用发挥（修订）", "points": Decimal(20),
                                     "source": ItemSource.MANUAL},
                                    item("党费", 5, ItemSource.NO_DUES_ARREARS)])
    assert list(template.items.values_list("title", "points")) == [("作用发挥（修订）", Decimal("20.00")),
                                                                  ("党费", Decimal("5.00"))]
    assert template.items.get(title="作用发挥（修订）").pk == kept.pk
    make_round(world, template)
    with pytest.raises(ValidationError):
        services.update_template(actor=world.county_a_admin, scope=scope, template=template, name="再改",
                                 scheme="custom", items=[item("新项", 10)])
    services.update_template(actor=world.county_a_admin, scope=scope, template=template, name="只改名字",
                             scheme="custom", active=False)
    template.refresh_from_db()
    assert (template.name, template.active, template.items.count()) == ("只改名字", False, 2)


def test_a_copy_of_a_used_template_can_be_changed(county):
    world = county[0]
    template = make_template(world)
    make_round(world, template)
    copy = services.copy_template(actor=world.county_a_admin, scope=scope_of(world.county_a_admin),
                                  template=template)
    assert copy.name.endswith("(copy)")
    assert AuditEvent.objects.get(action=AuditAction.CREATE, object_type="partylife.assessmenttemplate",
                                  object_id=str(copy.pk)).detail["copied_from"] == template.pk
    assert copy.items.count() == template.items.count()
    services.update_template(actor=world.county_a_admin, scope=scope_of(world.county_a_admin), template=copy,
                             name=copy.name, scheme="custom", items=[item("新项", 10)])
    assert copy.items.count() == 1


def test_another_county_cannot_change_or_copy_a_template(county):
    world = county[0]
    template = make_template(world)
    scope_b = scope_of(world.county_b_admin)
    with pytest.raises(PermissionDenied):
        services.update_template(actor=world.county_b_admin, scope=scope_b, template=template, name="x",
                                 scheme="custom")
    with pytest.raises(PermissionDenied):
        services.copy_template(actor=world.county_b_admin, scope=scope_b, template=template)


# --- rounds --------------------------------------------------------------------------------------------------------

def test_a_round_is_refused_outside_the_scope_for_a_branch_twice_or_with_a_past_due_date(county):
    world, first = county[0], county[1]
    template = make_template(world)
    scope = scope_of(world.county_a_admin)
    due = timezone.localdate() + datetime.timedelta(days=10)
    for node in (world.county_b, first.node):
        with pytest.raises(ValidationError):
            services.create_round(actor=world.county_a_admin, scope=scope, template=template, node=node, year=YEAR,
                                  self_due_on=due)
    with pytest.raises(ValidationError):
        services.create_round(actor=world.county_a_admin, scope=scope, template=template, node=world.county_a,
                              year=YEAR, self_due_on=timezone.localdate() - datetime.timedelta(days=1))
    services.create_round(actor=world.county_a_admin, scope=scope, template=template, node=world.county_a,
                          year=YEAR, self_due_on=due)
    with pytest.raises(ValidationError):
        services.create_round(actor=world.county_a_admin, scope=scope, template=template, node=world.county_a,
                              year=YEAR, self_due_on=due)


def test_opening_creates_an_assessment_per_open_branch_with_the_system_scores(county, opened):
    world, first, second, closed, elsewhere, secretary, other_secretary = county
    assert set(BranchAssessment.objects.filter(round=opened).values_list("branch_id", flat=True)) == {
        first.pk, second.pk}
    first_scores = scores_of(assessment_of(opened, first))
    assert first_scores["支部委员会每月召开"].system_score == Decimal("10.00")
    assert first_scores["支部委员会每月召开"].system_basis == "Held in 10 of 12 months (10 needed)"
    assert first_scores["班子在任"].system_score == Decimal("5.00")
    assert first_scores["作用发挥"].system_score is None
    assert assessment_of(opened, first).self_total == Decimal("15.00")
    assert assessment_of(opened, second).self_total == Decimal("5.00")
    opened_note = Notification.objects.get(recipient=secretary)
    assert opened.title in opened_note.title
    assert opened_note.url.endswith(f"/assessment/branch/{assessment_of(opened, first).pk}/")
    assert Notification.objects.filter(recipient=other_secretary).count() == 1
    event = AuditEvent.objects.filter(object_type="partylife.assessmentround", object_id=str(opened.pk),
                                      action=AuditAction.UPDATE).get()
    assert event.changes["status"] == ["draft", "self_assessment"] and event.detail["branches"] == 2


def test_opening_without_any_open_branch_is_refused(world):
    empty = make_node(world.county_a, OrgKind.PARTY_COMMITTEE, "甲县空工委")
    round_ = make_round(world, make_template(world), node=empty, opened=False)
    with pytest.raises(ValidationError):
        services.transition(round_, RoundStatus.SELF_ASSESSMENT, actor=world.county_a_admin,
                            scope=scope_of(world.county_a_admin))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT


ALLOWED_ROUND_MOVES = [(start, to) for start, moves in services.ROUND_MOVES.items() for to in moves]
REFUSED_ROUND_MOVES = [(start, to) for start, to in itertools.product(RoundStatus.values, repeat=2)
                       if to not in services.ROUND_MOVES[start]]


def test_the_round_moves_are_the_four_states_in_order():
    assert ALLOWED_ROUND_MOVES == [("draft", "self_assessment"), ("self_assessment", "review"),
                                   ("review", "published")]
    assert len(REFUSED_ROUND_MOVES) == 13


@pytest.mark.parametrize(("start", "to"), ALLOWED_ROUND_MOVES)
def test_every_allowed_round_move_happens(county, start, to):
    world = county[0]
    round_ = make_round(world, make_template(world), opened=start != RoundStatus.DRAFT)
    set_round_status(round_, start)
    moved = services.transition(round_, to, actor=world.county_a_admin, scope=scope_of(world.county_a_admin),
                                confirm_unreviewed=True)
    assert moved.status == to
    assert AssessmentRound.objects.get(pk=round_.pk).status == to


@pytest.mark.parametrize(("start", "to"), REFUSED_ROUND_MOVES)
def test_every_other_round_move_is_refused(county, start, to):
    world = county[0]
    round_ = make_round(world, make_template(world), opened=False)
    set_round_status(round_, start)
    with pytest.raises(ValidationError):
        services.transition(round_, to, actor=world.county_a_admin, scope=scope_of(world.county_a_admin),
                            confirm_unreviewed=True)
    assert AssessmentRound.objects.get(pk=round_.pk).status == start


def test_only_a_manager_at_or_above_the_round_moves_it(county, opened):
    world, secretary = county[0], county[5]
    for user in (secretary, world.county_b_admin, world.unit_a_admin):
        with pytest.raises(PermissionDenied):
            services.transition(opened, RoundStatus.REVIEW, actor=user, scope=scope_of(user))


# --- the branch's assessment ---------------------------------------------------------------------------------------

ALLOWED_BRANCH_MOVES = list(scores.ASSESSMENT_MOVES.items())
REFUSED_BRANCH_MOVES = [
    (start, to, round_status)
    for start, to in itertools.product(AssessmentStatus.values, repeat=2)
    for round_status in RoundStatus.values
    if scores.ASSESSMENT_MOVES.get((start, to)) != round_status
]


@pytest.mark.parametrize(("move", "round_status"), ALLOWED_BRANCH_MOVES)
def test_every_allowed_branch_move_passes_the_guard(move, round_status):
    scores.check_move(BranchAssessment(status=move[0]), move[1], round_status)


@pytest.mark.parametrize(("start", "to", "round_status"), REFUSED_BRANCH_MOVES)
def test_every_other_branch_move_is_refused(start, to, round_status):
    with pytest.raises(ValidationError):
        scores.check_move(BranchAssessment(status=start), to, round_status)


def self_entries(assessment, **values):
    """{score id: entry} from {item title: (self score, evidence)}."""
    by_title = scores_of(assessment)
    return {by_title[title].pk: {"self_score": None if score is None else Decimal(score), "evidence": evidence}
            for title, (score, evidence) in values.items()}


def test_a_secretary_scores_saves_and_submits_with_totals_in_decimal(county, opened,
                                                                    django_capture_on_commit_callbacks):
    world, first, *_rest, secretary, _other = county
    assessment = assessment_of(opened, first)
    scope = scope_of(secretary)
    scores.save_self_assessment(actor=secretary, scope=scope, assessment=assessment,
                                entries=self_entries(assessment, 作用发挥=("12.5", "志愿服务记录")))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.PENDING
    assert assessment.self_total == Decimal("27.50")
    with django_capture_on_commit_callbacks(execute=True):
        scores.save_self_assessment(actor=secretary, scope=scope, assessment=assessment, entries={}, submit=True)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.submitted_by == secretary
    frozen = scores_of(assessment)
    assert frozen["支部委员会每月召开"].self_score == Decimal("10.00")
    assert isinstance(assessment.self_total, Decimal) and assessment.self_total == Decimal("27.50")
    assert Notification.objects.filter(recipient=world.county_a_admin, title__contains=first.node.name).exists()
    with pytest.raises(ValidationError):
        scores.save_self_assessment(actor=secretary, scope=scope, assessment=assessment,
                                    entries=self_entries(assessment, 作用发挥=("13", "")))


def test_self_scores_stay_within_the_points_and_changed_record_scores_need_evidence(county, opened):
    world, first, *_rest, secretary, _other = county
    assessment = assessment_of(opened, first)
    scope = scope_of(secretary)
    with pytest.raises(ValidationError):
        scores.save_self_assessment(actor=secretary, scope=scope, assessment=assessment,
                                    entries=self_entries(assessment, 作用发挥=("15.5", "")))
    with pytest.raises(ValidationError) as refused:
        scores.save_self_assessment(actor=secretary, scope=scope, assessment=assessment,
                                    entries=self_entries(assessment, 班子在任=("4", "")))
    assert "evidence" in " ".join(refused.value.messages)
    scores.save_self_assessment(actor=secretary, scope=scope, assessment=assessment,
                                entries=self_entries(assessment, 班子在任=("4", "一名委员病故，待补选")))
    assert scores_of(assessment)["班子在任"].self_score == Decimal("4.00")


def test_submitting_needs_every_manual_item_scored(county, opened):
    world, first, *_rest, secretary, _other = county
    assessment = assessment_of(opened, first)
    with pytest.raises(ValidationError) as refused:
        scores.save_self_assessment(actor=secretary, scope=scope_of(secretary), assessment=assessment, entries={},
                                    submit=True)
    assert "作用发挥" in " ".join(refused.value.messages)
    assert BranchAssessment.objects.get(pk=assessment.pk).status == AssessmentStatus.PENDING


def test_only_the_branch_itself_fills_in_its_self_assessment(county, opened):
    world, first, *_rest, secretary, other_secretary = county
    assessment = assessment_of(opened, first)
    for user in (other_secretary, world.county_a_admin, world.county_b_admin):
        with pytest.raises(PermissionDenied):
            scores.save_self_assessment(actor=user, scope=scope_of(user), assessment=assessment,
                                        entries=self_entries(assessment, 作用发挥=("10", "")))


def test_no_self_assessment_outside_the_self_assessment_state(county, opened):
    world, first, *_rest, secretary, _other = county
    set_round_status(opened, RoundStatus.REVIEW)
    assessment = assessment_of(opened, first)
    with pytest.raises(ValidationError):
        scores.save_self_assessment(actor=secretary, scope=scope_of(secretary), assessment=assessment,
                                    entries=self_entries(assessment, 作用发挥=("10", "")))


def submit(secretary, assessment, manual="10"):
    scores.save_self_assessment(actor=secretary, scope=scope_of(secretary), assessment=assessment,
                                entries=self_entries(assessment, 作用发挥=(manual, "")), submit=True)


def review_entries(assessment, **finals):
    """{score id: entry} from {item title: (final, comment)}; unnamed items keep the self (or system) score."""
    entries = {}
    for title, score in scores_of(assessment).items():
        own = score.self_score if score.self_score is not None else score.system_score
        final, comment = finals.get(title, (own if own is not None else Decimal(0), ""))
        entries[score.pk] = {"final_score": Decimal(final), "comment": comment}
    return entries


def test_a_returned_self_assessment_can_be_changed_and_submitted_again(county, opened):
    world, first, *_rest, secretary, _other = county
    assessment = assessment_of(opened, first)
    submit(secretary, assessment)
    admin = world.county_a_admin
    with pytest.raises(ValidationError):
        scores.return_assessment(actor=admin, scope=scope_of(admin), assessment=assessment, comment="")
    scores.return_assessment(actor=admin, scope=scope_of(admin), assessment=assessment, comment="请补充作用发挥材料")
    assessment.refresh_from_db()
    assert (assessment.status, assessment.review_comment) == (AssessmentStatus.PENDING, "请补充作用发挥材料")
    submit(secretary, assessment, manual="14")
    assert BranchAssessment.objects.get(pk=assessment.pk).self_total == Decimal("29.00")


def test_the_review_needs_a_comment_where_the_final_score_differs(county, opened):
    world, first, *_rest, secretary, _other = county
    assessment = assessment_of(opened, first)
    submit(secretary, assessment, manual="12")
    admin = world.county_a_admin
    with pytest.raises(ValidationError):  # the round is not under review yet
        scores.review_assessment(actor=admin, scope=scope_of(admin), assessment=assessment,
                                 entries=review_entries(assessment))
    services.transition(opened, RoundStatus.REVIEW, actor=admin, scope=scope_of(admin))
    with pytest.raises(ValidationError) as refused:
        scores.review_assessment(actor=admin, scope=scope_of(admin), assessment=assessment,
                                 entries=review_entries(assessment, 作用发挥=("9", "")))
    assert "differs" in " ".join(refused.value.messages)
    scores.review_assessment(actor=admin, scope=scope_of(admin), assessment=assessment, comment="总体较好",
                             entries=review_entries(assessment, 作用发挥=("9.5", "事迹材料不足")))
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REVIEWED
    assert assessment.final_total == Decimal("24.50") and assessment.self_total == Decimal("27.00")
    assert scores_of(assessment)["作用发挥"].comment == "事迹材料不足"
    with pytest.raises(PermissionDenied):
        scores.review_assessment(actor=secretary, scope=scope_of(secretary), assessment=assessment,
                                 entries=review_entries(assessment))
    event = AuditEvent.objects.filter(object_type="partylife.branchassessment", object_id=str(assessment.pk),
                                      detail__reviewed=True).get()
    assert event.changes["作用发挥: final score"] == [None, "9.50"]


def test_a_pending_assessment_can_be_reviewed_during_the_review(county, opened):
    world, second = county[0], county[2]
    admin = world.county_a_admin
    services.transition(opened, RoundStatus.REVIEW, actor=admin, scope=scope_of(admin))
    assessment = assessment_of(opened, second)
    scores.review_assessment(actor=admin, scope=scope_of(admin), assessment=assessment,
                             entries=review_entries(assessment, 作用发挥=("6", "")))
    assert BranchAssessment.objects.get(pk=assessment.pk).final_total == Decimal("11.00")


# --- publishing and refreshing -------------------------------------------------------------------------------------

def test_publishing_needs_every_branch_reviewed_or_a_confirmation(county, opened, django_capture_on_commit_callbacks):
    world, first, second, *_rest, secretary, other_secretary = county
    admin, scope = world.county_a_admin, scope_of(world.county_a_admin)
    submit(secretary, assessment_of(opened, first), manual="12")
    services.transition(opened, RoundStatus.REVIEW, actor=admin, scope=scope)
    reviewed = assessment_of(opened, first)
    scores.review_assessment(actor=admin, scope=scope, assessment=reviewed, entries=review_entries(reviewed))
    with pytest.raises(ValidationError) as refused:
        services.transition(opened, RoundStatus.PUBLISHED, actor=admin, scope=scope)
    assert "1 branch is not reviewed" in " ".join(refused.value.messages)
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(opened, RoundStatus.PUBLISHED, actor=admin, scope=scope, confirm_unreviewed=True)
    opened.refresh_from_db()
    assert opened.status == RoundStatus.PUBLISHED and opened.published_at is not None
    unreviewed = assessment_of(opened, second)
    assert unreviewed.final_total == Decimal("5.00")  # its record score; the manual item was never scored
    assert assessment_of(opened, first).final_total == Decimal("27.00")
    assert Notification.objects.filter(recipient=other_secretary, title__contains="published").exists()
    with pytest.raises(ValidationError):
        services.transition(opened, RoundStatus.REVIEW, actor=admin, scope=scope)


def test_refreshing_takes_new_meetings_into_pending_scores_only(county, opened):
    world, first, second, *_rest, secretary, _other = county
    submit(secretary, assessment_of(opened, first))
    committee_meetings(second, range(6, 11))
    committee_meetings(first, (11, 12))
    count = services.refresh_scores(actor=world.county_a_admin, scope=scope_of(world.county_a_admin),
                                    round_=opened)
    assert count == 2
    pending = assessment_of(opened, second)
    assert scores_of(pending)["支部委员会每月召开"].system_score == Decimal("10.00")
    assert pending.self_total == Decimal("10.00")
    submitted = assessment_of(opened, first)
    assert scores_of(submitted)["支部委员会每月召开"].self_score == Decimal("10.00")
    assert submitted.self_total == Decimal("25.00")


def test_a_branch_refreshes_only_its_own_scores(county, opened):
    world, first, second, *_rest, secretary, _other = county
    committee_meetings(second, range(6, 11))
    with pytest.raises(PermissionDenied):
        services.refresh_scores(actor=secretary, scope=scope_of(secretary), round_=opened,
                                assessment=assessment_of(opened, second))
    with pytest.raises(PermissionDenied):
        services.refresh_scores(actor=secretary, scope=scope_of(secretary), round_=opened)
    assert services.refresh_scores(actor=secretary, scope=scope_of(secretary), round_=opened,
                                   assessment=assessment_of(opened, first)) == 1


def test_totals_add_up_in_decimal():
    rows = [ItemScore(system_score=Decimal("0.10"), self_score=None, final_score=Decimal("0.10")),
            ItemScore(system_score=Decimal("0.20"), self_score=Decimal("0.20"), final_score=Decimal("0.20")),
            ItemScore(system_score=None, self_score=None, final_score=None)]
    self_total, final_total = services.totals(rows)
    assert self_total == Decimal("0.30") and isinstance(self_total, Decimal)
    assert final_total is None
    rows[2].final_score = Decimal("0.05")
    assert services.totals(rows)[1] == Decimal("0.35")


def test_items_of_a_used_template_are_protected_in_the_database(county, opened):
    with pytest.raises(Exception):  # noqa: B017 - ProtectedError through the item scores
        AssessmentItem.objects.filter(template=opened.template).delete()


def test_evidence_files_are_recognised_by_their_content():
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    other_zip = io.BytesIO()
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    cases = {"a.pdf": (b"%PDF-1.7 ...", "pdf"), "a.png": (b"\x89PNG\r\n\x1a\n....", "png"),
             "a.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "doc"), "a.docx": (docx.getvalue(), "docx"),
             "a.xlsx": (other_zip.getvalue(), None), "a.pdf.exe": (b"MZ\x90\x00", None)}
    for name, (content, expected) in cases.items():
        assert scores.evidence_type(SimpleUploadedFile(name, content)) == expected, name
    with pytest.raises(ValidationError):
        scores.check_evidence(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)), "file_1")
    assert scores.evidence_content_type("assessment/1/x.docx").endswith("wordprocessingml.document")
