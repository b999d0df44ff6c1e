"""Party life in a real browser: a branch secretary records a 党员大会 with its attendance (leave, 送学上门) and the
branch's compliance changes; a member signs in to a meeting with the QR link on a phone."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yinfa.browser_tests.conftest import PHONE
from yinfa.browser_tests.test_shell import log_in
from yinfa.core.testing import PASSWORD

pytestmark = pytest.mark.browser

BRANCH_NAME = "甲县财政局离退休干部党支部"
GENERAL_RULE = "党员大会每季度至少召开一次"


def previous_quarter_day(today):
    """A day in the quarter before today's (the 10th of its last month): that quarter is over, so due."""
    quarter = (today.month - 1) // 3
    if quarter == 0:
        return datetime.date(today.year - 1, 12, 10), 4
    return datetime.date(today.year, quarter * 3, 10), quarter


def seed_branch(world, *, held_on):
    """A county-A branch open since 2015 with six members (one probationary, one frail) and its secretary."""
    from yinfa.core.models import OrgNode
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user
    from yinfa.partylife.models import Standing
    from yinfa.partylife.tests.factories import make_branch, make_member
    from yinfa.people.models.person import SelfCare

    branch = make_branch(world.unit_a, name=BRANCH_NAME, opened_on=datetime.date(2015, 1, 1))
    OrgNode.objects.filter(pk=branch.pk).update(opened_on=datetime.date(2015, 1, 1))
    members = {
        "王国华": make_member(branch, name="王国华"),
        "李秀英": make_member(branch, name="李秀英", standing=Standing.PROBATIONARY,
                           started_on=held_on - datetime.timedelta(days=100)),
        "张建国": make_member(branch, name="张建国", self_care=SelfCare.DEPENDENT, born=datetime.date(1936, 2, 3)),
        "刘玉兰": make_member(branch, name="刘玉兰"),
        "陈志强": make_member(branch, name="陈志强"),
        "杨桂芝": make_member(branch, name="杨桂芝"),
    }
    secretary = make_user("zhibu_caizheng", role=Role.BRANCH_SECRETARY, node=branch.node, full_name="甲县支部书记")
    return branch, members, secretary


def row_of(page, name):
    return page.get_by_test_id("attendance-row").filter(has_text=name)


def test_a_secretary_records_a_meeting_with_attendance_and_the_compliance_changes(page, site, screenshot):
    from django.utils import timezone

    from yinfa.partylife.services import compliance

    today = timezone.localdate()
    held_on, quarter = previous_quarter_day(today)
    branch, _members, secretary = seed_branch(site.world, held_on=held_on)
    compliance.refresh(year=held_on.year)

    # the compliance page: last quarter's 党员大会 is missing
    log_in(page, site, secretary.username)
    expect(page.get_by_test_id("scope-name")).to_contain_text(BRANCH_NAME)
    compliance_url = site + reverse("partylife:compliance_branch", args=[branch.pk]) + f"?year={held_on.year}"
    page.goto(compliance_url)
    period = f"{held_on.year}年第{quarter}季度"
    rule_row = page.get_by_test_id("rule-row").filter(has_text=GENERAL_RULE)
    quarter_cell = rule_row.get_by_test_id("period-cell").nth(quarter - 1)
    expect(quarter_cell).to_have_attribute("data-state", "missing")
    expect(page.get_by_test_id("missing-period").filter(has_text=period).filter(has_text=GENERAL_RULE)).to_have_count(1)
    held_before, expected_before = (int(n) for n in page.get_by_test_id("branch-held").inner_text().split("/"))
    missing_before = int(page.get_by_test_id("branch-missing").inner_text())
    assert missing_before == expected_before - held_before > 0
    screenshot(page, "compliance-before")

    # record the meeting
    page.get_by_test_id("record-meeting").click()
    form = page.get_by_test_id("meeting-form")
    expect(page.get_by_test_id("form-branch")).to_contain_text(BRANCH_NAME)
    form.locator("select[name=kind]").select_option("general")
    form.locator("input[name=held_on]").fill(held_on.isoformat())
    form.locator("input[name=starts_at]").fill("09:30")
    form.locator("input[name=place]").fill("甲县老干部活动中心二楼会议室")
    form.locator("input[name=topic]").fill("学习贯彻党的二十届四中全会精神")
    form.locator("input[name=host]").fill("王国华")
    form.locator("textarea[name=agenda]").fill("一、传达学习全会精神\n二、交流学习体会")
    form.locator("textarea[name=minutes]").fill("会议由王国华同志主持，全体到会党员逐一发言。")
    screenshot(page, "meeting-form")
    page.get_by_test_id("meeting-save").click()

    # the attendance screen: the roster of the day, one on leave, one reached by 送学上门, the others present
    rows = page.get_by_test_id("attendance-row")
    expect(rows).to_have_count(6)
    expect(row_of(page, "李秀英").get_by_test_id("non-voting")).to_be_visible()
    page.get_by_test_id("all-present").click()
    leave = row_of(page, "刘玉兰")
    leave.locator("label[for$='-leave']").click()
    expect(leave).to_have_attribute("data-status", "leave")
    leave.locator("input[name^='reason-']").fill("住院治疗")
    delivered = row_of(page, "张建国")
    delivered.locator("label[for$='-delivered']").click()
    expect(delivered).to_have_attribute("data-status", "delivered")
    delivered.locator("input[name^='by-']").fill("陈志强")
    delivered.locator("input[name^='on-']").fill((held_on + datetime.timedelta(days=2)).isoformat())
    expect(row_of(page, "王国华")).to_have_attribute("data-status", "present")
    screenshot(page, "attendance")
    page.get_by_test_id("attendance-save").click()

    # the detail page: the participation figures and the quorum (3 of the 5 voting members present in person)
    expect(page.get_by_test_id("meeting-title")).to_contain_text("学习贯彻党的二十届四中全会精神")
    expect(page.get_by_test_id("count-present")).to_have_text("4")
    expect(page.get_by_test_id("count-delivered")).to_have_text("1")
    expect(page.get_by_test_id("count-leave")).to_have_text("1")
    expect(page.get_by_test_id("count-absent")).to_have_text("0")
    expect(page.get_by_test_id("quorum-met")).to_be_visible()
    expect(page.get_by_test_id("quorum-alert")).to_have_count(0)
    expect(page.get_by_test_id("attendance-leave")).to_contain_text("住院治疗")
    expect(page.get_by_test_id("attendance-delivered")).to_contain_text("张建国")
    expect(page.get_by_test_id("attendance-delivered")).to_contain_text("陈志强")
    expect(page.get_by_test_id("attendance-missing")).to_have_count(0)
    screenshot(page, "meeting-detail")

    # the compliance page: the quarter is held (on time), one more held, one fewer missing
    page.goto(compliance_url)
    expect(quarter_cell).to_have_attribute("data-state", "on_time")
    expect(page.get_by_test_id("missing-period").filter(has_text=period).filter(has_text=GENERAL_RULE)).to_have_count(0)
    expect(page.get_by_test_id("branch-held")).to_have_text(f"{held_before + 1} / {expected_before}")
    expect(page.get_by_test_id("branch-missing")).to_have_text(str(missing_before - 1))
    screenshot(page, "compliance-after")


