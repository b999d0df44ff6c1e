"""The organisation tree in a real browser: children load on demand, and search finds nodes by name."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yinfa.browser_tests.test_shell import log_in

pytestmark = pytest.mark.browser


def test_a_county_admin_opens_the_tree_expands_a_node_whose_children_load_on_demand_and_searches_by_name(
    page, site, screenshot
):
    world = site.world
    log_in(page, site, site.tree_user.username)
    page.goto(site + reverse("core:org_tree"))

    tree = page.get_by_test_id("org-tree")
    expect(tree).to_contain_text(world.county_a.name)
    expect(tree).to_contain_text(world.street_a.name)
    expect(tree).to_contain_text(world.unit_a.name)
    expect(tree).not_to_contain_text(world.county_b.name)
    expect(tree).not_to_contain_text(world.community_a.name)  # a grandchild: not loaded yet

    street = tree.locator(f"[data-testid=org-node][data-node='{world.street_a.pk}']")
    toggle = street.locator("[data-yf-tree-toggle]").first
    with page.expect_response(re.compile(rf"/org/{world.street_a.pk}/children/")):
        toggle.click()
    children = page.locator(f"#yf-children-{world.street_a.pk}")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(children).to_be_visible()
    expect(children.get_by_test_id("org-node")).to_have_count(2)
    expect(children).to_contain_text(world.community_a.name)
    expect(children).to_contain_text("西街社区")
    screenshot(page, "expanded")

    toggle.click()
    expect(children).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    search = page.get_by_test_id("org-search-form")
    search.locator("input[name=q]").fill("社区")
    search.locator("input[name=q]").press("Enter")
    hits = page.get_by_test_id("org-search-hit")
    expect(hits).to_have_count(2)
    expect(page.get_by_test_id("org-search-results")).to_contain_text(world.community_a.name)
    expect(page.get_by_test_id("org-search-results")).not_to_contain_text(world.community_b.name)
    screenshot(page, "search")
