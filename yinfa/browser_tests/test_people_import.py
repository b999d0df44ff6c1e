"""Roster import in a real browser: upload a small roster, see the preview with one invalid row, confirm, see
the result; the same pages at phone width."""

import datetime

import openpyxl
import pytest
from playwright.sync_api import expect

from yinfa.browser_tests.test_shell import log_in
from yinfa.people import idnumbers

pytestmark = pytest.mark.browser


def small_roster(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["甲县财政局离退休干部花名册"])
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "姓名", "身份证号码", "性别", "出生年月", "离退休类别", "联系电话"])
    sheet.append([1, "张建国", idnumbers.make("379921", datetime.date(1950, 5, 12), 123), "男", "1950.05", "退休",
                  "13800138000"])
    sheet.append([2, "李秀英", idnumbers.make("379921", datetime.date(1952, 1, 2), 124), "女", "1952年1月", "退休", ""])
    sheet.append([3, "王五", "37992119550308", "男", "1955.03", "退休", ""])
    sheet.append(["合计", "3人"])
    sheet.append(["填表人：", "", "审核人："])
    book.save(path)
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def upload(page, site, roster):
    page.goto(site + "/people/imports/")
    page.get_by_test_id("import-upload-link").click()
    form = page.get_by_test_id("import-upload-form")
    form.locator("select[name=node]").select_option(label="甲县财政局")
    form.locator("input[name=file]").set_input_files(str(roster))
    page.get_by_test_id("import-upload").click()


def test_a_bureau_admin_uploads_previews_confirms_and_sees_the_result(page, site, media, screenshot):
    from yinfa.people.models import Person

    log_in(page, site, site.world.county_a_admin.username)
    page.goto(site + "/people/imports/")
    expect(page.get_by_test_id("import-empty")).to_be_visible()
    page.get_by_test_id("import-upload-link").click()
    expect(page.get_by_test_id("import-upload-form")).to_be_visible()
    screenshot(page, "upload")
    upload(page, site, small_roster(media / "roster.xlsx"))

    expect(page.get_by_test_id("import-confirm")).to_be_visible()
    expect(page.get_by_test_id("count-valid")).to_have_text("2")
    expect(page.get_by_test_id("count-invalid")).to_have_text("1")
    expect(page.get_by_test_id("count-skipped")).to_have_text("2")
    expect(page.get_by_test_id("count-new")).to_have_text("2")
    errors = page.get_by_test_id("import-error")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("5")
    expect(errors.first).to_contain_text("身份证号码")
    screenshot(page, "preview")
    assert Person.objects.count() == 0

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-result")).to_be_visible()
    expect(page.get_by_test_id("count-new")).to_have_text("2")
    expect(page.get_by_test_id("import-errors-download")).to_be_visible()
    screenshot(page, "result")
    assert sorted(Person.objects.values_list("name", flat=True)) == ["张建国", "李秀英"]
    with page.expect_download() as download:
        page.get_by_test_id("import-errors-download").click()
    assert download.value.suggested_filename.endswith("-errors.xlsx")


def test_a_dismissed_confirmation_imports_nothing(page, site, media):
    from yinfa.people.models import Person

    log_in(page, site, site.world.county_a_admin.username)
    upload(page, site, small_roster(media / "roster.xlsx"))
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-confirm")).to_be_visible()
    assert Person.objects.count() == 0


def test_the_import_pages_work_at_phone_width(phone_page, site, media, screenshot):
    page = phone_page
    log_in(page, site, site.world.county_a_admin.username)
    page.goto(site + "/people/imports/new/")
    expect(page.get_by_test_id("import-upload-form")).to_be_visible()
    screenshot(page, "upload-phone")
    upload(page, site, small_roster(media / "roster.xlsx"))
    expect(page.get_by_test_id("count-invalid")).to_have_text("1")
    screenshot(page, "preview-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("import-confirm").click()
    expect(page.get_by_test_id("import-result")).to_be_visible()
    screenshot(page, "result-phone")
