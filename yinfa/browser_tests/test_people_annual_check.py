"""The annual check in a real browser: the county opens it, a unit administrator confirms a person in place
(htmx), and the progress moves."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yinfa.browser_tests.conftest import PHONE
from yinfa.browser_tests.test_shell import log_in

pytestmark = pytest.mark.browser


def seed_people(world):
    """Three more units of county A and a few people in each, beside the finance bureau's four."""
    from yinfa.core.models import OrgKind, UnitKind
    from yinfa.core.testing import make_node
    from yinfa.people.tests.factories import make_person

    names = iter("王国华 李秀英 张建国 刘玉兰 陈志强 杨桂芝 赵德胜 黄淑珍 周立民 吴秀兰 徐振华 孙凤英 马永福 朱丽华"
                 .split())
    for index in range(4):
        make_person(world.unit_a, name=next(names), community=world.community_a,
                    address=f"城关镇东门街{index + 10}号", born=datetime.date(1950, 3, index + 1))
    for unit_name, count in (("甲县教育局", 4), ("甲县卫生健康局", 3), ("甲县住房和城乡建设局", 3)):
        unit = make_node(world.county_a, OrgKind.UNIT, unit_name, UnitKind.ORGAN)
        for index in range(count):
            make_person(unit, name=next(names), born=datetime.date(1948, 5, index + 1))
    make_person(world.unit_b, name="乙县老同志")


def test_the_county_opens_the_check_a_unit_confirms_a_person_and_the_progress_changes(
    page, browser, site, screenshot
):
    world = site.world
    seed_people(world)
    page.on("dialog", lambda dialog: dialog.accept())

    # the county bureau opens this year's annual check
    log_in(page, site, world.county_a_admin.username)
    page.goto(site + reverse("people:annual_check_list"))
    expect(page.get_by_test_id("campaign-empty")).to_be_visible()
    page.get_by_test_id("campaign-open").click()
    expect(page.get_by_test_id("open-explain")).to_contain_text("14")
    page.get_by_test_id("open-submit").click()

    expect(page.get_by_test_id("total-planned")).to_have_text("14")
    expect(page.get_by_test_id("total-confirmed")).to_have_text("0")
    expect(page.get_by_test_id("unit-row")).to_have_count(4)
    expect(page.get_by_test_id("unit-progress")).not_to_contain_text("乙县")
    campaign_url = page.url
    screenshot(page, "county-opened")

    # the finance bureau's administrator confirms one person in place
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai")
    unit_page = context.new_page()
    unit_page.on("dialog", lambda dialog: dialog.accept())
    errors = []
    unit_page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(unit_page, site, world.unit_a_admin.username)
    unit_page.goto(campaign_url)
    expect(unit_page.get_by_test_id("unit-row")).to_have_count(1)
    expect(unit_page.get_by_test_id("unit-row")).to_contain_text(world.unit_a.name)
    unit_page.get_by_test_id("go-confirm").click()
    rows = unit_page.get_by_test_id("confirm-row")
    expect(rows).to_have_count(4)
    expect(unit_page.get_by_test_id("confirm-table")).not_to_contain_text("甲县教育局")
    screenshot(unit_page, "unit-before")
    first = rows.first
    row_id = first.get_attribute("id")
    with unit_page.expect_response(lambda r: "/confirm/" in r.url and r.request.method == "POST"):
        first.get_by_test_id("confirm-item").click()
    confirmed = unit_page.locator(f"#{row_id}")
    expect(confirmed).to_have_attribute("data-status", "confirmed")
    expect(confirmed.get_by_test_id("confirm-item")).to_have_count(0)
    assert unit_page.url.endswith("/confirm/")  # updated in place, no page load

    # two more ticked and confirmed together
    rows.nth(1).get_by_test_id("select-item").check()
    rows.nth(2).get_by_test_id("select-item").check()
    unit_page.get_by_test_id("confirm-selected").click()
    expect(unit_page.get_by_test_id("confirm-row")).to_have_count(1)
    screenshot(unit_page, "unit-after")

    unit_page.goto(campaign_url)
    expect(unit_page.get_by_test_id("total-confirmed")).to_have_text("3")
    expect(unit_page.get_by_test_id("unit-percent")).to_have_text("75%")
    context.close()
    assert not errors, errors

    # the county sees the progress change; the finance bureau is no longer the lowest
    page.reload()
    expect(page.get_by_test_id("total-confirmed")).to_have_text("3")
    expect(page.get_by_test_id("total-pending")).to_have_text("11")
    expect(page.get_by_test_id("unit-row").last).to_contain_text(world.unit_a.name)
    screenshot(page, "county-progress")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(page.get_by_test_id("total-confirmed")).to_have_text("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "county-progress-phone")


def test_the_unit_confirmation_page_works_390_px_wide(phone_page, site, screenshot):
    from django.utils import timezone

    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope
    from yinfa.people.services.annual_check import open_campaign

    world = site.world
    seed_people(world)
    admin = world.county_a_admin
    scope = Scope.from_grant(RoleGrant.objects.select_related("node").get(user=admin))
    campaign = open_campaign(actor=admin, scope=scope, year=timezone.localdate().year,
                             due_on=timezone.localdate() + datetime.timedelta(days=10))
    page = phone_page
    log_in(page, site, world.unit_a_admin.username)
    page.goto(site + reverse("people:annual_check_confirm", args=[campaign.pk]))
    rows = page.get_by_test_id("confirm-row")
    expect(rows).to_have_count(4)
    first = rows.first
    row_id = first.get_attribute("id")
    first.get_by_test_id("confirm-item").click()
    expect(page.locator(f"#{row_id}")).to_have_attribute("data-status", "confirmed")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    screenshot(page)
