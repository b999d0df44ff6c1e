"""The assessment pages: rounds, the round's page (progress, ranking for supervisors only), the branch's
self-assessment with an evidence file, the review, publishing, the Excel export, templates; the scope (a secretary
sees only their branch, the sibling county gets 404) and constant query counts."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.partylife.models import (
    AssessmentRound,
    AssessmentStatus,
    AssessmentTemplate,
    BranchAssessment,
    ItemScore,
    RoundStatus,
)
from yinfa.partylife.services import assessment as services
from yinfa.partylife.services import assessment_scores as scores
from yinfa.partylife.tests.assessment_factories import (
    YEAR,
    committee_meetings,
    make_branch,
    make_round,
    make_secretary,
    make_template,
    scope_of,
    term_ahead,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def url(name, *args):
    return reverse(f"partylife:{name}", args=args)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def county(world):
    first = make_branch(world.unit_a, "甲县财政局离退休干部第一党支部", term_ends_on=term_ahead(), full_members=5)
    second = make_branch(world.community_a, "东门社区离退休干部党支部")
    committee_meetings(first, range(1, 13))
    committee_meetings(second, range(1, 4))
    secretary = make_secretary(first, "a_shuji")
    return world, first, second, secretary


@pytest.fixture
def round_(county):
    world = county[0]
    return make_round(world, make_template(world, name="甲县老同志星级", scheme="stars"))


def assessment_of(round_, branch):
    return BranchAssessment.objects.get(round=round_, branch=branch)


def entries(assessment, manual):
    return {s.pk: {"self_score": manual, "evidence": ""} for s in assessment.scores.filter(item__source="manual")}


def publish_all(world, round_, first, second, secretary):
    admin, scope = world.county_a_admin, scope_of(world.county_a_admin)
    scores.save_self_assessment(actor=secretary, scope=scope_of(secretary), assessment=assessment_of(round_, first),
                                entries=entries(assessment_of(round_, first), 13), submit=True)
    services.transition(round_, RoundStatus.REVIEW, actor=admin, scope=scope)
    services.transition(round_, RoundStatus.PUBLISHED, actor=admin, scope=scope, confirm_unreviewed=True)


# --- the list and the round's page ---------------------------------------------------------------------------------

def test_the_list_shows_the_round_and_offers_a_new_one_to_the_county(county, round_):
    response = login(county[0].county_a_admin).get(url("assessment_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert round_.title in body and 'data-testid="round-create"' in body
    assert "0 submitted, 0 reviewed of 2" in body


def test_a_secretary_sees_only_their_branch_in_the_list_and_on_the_round(county, round_):
    world, first, second, secretary = county
    client = login(secretary)
    listing = client.get(url("assessment_list")).content.decode()
    assert 'data-testid="own-status"' in listing and 'data-testid="round-create"' not in listing
    assert url("assessment_branch", assessment_of(round_, first).pk) in listing
    page = client.get(url("assessment_round_detail", round_.pk)).content.decode()
    assert first.node.name in page
    assert second.node.name not in page
    assert 'data-testid="ranking"' not in page and 'data-testid="round-progress"' not in page
    assert client.get(url("assessment_branch", assessment_of(round_, second).pk)).status_code == 404
    assert client.get(url("assessment_round_export", round_.pk)).status_code == 403


def test_the_supervisor_sees_every_branch_sorted_by_score(county, round_):
    world, first, second, secretary = county
    page = login(world.county_a_admin).get(url("assessment_round_detail", round_.pk)).content.decode()
    assert 'data-testid="ranking"' in page
    assert page.index(first.node.name) < page.index(second.node.name)  # 15 before 2.5
    assert 'data-testid="round-refresh"' in page and 'data-testid="move-review"' in page


def test_the_draft_round_page_offers_to_open_it(county):
    world = county[0]
    draft = make_round(world, make_template(world), opened=False)
    page = login(world.county_a_admin).get(url("assessment_round_detail", draft.pk)).content.decode()
    assert 'data-testid="move-self_assessment"' in page and 'data-testid="draft-note"' in page
    assert login(county[3]).get(url("assessment_round_detail", draft.pk)).status_code == 404


@pytest.mark.parametrize("branches", [2, 20])
def test_the_round_page_runs_a_constant_number_of_queries(world, branches, django_assert_max_num_queries):
    for n in range(branches):
        make_branch(world.unit_a, f"甲县财政局第{n}党支部")
    round_ = make_round(world, make_template(world, scheme="stars"))
    client = login(world.county_a_admin)
    with django_assert_max_num_queries(14):
        response = client.get(url("assessment_round_detail", round_.pk))
    assert response.content.decode().count('data-testid="ranking-row"') == branches
    with django_assert_max_num_queries(14):
        assert client.get(url("assessment_list")).status_code == 200


def test_the_sibling_county_gets_404_for_everything_of_the_round(county, round_, media):
    world, first = county[0], county[1]
    client = login(world.county_b_admin)
    assessment = assessment_of(round_, first)
    score = assessment.scores.first()
    for name, pk in (("assessment_round_detail", round_.pk), ("assessment_round_export", round_.pk),
                     ("assessment_branch", assessment.pk), ("assessment_review", assessment.pk),
                     ("assessment_template_detail", round_.template_id), ("assessment_evidence", score.pk)):
        assert client.get(url(name, pk)).status_code == 404, name
    for name, pk in (("assessment_round_transition", round_.pk), ("assessment_return", assessment.pk),
                     ("assessment_template_copy", round_.template_id)):
        assert client.post(url(name, pk), {"to": "review", "comment": "x"}).status_code == 404, name
    listing = client.get(url("assessment_list")).content.decode()
    assert round_.title not in listing


# --- the branch's page ---------------------------------------------------------------------------------------------

def test_a_secretary_saves_and_submits_with_an_evidence_file(county, round_, media):
    world, first, _second, secretary = county
    assessment = assessment_of(round_, first)
    manual = assessment.scores.get(item__source="manual")
    client = login(secretary)
    page = client.get(url("assessment_branch", assessment.pk)).content.decode()
    assert 'data-testid="self-form"' in page and "Held in 12 of 12 months (10 needed)" in page
    data = {f"self_{manual.pk}": "13.5", f"evidence_{manual.pk}": "志愿服务记录", "action": "save",
            f"file_{manual.pk}": SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf")}
    response = client.post(url("assessment_branch", assessment.pk), data)
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.self_score == 13.5 and manual.evidence_file.name.endswith(".pdf")
    download = client.get(url("assessment_evidence", manual.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    data = {f"self_{manual.pk}": "13.5", f"evidence_{manual.pk}": "志愿服务记录", "action": "submit"}
    response = client.post(url("assessment_branch", assessment.pk), data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.self_total == 28.5
    page = client.get(url("assessment_branch", assessment.pk)).content.decode()
    assert 'data-testid="self-form"' not in page and 'data-testid="evidence-link"' in page
    assert client.post(url("assessment_branch", assessment.pk), {"action": "save"}).status_code == 403


def test_a_file_that_is_not_a_document_is_refused(county, round_, media):
    world, first, _second, secretary = county
    assessment = assessment_of(round_, first)
    manual = assessment.scores.get(item__source="manual")
    response = login(secretary).post(url("assessment_branch", assessment.pk), {
        f"self_{manual.pk}": "10", "action": "save",
        f"file_{manual.pk}": SimpleUploadedFile("evil.pdf", b"MZ\x90\x00binary", content_type="application/pdf")})
    assert response.status_code == 200
    assert "Only PDF, images" in response.content.decode()
    manual.refresh_from_db()
    assert not manual.evidence_file and manual.self_score is None
    assert not any(media.rglob("*.pdf"))


def test_the_secretary_sees_the_result_only_once_published(county, round_):
    world, first, second, secretary = county
    client = login(secretary)
    scores.save_self_assessment(actor=secretary, scope=scope_of(secretary), assessment=assessment_of(round_, first),
                                entries=entries(assessment_of(round_, first), 13), submit=True)
    admin, scope = world.county_a_admin, scope_of(world.county_a_admin)
    services.transition(round_, RoundStatus.REVIEW, actor=admin, scope=scope)
    reviewed = assessment_of(round_, first)
    finals = {s.pk: {"final_score": s.self_score, "comment": ""} for s in reviewed.scores.all()}
    scores.review_assessment(actor=admin, scope=scope, assessment=reviewed, comment="材料翔实", entries=finals)
    before = client.get(url("assessment_branch", reviewed.pk)).content.decode()
    assert 'data-testid="result"' not in before and "材料翔实" not in before
    services.transition(round_, RoundStatus.PUBLISHED, actor=admin, scope=scope, confirm_unreviewed=True)
    after = client.get(url("assessment_branch", reviewed.pk)).content.decode()
    assert 'data-testid="result"' in after and "材料翔实" in after
    assert 'data-stars="5"' in after  # 28 of 30 points: 93 %
    assert second.node.name not in after


def test_the_reviewer_reviews_on_the_review_page(county, round_):
    world, first, _second, secretary = county
    admin = world.county_a_admin
    assessment = assessment_of(round_, first)
    client = login(admin)
    assert client.get(url("assessment_review", assessment.pk)).status_code == 302  # not under review yet
    services.transition(round_, RoundStatus.REVIEW, actor=admin, scope=scope_of(admin))
    page = client.get(url("assessment_review", assessment.pk)).content.decode()
    assert 'data-testid="review-form"' in page
    data = {"comment": "较好"}
    for score in assessment.scores.select_related("item"):
        own = score.system_score if score.system_score is not None else 0
        data[f"final_{score.pk}"] = str(own)
        data[f"comment_{score.pk}"] = "未提交材料" if score.item.source == "manual" else ""
    response = client.post(url("assessment_review", assessment.pk), data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.REVIEWED and assessment.final_total == 15
    assert login(secretary).get(url("assessment_review", assessment.pk)).status_code == 403


def test_publishing_from_the_page_needs_the_confirmation_for_unreviewed_branches(county, round_):
    world = county[0]
    admin = world.county_a_admin
    services.transition(round_, RoundStatus.REVIEW, actor=admin, scope=scope_of(admin))
    client = login(admin)
    client.post(url("assessment_round_transition", round_.pk), {"to": "published"})
    assert AssessmentRound.objects.get(pk=round_.pk).status == RoundStatus.REVIEW
    client.post(url("assessment_round_transition", round_.pk), {"to": "published", "confirm_unreviewed": "1"})
    assert AssessmentRound.objects.get(pk=round_.pk).status == RoundStatus.PUBLISHED
    page = client.get(url("assessment_round_detail", round_.pk)).content.decode()
    assert 'data-testid="stars"' in page and 'data-testid="move-' not in page


# --- the export ----------------------------------------------------------------------------------------------------

def test_the_export_lists_every_branch_by_score_and_is_audited(county, round_):
    world, first, second, secretary = county
    publish_all(world, round_, first, second, secretary)
    response = login(world.county_a_admin).get(url("assessment_round_export", round_.pk))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows[0]) == 6 + 3 and rows[0][6:] == ("支部委员会每月召开", "班子在任", "作用发挥")
    assert [row[:2] for row in rows[1:]] == [(1, first.node.name), (2, second.node.name)]
    assert rows[1][4] == 28 and rows[1][5] == "5★"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(round_.pk),
                                     detail__branches=2).exists()


# --- templates -----------------------------------------------------------------------------------------------------

def test_a_template_is_created_from_a_preset_on_the_page(world):
    client = login(world.county_a_admin)
    assert 'data-testid="template-create-form"' in client.get(url("assessment_template_create")).content.decode()
    response = client.post(url("assessment_template_create"), {"start_from": "liuhao", "name": "", "scheme": "custom"})
    template = AssessmentTemplate.objects.get()
    assert response.status_code == 302 and template.scheme == "liuhao" and template.items.count() == 12
    page = client.get(url("assessment_template_detail", template.pk)).content.decode()
    assert "组织设置好" in page and 'data-testid="template-total"' in page


def test_template_items_are_edited_until_a_round_uses_it(county):
    world = county[0]
    template = make_template(world)
    client = login(world.county_a_admin)
    items = list(template.items.all())
    data = {"name": "甲县老同志评价", "scheme": "custom", "description": "", "active": "on",
            "items-TOTAL_FORMS": str(len(items) + 1), "items-INITIAL_FORMS": str(len(items)),
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "60"}
    for n, entry in enumerate(items):
        data.update({f"items-{n}-id": entry.pk, f"items-{n}-title": entry.title, f"items-{n}-points": entry.points,
                     f"items-{n}-source": entry.source, f"items-{n}-threshold": entry.threshold or ""})
    data[f"items-{len(items) - 1}-DELETE"] = "on"
    data.update({f"items-{len(items)}-title": "党费", f"items-{len(items)}-points": "8",
                 f"items-{len(items)}-source": "no_dues_arrears", f"items-{len(items)}-threshold": ""})
    response = client.post(url("assessment_template_edit", template.pk), data)
    assert response.status_code == 302
    assert list(template.items.values_list("title", flat=True)) == ["支部委员会每月召开", "班子在任", "党费"]
    make_round(world, template)
    page = client.get(url("assessment_template_edit", template.pk)).content.decode()
    assert 'data-testid="items-locked"' in page and 'data-testid="items-formset"' not in page
    copied = client.post(url("assessment_template_copy", template.pk))
    copy = AssessmentTemplate.objects.exclude(pk=template.pk).get()
    assert copied["Location"] == url("assessment_template_edit", copy.pk)


def test_a_secretary_cannot_reach_the_template_or_round_forms(county):
    secretary = county[3]
    client = login(secretary)
    assert client.get(url("assessment_template_create")).status_code == 403
    assert client.get(url("assessment_round_create")).status_code == 403


def test_a_round_is_created_on_the_page(county):
    world = county[0]
    template = make_template(world)
    client = login(world.county_a_admin)
    page = client.get(url("assessment_round_create") + f"?template={template.pk}").content.decode()
    assert 'data-testid="round-form"' in page
    response = client.post(url("assessment_round_create"), {
        "template": template.pk, "node": world.county_a.pk, "year": YEAR + 1, "self_due_on": "2099-01-31",
        "title": ""})
    created = AssessmentRound.objects.get()
    assert response["Location"] == url("assessment_round_detail", created.pk)
    assert created.status == RoundStatus.DRAFT and created.node == world.county_a


def test_evidence_of_a_score_without_a_file_is_404(county, round_):
    score = ItemScore.objects.filter(assessment__round=round_).first()
    assert login(county[0].county_a_admin).get(url("assessment_evidence", score.pk)).status_code == 404
