"""The person registry in a real browser: search by initials, open a file, reveal the ID number with a reason,
edit the phone, see the change in the history; the list and the file at phone width."""

import datetime

import pytest
from playwright.sync_api import expect

from yinfa.browser_tests.test_shell import log_in

pytestmark = pytest.mark.browser


def make_people(world):
    from yinfa.people.models import Category
    from yinfa.people.tests.factories import make_person

    wang = make_person(world.unit_a, name="王国华", community=world.community_a, category=Category.LIXIU,
                       born=datetime.date(1928, 4, 5), address="城关镇东门街道幸福路18号")
    make_person(world.unit_a, name="王刚", community=world.community_a)
    make_person(world.unit_a, name="李明")
    make_person(world.unit_b, name="王国华")
    return wang


def test_search_by_initials_open_the_file_reveal_the_id_edit_the_phone_and_see_the_history(page, site, screenshot):
    wang = make_people(site.world)
    log_in(page, site, site.world.county_a_admin.username)
    page.get_by_role("link", name="人员档案").first.click()
    expect(page.get_by_test_id("person-row")).to_have_count(3)

    page.get_by_test_id("person-q").fill("wgh")
    page.get_by_test_id("person-search").click()
    rows = page.get_by_test_id("person-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("王国华")
    expect(rows.first).not_to_contain_text(wang.id_number)
    screenshot(page, "search")

    rows.first.get_by_role("link", name="王国华").click()
    expect(page.get_by_test_id("person-name")).to_have_text("王国华")
    expect(page.get_by_test_id("lixiu-period")).to_be_visible()

    page.get_by_test_id("reveal-id_number").click()
    page.get_by_test_id("reveal-reason").fill("办理住院手续")
    screenshot(page, "reveal-reason")
    page.get_by_test_id("reveal-submit").click()
    expect(page.get_by_test_id("revealed-value")).to_have_text(wang.id_number)
    assert wang.id_number not in page.url
    screenshot(page, "revealed")

    page.get_by_test_id("edit-living").click()
    page.locator("input[name=phone]").fill("13800138000")
    page.get_by_test_id("file-form-save").click()
    expect(page.get_by_test_id("card-living")).to_contain_text("138****8000")
    history = page.get_by_test_id("file-history")
    expect(history).to_contain_text("138****8000")
    expect(history).to_contain_text(site.world.county_a_admin.username)
    assert "13800138000" not in page.content()
    screenshot(page, "file")


def test_the_exact_search_posts_the_number_and_opens_the_file(page, site):
    wang = make_people(site.world)
    log_in(page, site, site.world.county_a_admin.username)
    page.goto(site + "/people/")
    page.get_by_test_id("person-find-number").fill(wang.id_number.lower())
    page.get_by_test_id("person-find").get_by_role("button").click()
    expect(page.get_by_test_id("person-name")).to_have_text("王国华")
    assert wang.id_number not in page.url and wang.id_number.lower() not in page.url
    # A number typed into the name search goes through the exact search as well, not into the URL.
    page.goto(site + "/people/")
    page.get_by_test_id("person-q").fill(wang.phone)
    page.get_by_test_id("person-search").click()
    expect(page.get_by_test_id("person-name")).to_have_text("王国华")
    assert wang.phone not in page.url


def test_the_list_and_the_file_fit_a_phone(phone_page, site, screenshot):
    page = phone_page
    wang = make_people(site.world)
    log_in(page, site, site.world.community_a_admin.username)
    page.goto(site + "/people/")
    expect(page.get_by_test_id("person-row")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "list")
    page.goto(site + f"/people/{wang.pk}/")
    expect(page.get_by_test_id("health-restricted")).to_be_visible()
    expect(page.get_by_test_id("reveal-id_number")).to_have_count(0)  # a community administrator may not reveal
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "file")
