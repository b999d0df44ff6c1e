"""Care in a real browser: the county plans a 春节 visit campaign, a unit ticks off its list (one visit recorded from
the task, one person "not visited" with a reason) and the county sees the unit's coverage and exports it; a carer
logs "no answer" twice on a phone and the community head follows up the escalation."""

import datetime
import io

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yinfa.browser_tests.conftest import PHONE
from yinfa.browser_tests.test_shell import log_in

pytestmark = pytest.mark.browser

# 春节 (正月初一) by the lunar calendar, looked up in an almanac: the due date the form must propose.
SPRING_FESTIVAL = {
    2026: datetime.date(2026, 2, 17),
    2027: datetime.date(2027, 2, 6),
    2028: datetime.date(2028, 1, 26),
    2029: datetime.date(2029, 2, 13),
    2030: datetime.date(2030, 2, 3),
}
CAMPAIGN_TITLE = "甲县春节走访慰问"
SECOND_UNIT = "甲县教育局"


def switch_user(page, site, username):
    """Log out whoever is logged in (the cookies go) and log ``username`` in on the same page."""
    page.context.clear_cookies()
    log_in(page, site, username)
    expect(page.get_by_test_id("scope-name")).to_be_visible()


def at_top(page):
    """Scroll back to the top before a full-page screenshot (else the fixed top bar lands mid-picture)."""
    page.evaluate("window.scrollTo(0, 0)")
    return page


def accept_confirmations(page):
    """Answer "OK" to the pages' confirmation prompts (data-yf-confirm)."""
    page.on("dialog", lambda dialog: dialog.accept())


def click_choice(page, scope, name, value):
    """Choose a radio or check box styled as a button or a list (click its label, as a user does)."""
    box = scope.locator(f"input[name={name}][value={value}]")
    page.locator(f"label[for='{box.get_attribute('id')}']").click()
    return box


# --- the visit campaign --------------------------------------------------------------------------------------------

@pytest.fixture
def campaign_people(site):
    """County A's people by group: two 离休 cadres and two living alone (one over 80) in the finance bureau (one of
    them both 离休 and alone over 80), a 离休 cadre of a second unit, and people who match nothing; county B's 离休
    cadre, outside the county."""
    from yinfa.core.models import OrgKind, UnitKind
    from yinfa.core.testing import make_node
    from yinfa.people.models import Category, LivingStatus
    from yinfa.people.tests.factories import make_person

    world = site.world
    second_unit = make_node(world.county_a, OrgKind.UNIT, SECOND_UNIT, UnitKind.ORGAN)
    old = datetime.date(1938, 5, 4)
    people = {
        "lixiu": make_person(world.unit_a, name="赵志刚", category=Category.LIXIU, born=datetime.date(1931, 7, 1),
                             community=world.community_a),
        "alone": make_person(world.unit_a, name="孙桂英", born=old, living_status=LivingStatus.ALONE,
                             community=world.community_a),
        "both": make_person(world.unit_a, name="周德明", category=Category.LIXIU, born=datetime.date(1930, 1, 9),
                            living_status=LivingStatus.ALONE, community=world.community_a),
        "other_unit": make_person(second_unit, name="吴淑珍", category=Category.LIXIU,
                                  born=datetime.date(1932, 3, 3)),
    }
    # Not visited: living alone but under 80, an ordinary retiree, and a 离休 cadre of county B.
    make_person(world.unit_a, name="郑小红", born=datetime.date(1960, 6, 6), living_status=LivingStatus.ALONE,
                community=world.community_a)
    make_person(world.unit_a, name="冯建华", born=old)
    make_person(world.unit_b, name="陈乙县", category=Category.LIXIU, born=datetime.date(1933, 2, 2),
                community=world.community_b)
    return people, second_unit


