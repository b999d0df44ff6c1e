"""The shell in a real browser: log in, scope, second factor, log out, large font, phone width."""

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from yinfa.core.testing import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, site, username, password=PASSWORD):
    page.goto(site + "/login/")
    form = page.get_by_test_id("login-form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


def wait_until(page, expression, timeout=5.0):
    """Poll a JavaScript expression (page.wait_for_function evaluates in the page, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout}s: {expression}"
        page.wait_for_timeout(50)


def test_a_county_admin_logs_in_on_the_chinese_login_page_and_lands_on_home_showing_the_scope(
    page, site, screenshot
):
    page.goto(site + "/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    screenshot(page, "login")

    log_in(page, site, site.world.county_a_admin.username)

    expect(page).to_have_url(site + "/")
    expect(page.get_by_test_id("scope-name")).to_contain_text("甲县")
    expect(page.get_by_test_id("scope-role")).not_to_be_empty()
    expect(page.locator("#yf-sidebar")).to_be_visible()
    screenshot(page)


def test_a_wrong_password_keeps_the_user_on_the_login_page(page, site):
    log_in(page, site, site.world.county_b_admin.username, password="not-the-password")

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_test_id("login-form").get_by_role("alert")).to_be_visible()


def test_a_user_with_two_roles_switches_scope_with_the_top_bar_selector(page, site, screenshot):
    log_in(page, site, site.two_roles.username)
    expect(page.get_by_test_id("scope-name")).to_contain_text("甲县")
    select = page.locator("#yf-scope-select")
    expect(select.locator("option")).to_have_count(2)

    unit_b_option = select.locator("option", has_text=site.world.unit_b.name)
    select.select_option(unit_b_option.get_attribute("value"))  # the selector submits itself

    expect(page.get_by_test_id("scope-name")).to_contain_text(site.world.unit_b.name)
    expect(page.locator("#yf-scope-select option:checked")).to_contain_text(site.world.unit_b.name)
    screenshot(page)


def test_a_user_logs_out_from_the_user_menu_and_cannot_see_home_any_more(page, site, screenshot):
    log_in(page, site, site.logout_user.username)
    expect(page.get_by_test_id("scope-name")).to_be_visible()

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()

    expect(page.get_by_test_id("login-form")).to_be_visible()
    screenshot(page)
    page.goto(site + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_test_id("login-form")).to_be_visible()


def test_a_security_admin_passes_the_second_factor_with_a_totp_code(page, site, screenshot):
    totp = pyotp.TOTP(site.world.security_admin.totp_secret)
    log_in(page, site, site.world.security_admin.username)

    expect(page).to_have_url(re.compile(r"/totp/verify/"))
    screenshot(page, "second-factor")
    wrong_code = f"{(int(totp.now()) + 500_000) % 1_000_000:06d}"
    page.locator("input[name=code]").fill(wrong_code)
    page.locator("form:has(input[name=code]) button[type=submit]").click()
    expect(page.locator("input[name=code].is-invalid, .invalid-feedback")).not_to_have_count(0)
    expect(page).to_have_url(re.compile(r"/totp/verify/"))  # a wrong code is refused

    page.locator("input[name=code]").fill(totp.now())
    page.locator("form:has(input[name=code]) button[type=submit]").click()

    expect(page).to_have_url(site + "/")
    expect(page.get_by_test_id("scope-name")).to_contain_text(site.world.city.name)
    screenshot(page)


def test_large_font_mode_toggles_from_the_user_menu_and_is_remembered_for_the_user(
    browser, page, site, screenshot
):
    log_in(page, site, site.large_font_user.username)
    expect(page.locator("body")).not_to_have_class(re.compile(r"\blarge-font\b"))

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("large-font-toggle").click()

    expect(page.locator("body")).to_have_class(re.compile(r"\blarge-font\b"))
    font_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 18
    screenshot(page)

    # Remembered per user: a new browser session shows large font at once.
    other = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        other_page = other.new_page()
        log_in(other_page, site, site.large_font_user.username)
        expect(other_page.locator("body")).to_have_class(re.compile(r"\blarge-font\b"))
    finally:
        other.close()

    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("large-font-toggle").click()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\blarge-font\b"))


def test_the_home_page_works_on_a_390_px_phone_and_the_sidebar_toggle_opens_the_nav(
    phone_page, site, screenshot
):
    page = phone_page
    log_in(page, site, site.world.county_a_admin.username)
    expect(page.get_by_test_id("scope-name")).to_be_visible()
    sidebar = page.locator("#yf-sidebar")
    expect(sidebar).not_to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    screenshot(page, "closed")

    page.locator("[data-yf-toggle=sidebar]").click()

    expect(sidebar).to_have_class(re.compile(r"\bshow\b"))
    # Fully slid in (it moves with a CSS transition), with its links and the phone's scope selector usable.
    wait_until(page, "document.getElementById('yf-sidebar').getBoundingClientRect().left >= 0")
    expect(sidebar).to_be_in_viewport(ratio=1)
    screenshot(page, "open")
    expect(sidebar.locator("select[name=grant]")).to_be_visible()
    sidebar.locator("a.nav-link[href='/org/']").click()
    expect(page).to_have_url(site + "/org/")
