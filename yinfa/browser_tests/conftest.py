"""Fixtures for the browser tests: a live server over a fresh small world, and headless Chromium.

Each test gets pytest-django's ``live_server`` (so ``transactional_db``: the tables are emptied after the
test). The audit trail's triggers refuse that DELETE/TRUNCATE; the project's ``flush`` command lifts them for
the flush in the test settings only (yinfa/core/management/commands/flush.py), so the flush works.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an asyncio loop in the test thread; Django would then refuse ORM calls made
# by the test code itself (the live server runs in its own thread and is not affected).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("YINFA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(settings.VAR_DIR) / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    url: str
    world: object
    two_roles: object
    large_font_user: object
    logout_user: object
    tree_user: object

    def __add__(self, path):
        return self.url + path


def _build_world():
    from yinfa.core.models import OrgKind, RoleGrant
    from yinfa.core.permissions import Role
    from yinfa.core.testing import World, make_node, make_user
    from yinfa.partylife.default_rules import ensure_default_rules

    # The live server's tests flush the database between tests, and with it the rows of data migrations.
    ensure_default_rules()
    world = World.build()
    # A few more nodes: a work committee with two branches, and a second community under the town.
    committee = make_node(world.county_a, OrgKind.PARTY_COMMITTEE, "甲县离退休干部工委")
    make_node(committee, OrgKind.BRANCH, "财政局离退休干部党支部")
    make_node(committee, OrgKind.BRANCH, "城关镇离退休干部联合党支部")
    make_node(world.street_a, OrgKind.COMMUNITY, "西街社区")

    two_roles = make_user("two_roles", role=Role.BUREAU_ADMIN, node=world.county_a, full_name="两岗干部")
    RoleGrant.objects.create(user=two_roles, role=Role.UNIT_ADMIN, node=world.unit_b)
    return {
        "world": world,
        "two_roles": two_roles,
        "large_font_user": make_user("big_font", role=Role.BUREAU_ADMIN, node=world.county_a,
                                     full_name="大字干部"),
        "logout_user": make_user("leaver", role=Role.COMMUNITY_ADMIN, node=world.community_a,
                                 full_name="社区干部"),
        "tree_user": make_user("tree_admin", role=Role.BUREAU_ADMIN, node=world.county_a,
                               full_name="组织管理员"),
    }


@pytest.fixture
def site(live_server):
    """The live server (a thread of this process) and the world the test works with."""
    return Site(url=live_server.url, **_build_world())


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (bin/browser-test installs it)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class BrowserErrors(list):
    """Console errors and uncaught exceptions seen by a page (CSP violations show up here)."""


def _open_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = BrowserErrors()
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.yinfa_errors = errors
    return context, page


@pytest.fixture
def page(browser, site, request):
    """A fresh browser context (no cookies) at 1366×768; fails the test on browser console errors."""
    context, page = _open_page(browser, DESKTOP)
    yield page
    context.close()
    assert not page.yinfa_errors, f"errors in the browser during {request.node.name}: {page.yinfa_errors}"


@pytest.fixture
def phone_page(browser, site, request):
    """A fresh browser context at 390×844, as on a phone."""
    context, page = _open_page(browser, PHONE)
    yield page
    context.close()
    assert not page.yinfa_errors, f"errors in the browser during {request.node.name}: {page.yinfa_errors}"


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot as var/screenshots/<test name>[-<label>].png."""

    def take(page, label=""):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.removeprefix("test_") + (f"-{label}" if label else "")
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