def test_a_member_signs_in_with_the_meetings_qr_link(page, phone_page, site, screenshot):
    from django.utils import timezone

    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user
    from yinfa.partylife.models import MeetingKind
    from yinfa.partylife.services import meetings
    from yinfa.partylife.tests.factories import scope_of

    today = timezone.localdate()
    branch, members, secretary = seed_branch(site.world, held_on=today)
    member = members["陈志强"]
    member.account = make_user("chen_zhiqiang", role=Role.RETIREE, node=site.world.unit_a, full_name="陈志强")
    member.save(update_fields=["account"])
    meeting = meetings.create_meeting(actor=secretary, scope=scope_of(secretary), branch=branch, values={
        "kind": MeetingKind.THEME_DAY, "held_on": today, "topic": "主题党日：重温入党誓词",
        "place": "甲县老干部活动中心", "minutes": "重温入党誓词。"})

    # the secretary shows the code on the meeting page
    log_in(page, site, secretary.username)
    page.goto(site + reverse("partylife:meeting_detail", args=[meeting.pk]))
    expect(page.get_by_test_id("signin-qr").locator("svg")).to_be_visible()
    screenshot(page, "meeting-qr")

    # the member scans it (the code's URL), logs in on the phone and signs in
    signin_url = site + reverse("partylife:meeting_signin", args=[meetings.signin_token(meeting)])
    phone = phone_page
    phone.goto(signin_url)
    form = phone.get_by_test_id("login-form")
    form.locator("input[name=username]").fill("chen_zhiqiang")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(phone.get_by_test_id("signin-page")).to_contain_text("主题党日：重温入党誓词")
    phone.get_by_test_id("signin-button").click()
    expect(phone.get_by_test_id("signin-done")).to_contain_text("陈志强")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "phone")

    # the secretary's attendance screen shows them present, signed in by QR code
    page.goto(site + reverse("partylife:meeting_attendance", args=[meeting.pk]))
    row = row_of(page, "陈志强")
    expect(row).to_have_attribute("data-status", "present")
    expect(row.get_by_test_id("signed-in")).to_be_visible()
    expect(page.get_by_test_id("signed-in-list")).to_contain_text("陈志强")
    expect(row_of(page, "王国华")).not_to_have_attribute("data-status", "present")
    screenshot(page, "attendance")