def test_a_county_runs_a_spring_festival_visit_campaign_end_to_end(page, site, screenshot, campaign_people,
                                                                  tmp_path):
    from openpyxl import load_workbook

    from yinfa.care.models import CampaignTask, TaskStatus, Visit, VisitCampaign

    people, second_unit = campaign_people
    world = site.world
    accept_confirmations(page)

    # the county admin plans the campaign: all 离休 + all living alone from 80, for the county
    log_in(page, site, world.county_a_admin.username)
    page.goto(site + reverse("care:campaign_list"))
    page.get_by_test_id("campaign-new").click()
    form = page.get_by_test_id("campaign-form")
    expect(form.locator(f"input[name=node][value='{world.county_a.pk}']")).to_be_checked()
    expect(form.locator("select[name=festival]")).to_have_value("spring")
    year = int(form.locator("input[name=year]").input_value())
    assert year in SPRING_FESTIVAL, f"no almanac date for {year}"
    expect(form.locator("input[name=due_on]")).to_have_value("")  # empty: the festival's day is used
    form.locator("input[name=title]").fill(CAMPAIGN_TITLE)
    for group, wanted in (("lixiu", True), ("dependent", False), ("alone_aged", True), ("aged", False),
                          ("survivors", False)):
        box = form.locator(f"input[name=groups][value={group}]")
        if box.is_checked() != wanted:
            click_choice(page, form, "groups", group)
        assert box.is_checked() == wanted
    form.locator("input[name=alone_age]").fill("80")
    expect(form.locator("input[name=visited_by][value=unit]")).to_be_checked()
    screenshot(at_top(page), "plan")
    page.get_by_test_id("campaign-save").click()

    # the draft: the preview counts and the due date from the lunar calendar
    due = SPRING_FESTIVAL[year]
    expect(page.get_by_test_id("campaign-status")).to_be_visible()
    expect(page.get_by_test_id("campaign-due")).to_have_text(due.isoformat())
    preview = page.get_by_test_id("campaign-preview")
    expect(preview.get_by_test_id("preview-total")).to_contain_text("4")
    expect(preview.get_by_test_id("preview-group-lixiu").locator("td").nth(1)).to_have_text("3")
    expect(preview.get_by_test_id("preview-group-alone_aged").locator("td").nth(1)).to_have_text("2")
    organisations = preview.get_by_test_id("preview-organisation")
    expect(organisations).to_have_count(2)
    expect(organisations.filter(has_text=world.unit_a.name).locator("td").nth(1)).to_have_text("3")
    expect(organisations.filter(has_text=SECOND_UNIT).locator("td").nth(1)).to_have_text("1")
    campaign = VisitCampaign.objects.get(title=CAMPAIGN_TITLE)
    assert campaign.due_on == due and campaign.status == "draft"
    screenshot(at_top(page), "preview")

    # open it (the confirmation repeats the preview)
    page.get_by_test_id("move-open").click()
    expect(page.get_by_test_id("campaign-preview").get_by_test_id("preview-total")).to_contain_text("4")
    page.get_by_test_id("confirm-submit").click()
    expect(page.locator(".yf-messages .alert-success")).to_contain_text("4")
    expect(page.get_by_test_id("total-planned")).to_have_text("4")
    assert CampaignTask.objects.filter(campaign=campaign, assignee=world.unit_a).count() == 3
    assert CampaignTask.objects.filter(campaign=campaign, assignee=second_unit).count() == 1

    # the unit admin is notified and opens the unit's list from the notification
    switch_user(page, site, world.unit_a_admin.username)
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.goto(site + reverse("core:notification_list"))
    page.get_by_test_id("notification").filter(has_text=CAMPAIGN_TITLE).click()
    expect(page).to_have_url(site + reverse("care:campaign_unit", args=[campaign.pk]) + f"?unit={world.unit_a.pk}")
    rows = page.get_by_test_id("task-row")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text=people["other_unit"].name)).to_have_count(0)
    expect(page.get_by_test_id("unit-planned")).to_have_text("3")
    expect(page.get_by_test_id("unit-done")).to_have_text("0")
    screenshot(at_top(page), "unit-list")

    # record the visit of 赵志刚 from the task: the form is tied to the task
    rows.filter(has_text=people["lixiu"].name).get_by_test_id("task-visit").click()
    expect(page.get_by_test_id("form-person")).to_contain_text(people["lixiu"].name)
    expect(page.get_by_test_id("task-note")).to_contain_text(CAMPAIGN_TITLE)
    visit_form = page.get_by_test_id("visit-form")
    expect(visit_form.locator("select[name=kind]")).to_have_value("festival")
    expect(visit_form.locator("select[name=organisation]")).to_have_value(str(world.unit_a.pk))
    visit_form.locator("input[name=visitors]").fill("财政局老干部科 王科长、李干事")
    visit_form.locator("input[name=leaders]").fill("局党组书记 张伟")
    visit_form.locator("input[name=gift]").fill("慰问品（米、油、牛奶）")
    visit_form.locator("input[name=money]").fill("500")
    visit_form.locator("textarea[name=feedback]").fill("身体尚好，感谢组织关心。")
    visit_form.locator("textarea[name=needs]").fill("希望有人帮忙修理家中的暖气。")
    screenshot(at_top(page), "visit-form")
    page.get_by_test_id("visit-save").click()
    expect(page.get_by_test_id("visit-title")).to_contain_text(people["lixiu"].name)
    expect(page.get_by_test_id("visit-campaign")).to_contain_text(CAMPAIGN_TITLE)
    expect(page.get_by_test_id("visit-money")).to_contain_text("500")
    visit = Visit.objects.get(person=people["lixiu"])
    assert visit.task.campaign_id == campaign.pk

    # mark 孙桂英 "not visited": in hospital
    page.goto(site + reverse("care:campaign_unit", args=[campaign.pk]) + f"?unit={world.unit_a.pk}")
    rows.filter(has_text=people["alone"].name).get_by_test_id("task-skip").click()
    skip_form = page.get_by_test_id("skip-form")
    click_choice(page, skip_form, "choice", "hospital")
    skip_form.locator("input[name=detail]").fill("县人民医院住院，出院后补访")
    page.get_by_test_id("skip-save").click()
    expect(page.locator(".yf-messages .alert-success")).to_contain_text(people["alone"].name)
    expect(rows.filter(has_text=people["lixiu"].name).get_by_test_id("task-visit")).to_have_count(0)
    expect(rows.filter(has_text=people["lixiu"].name)).to_contain_text(visit.visited_on.isoformat())
    expect(rows.filter(has_text=people["alone"].name)).to_contain_text("县人民医院住院，出院后补访")
    expect(rows.filter(has_text=people["alone"].name).get_by_test_id("task-unskip")).to_be_visible()
    expect(rows.filter(has_text=people["both"].name).get_by_test_id("task-visit")).to_be_visible()
    expect(page.get_by_test_id("unit-planned")).to_have_text("3")
    expect(page.get_by_test_id("unit-done")).to_have_text("1")
    expect(page.get_by_test_id("unit-skipped")).to_have_text("1")
    expect(page.get_by_test_id("unit-pending")).to_have_text("1")
    expect(page.get_by_test_id("unit-percent")).to_have_text("33%")
    screenshot(at_top(page), "unit-ticked")
    statuses = dict(CampaignTask.objects.filter(campaign=campaign).values_list("person__name", "status"))
    assert statuses == {"赵志刚": TaskStatus.DONE, "孙桂英": TaskStatus.SKIPPED, "周德明": TaskStatus.PENDING,
                        "吴淑珍": TaskStatus.PENDING}

    # back as the county admin: the coverage per unit (planned / visited / not visited / to visit / %)
    switch_user(page, site, world.county_a_admin.username)
    page.goto(site + reverse("care:campaign_detail", args=[campaign.pk]))
    coverage = page.get_by_test_id("coverage-row")
    expect(coverage).to_have_count(2)
    finance = coverage.filter(has_text=world.unit_a.name).locator("td")
    for column, value in enumerate(["3", "1", "1", "1", "33%"], start=1):
        expect(finance.nth(column)).to_have_text(value)
    education = coverage.filter(has_text=SECOND_UNIT).locator("td")
    for column, value in enumerate(["1", "0", "0", "1", "0%"], start=1):
        expect(education.nth(column)).to_have_text(value)
    expect(page.get_by_test_id("total-planned")).to_have_text("4")
    expect(page.get_by_test_id("total-done")).to_have_text("1")
    expect(page.get_by_test_id("total-skipped")).to_have_text("1")
    expect(page.get_by_test_id("total-pending")).to_have_text("2")
    expect(page.get_by_test_id("total-percent")).to_have_text("25%")
    screenshot(at_top(page), "coverage")

    # the export answers an Excel workbook with the same figures
    with page.expect_download() as download_info:
        page.get_by_test_id("campaign-export").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    content = (tmp_path / "coverage.xlsx")
    download.save_as(content)
    data = content.read_bytes()
    assert data[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    cells = [[str(v) for v in row if v is not None] for row in sheet.iter_rows(values_only=True)]
    finance_rows = [row for row in cells if world.unit_a.name in row]
    assert finance_rows, cells
    assert finance_rows[0][1:6] == ["3", "1", "1", "1", "33"], finance_rows


# --- care contacts and escalation ----------------------------------------------------------------------------------

@pytest.fixture
def lonely_person(site):
    """A retiree of county A's finance bureau living alone in 东门社区 (a care policy: every 7 days), and a volunteer of
    that community."""
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user
    from yinfa.people.models import LivingStatus
    from yinfa.people.tests.factories import make_person

    world = site.world
    person = make_person(world.unit_a, name="钱秀兰", born=datetime.date(1941, 9, 12),
                         living_status=LivingStatus.ALONE, community=world.community_a)
    volunteer = make_user("zhiyuan_zhang", role=Role.VOLUNTEER, node=world.community_a, full_name="志愿者张敏")
    return person, volunteer


def log_no_answer(phone, person):
    phone.get_by_test_id("my-care-row").filter(has_text=person.name).get_by_test_id("log-contact").click()
    form = phone.get_by_test_id("contact-form")
    expect(form.locator("input[name=method][value=phone]")).to_be_checked()
    click_choice(phone, form, "outcome", "no_answer")
    expect(phone.get_by_test_id("outcome-no_answer")).to_be_checked()
    phone.get_by_test_id("contact-save").click()
    expect(phone.locator(".yf-messages .alert-success")).to_contain_text(person.name)


def test_a_carer_logs_no_answer_twice_and_the_community_head_follows_up_the_escalation(
        page, phone_page, site, screenshot, lonely_person):
    from yinfa.care.models import CareAssignment, Escalation, EscalationReason, EscalationStatus

    person, volunteer = lonely_person
    head = site.world.community_a_admin

    # the community head sees the person unassigned and assigns the volunteer
    log_in(page, site, head.username)
    page.goto(site + reverse("care:assignment_list"))
    unassigned = page.get_by_test_id("unassigned-row").filter(has_text=person.name)
    expect(unassigned).to_have_count(1)
    unassigned.get_by_test_id("assign").click()
    expect(page.get_by_test_id("assign-policy")).to_contain_text("7")
    assign_form = page.get_by_test_id("assign-form")
    assign_form.locator("select[name=carer]").select_option(str(volunteer.pk))
    page.get_by_test_id("assign-save").click()
    expect(page.get_by_test_id("unassigned-row").filter(has_text=person.name)).to_have_count(0)
    expect(page.get_by_test_id("assignment-row").filter(has_text=person.name)).to_have_count(1)
    assignment = CareAssignment.objects.get(person=person, ended_on__isnull=True)
    assert assignment.carer_id == volunteer.pk and assignment.interval_days == 7

    # the volunteer, on a phone: two calls, no answer either time
    phone = phone_page
    log_in(phone, site, volunteer.username)
    phone.goto(site + reverse("core:notification_list"))
    phone.get_by_test_id("notification").filter(has_text=person.name).click()  # "you now look after …"
    expect(phone).to_have_url(site + reverse("care:my_care"))
    row = phone.get_by_test_id("my-care-row").filter(has_text=person.name)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("streak")).to_have_count(0)
    screenshot(at_top(phone), "my-care")
    log_no_answer(phone, person)
    expect(row.get_by_test_id("streak")).to_contain_text("1")
    expect(row.locator(".bi-exclamation-triangle")).to_have_count(0)
    assert not Escalation.objects.filter(person=person).exists()
    log_no_answer(phone, person)
    expect(phone.locator(".yf-messages .alert-warning")).to_be_visible()
    expect(row.get_by_test_id("streak")).to_contain_text("2")
    expect(row.locator(".bi-exclamation-triangle")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(at_top(phone), "escalated")
    escalation = Escalation.objects.get(person=person)
    assert (escalation.reason, escalation.status) == (EscalationReason.NO_ANSWER, EscalationStatus.OPEN)

    # the community head has a notification and the escalation is on the dashboard
    page.goto(site + reverse("core:notification_list"))
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    notification = page.get_by_test_id("notification").filter(has_text=person.name)
    expect(notification).to_have_count(1)
    screenshot(at_top(page), "notification")
    page.goto(site + reverse("care:escalation_list"))
    open_row = page.get_by_test_id("escalation-row").filter(has_text=person.name)
    expect(open_row).to_have_count(1)
    expect(open_row).to_contain_text(volunteer.full_name)
    screenshot(at_top(page), "dashboard")

    # the follow-up: the escalation leaves the open list
    open_row.get_by_test_id("resolve").click()
    expect(page.get_by_test_id("recent-contacts").locator("li")).to_have_count(2)
    page.get_by_test_id("resolve-form").locator("textarea[name=follow_up]").fill(
        "社区网格员上门查看，老人因助听器没电未接电话，已更换电池，一切安好。")
    page.get_by_test_id("resolve-save").click()
    expect(page.locator(".yf-messages .alert-success")).to_be_visible()
    expect(page.get_by_test_id("escalation-row").filter(has_text=person.name)).to_have_count(0)
    expect(page.get_by_test_id("escalation-empty")).to_be_visible()
    expect(page.get_by_test_id("recent-row").filter(has_text=person.name)).to_contain_text("助听器")
    screenshot(at_top(page), "followed-up")
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.RESOLVED and escalation.resolved_by_id == head.pk
