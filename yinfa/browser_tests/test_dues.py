"""Party dues in a real browser: a branch secretary records this month's dues for the whole branch in one batch,
the grid shows the month paid, and the same batch submitted again records nothing twice."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yinfa.browser_tests.test_shell import log_in

pytestmark = pytest.mark.browser

BRANCH_NAME = "甲县财政局离退休干部党支部"


def seed_branch(world, today):
    """A county-A branch with two members (bases 5,000.00 and 6,000.00 from January) whose earlier months of
    this year are paid, and its secretary."""
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user
    from yinfa.dues.models import PensionBase
    from yinfa.dues.services.payments import PaymentEntry, record_batch
    from yinfa.partylife.tests.factories import make_branch, make_member, scope_of

    branch = make_branch(world.unit_a, name=BRANCH_NAME, opened_on=datetime.date(2015, 1, 1))
    january = datetime.date(today.year, 1, 1)
    at_the_line = make_member(branch, name="王国华")
    above_the_line = make_member(branch, name="李秀英")
    PensionBase.objects.create(person=at_the_line, effective_month=january, amount=Decimal("5000.00"))
    PensionBase.objects.create(person=above_the_line, effective_month=january, amount=Decimal("6000.00"))
    secretary = make_user("zhibu_caizheng", role=Role.BRANCH_SECRETARY, node=branch.node, full_name="甲县支部书记")
    scope = scope_of(secretary)
    first = january
    while first.month < today.month:  # the months before this one, paid at most six at a time
        months = min(6, today.month - first.month)
        record_batch(actor=secretary, scope=scope, branch=branch, first_month=first, months=months,
                     paid_on=first.replace(day=5),
                     entries=[PaymentEntry(person_id=at_the_line.pk), PaymentEntry(person_id=above_the_line.pk)])
        first = first.replace(month=first.month + months)
    return branch, at_the_line, above_the_line, secretary


def month_cell(page, person, today):
    """The grid's cell of this month for ``person``."""
    row = page.locator(f"[data-testid=grid-row][data-person='{person.pk}']")
    return row.locator("td[data-status]").nth(today.month - 1)


def test_a_secretary_records_a_month_of_dues_for_the_branch(page, site, screenshot):
    from django.utils import timezone

    from yinfa.dues.models import DuesPayment

    today = timezone.localdate()
    this_month = today.replace(day=1)
    month_key = f"{today:%Y-%m}"
    branch, at_the_line, above_the_line, secretary = seed_branch(site.world, today)

    # the branch's grid: this month is still to pay
    log_in(page, site, secretary.username)
    expect(page.get_by_test_id("scope-name")).to_contain_text(BRANCH_NAME)
    page.goto(site + reverse("dues:branch", args=[branch.pk]))
    expect(page.get_by_test_id("grid-row")).to_have_count(2)
    expect(month_cell(page, at_the_line, today)).to_have_attribute("data-status", "open")
    expect(month_cell(page, at_the_line, today)).to_have_text("¥25.00")
    expect(month_cell(page, above_the_line, today)).to_have_text("¥60.00")
    screenshot(page, "grid-before")

    # the batch screen of this month shows each member's amount by the rule (5,000.00 → 0.5 %; 6,000 → 1 %)
    page.get_by_test_id("record-month").click()
    rows = page.get_by_test_id("batch-row")
    expect(rows).to_have_count(2)
    first_row = page.locator(f"[data-testid=batch-row][data-person='{at_the_line.pk}']")
    second_row = page.locator(f"[data-testid=batch-row][data-person='{above_the_line.pk}']")
    expect(first_row).to_have_attribute("data-due", "25.00")
    expect(first_row).to_contain_text("¥25.00")
    expect(first_row.locator(f"input[name=amount_{at_the_line.pk}]")).to_have_value("25.00")
    expect(second_row).to_have_attribute("data-due", "60.00")
    expect(second_row).to_contain_text("¥60.00")
    expect(first_row.locator("input[type=checkbox]")).to_be_checked()
    expect(second_row.locator("input[type=checkbox]")).to_be_checked()
    batch_url = page.url

    # the same screen open in a second tab, to be submitted again afterwards
    other_tab = page.context.new_page()
    other_tab.on("pageerror", lambda exc: page.yinfa_errors.append(f"second tab: {exc}"))
    other_tab.goto(batch_url)
    expect(other_tab.get_by_test_id("batch-row")).to_have_count(2)

    screenshot(page, "batch")
    page.get_by_test_id("batch-save").click()

    # back on the grid: the month is paid, the total is ¥85.00
    expect(page.locator(".yf-messages .alert-success")).to_contain_text("¥85.00")
    expect(month_cell(page, at_the_line, today)).to_have_attribute("data-status", "paid")
    expect(month_cell(page, at_the_line, today)).to_have_text("¥25.00")
    expect(month_cell(page, above_the_line, today)).to_have_attribute("data-status", "paid")
    expect(month_cell(page, above_the_line, today)).to_have_text("¥60.00")
    expect(page.get_by_test_id("grid-paid").locator("td").nth(today.month)).to_have_text("¥85.00")
    screenshot(page, "grid-after")

    # the stale second tab submits the same batch again: told the months are paid already, nothing recorded twice
    other_tab.get_by_test_id("batch-save").click()
    expect(other_tab.locator(".yf-messages .alert-info")).to_contain_text("王国华")
    expect(month_cell(other_tab, at_the_line, today)).to_have_text("¥25.00")
    screenshot(other_tab, "submitted-again")
    other_tab.close()
    assert DuesPayment.objects.filter(branch=branch, month=this_month).count() == 2

    # a quarter from this month: this month is reported as paid already, only the two months ahead are recorded
    page.goto(site + reverse("dues:branch", args=[branch.pk]))
    page.get_by_test_id("record-quarter").click()
    expect(page.get_by_test_id("batch-row")).to_have_count(2)
    expect(first_row).to_have_attribute("data-due", "50.00")
    expect(second_row).to_have_attribute("data-due", "120.00")
    expect(first_row.locator("td[data-status=paid]")).to_have_count(1)
    page.get_by_test_id("batch-save").click()
    warning = page.locator(".yf-messages .alert-warning")
    expect(warning).to_contain_text(f"王国华 {month_key}")
    expect(warning).to_contain_text(f"李秀英 {month_key}")
    expect(page.locator(".yf-messages .alert-success")).to_contain_text("¥170.00")
    screenshot(page, "quarter-skipped")
    assert DuesPayment.objects.filter(branch=branch, month=this_month).count() == 2
    assert DuesPayment.objects.filter(branch=branch, month__gt=this_month).count() == 4