def seed_round(world):
    """The work committee's round of last year, open, with one of its two branches' self-assessment submitted;
    then closed for review."""
    from django.utils import timezone

    from yinfa.core.models import OrgKind, OrgNode
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user
    from yinfa.partylife.models import AssessmentStatus, BranchAssessment, ItemScore, ItemSource, RoundStatus
    from yinfa.partylife.services import assessment, assessment_scores
    from yinfa.partylife.tests.assessment_factories import YEAR, item, make_secretary, scope_of

    committee = OrgNode.objects.get(kind=OrgKind.PARTY_COMMITTEE, name="甲县离退休干部工委")
    OrgNode.objects.filter(path__startswith=committee.path, kind=OrgKind.BRANCH).update(
        opened_on=datetime.date(2015, 1, 1))
    branch_node = OrgNode.objects.get(parent=committee, name="财政局离退休干部党支部")
    admin = make_user("gongwei_jia", role=Role.COMMITTEE_ADMIN, node=committee, full_name="甲县工委干部")
    secretary = make_secretary(branch_node.branch, "caizheng_sj")
    scope = scope_of(admin)
    template = assessment.create_template(actor=admin, scope=scope, name="甲县老同志支部评价", items=[
        item("支部委员会每月召开", 10, ItemSource.COMMITTEE_MONTHS, 10), item("作用发挥", 15)])
    round_ = assessment.create_round(actor=admin, scope=scope, template=template, node=committee, year=YEAR,
                                     self_due_on=timezone.localdate() + datetime.timedelta(days=20))
    round_ = assessment.transition(round_, RoundStatus.SELF_ASSESSMENT, actor=admin, scope=scope)
    own = BranchAssessment.objects.get(round=round_, branch_id=branch_node.pk)
    manual = ItemScore.objects.get(assessment=own, item__source=ItemSource.MANUAL)
    assessment_scores.save_self_assessment(actor=secretary, scope=scope_of(secretary), assessment=own, submit=True,
                                           entries={manual.pk: {"self_score": 14, "evidence": "组织志愿服务12次",
                                                                "file": None, "clear_file": False}})
    round_ = assessment.transition(round_, RoundStatus.REVIEW, actor=admin, scope=scope)
    assert BranchAssessment.objects.get(pk=own.pk).status == AssessmentStatus.SUBMITTED
    return round_, own, admin, secretary


def test_the_work_committee_reviews_and_publishes_an_assessment(page, browser, site, screenshot):
    round_, own, admin, secretary = seed_round(site.world)
    page.on("dialog", lambda dialog: dialog.accept())

    # the work committee sees both branches of the round ranked, one submitted
    log_in(page, site, admin.username)
    page.goto(site + reverse("partylife:assessment_round_detail", args=[round_.pk]))
    expect(page.get_by_test_id("ranking-row")).to_have_count(2)
    expect(page.get_by_test_id("progress-submitted")).to_have_text("1")
    row = page.locator(f"[data-testid=ranking-row][data-branch='{own.branch_id}']")
    expect(row).to_contain_text("14")
    screenshot(page, "round-review")

    # it reviews the submitted one: the hand-scored item lowered with a reason, and an overall comment
    row.get_by_test_id("review-link").click()
    form = page.get_by_test_id("review-form")
    manual = form.get_by_test_id("item-row").filter(has_text="作用发挥")
    manual.locator("input[name^='final_']").fill("12")
    manual.locator("input[name^='comment_']").fill("志愿服务台账不全")
    form.locator("textarea[name=comment]").fill("总体较好，注意台账完整。")
    expect(page.get_by_test_id("running-total")).to_contain_text("12")
    screenshot(page, "review-form")
    page.get_by_test_id("review-submit").click()

    expect(page.get_by_test_id("progress-reviewed")).to_have_text("1")
    expect(row.get_by_test_id("final-total")).to_contain_text("12")

    # and publishes, the other branch's self-assessed score standing as its result
    page.get_by_test_id("confirm-unreviewed").check()
    page.get_by_test_id("move-published").click()
    expect(page.get_by_test_id("move-published")).to_have_count(0)
    expect(page.get_by_test_id("round-status")).not_to_be_empty()
    screenshot(page, "round-published")

    # the branch sees its own result and the comment, and no ranking
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai")
    branch_page = context.new_page()
    errors = []
    branch_page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(branch_page, site, secretary.username)
    branch_page.goto(site + reverse("partylife:assessment_round_detail", args=[round_.pk]))
    expect(branch_page.get_by_test_id("own-row")).to_have_count(1)
    expect(branch_page.get_by_test_id("ranking")).to_have_count(0)
    branch_page.goto(site + reverse("partylife:assessment_branch", args=[own.pk]))
    expect(branch_page.get_by_test_id("result-total")).to_contain_text("12")
    expect(branch_page.get_by_test_id("result-comment")).to_contain_text("总体较好，注意台账完整。")
    screenshot(branch_page, "branch-result")
    context.close()
    assert not errors, errors
