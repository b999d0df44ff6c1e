"""Micro-wishes in a real browser: community staff collect a wish for a retiree and publish it; a volunteer sees it on
the wish wall on a phone with the name partly hidden, claims it and fulfils it with a photo; the retiree confirms it
with their own account."""

import struct
import zlib

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from yinfa.browser_tests.conftest import PHONE
from yinfa.browser_tests.test_care import accept_confirmations, at_top
from yinfa.browser_tests.test_shell import log_in

pytestmark = pytest.mark.browser

BENEFICIARY = "刘玉兰"
MASKED = "刘*兰"
WISH_TITLE = "一台助听器"
THANKS = "谢谢志愿者，现在听电话清楚多了！"


def tiny_png(width=4, height=4):
    """A small valid PNG (solid red), built from bytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\xc8\x10\x2e" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture
def wish_people(site, settings, tmp_path):
    """A retiree of 东门社区 with her own account, a volunteer of that community; uploads kept under ``tmp_path``."""
    import datetime

    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user
    from yinfa.people.models import LivingStatus
    from yinfa.people.tests.factories import make_person

    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = site.world
    person = make_person(world.unit_a, name=BENEFICIARY, born=datetime.date(1944, 4, 18),
                         living_status=LivingStatus.ALONE, community=world.community_a)
    person.account = make_user("liu_yulan", role=Role.RETIREE, node=world.unit_a, full_name=BENEFICIARY)
    person.save(update_fields=["account"])
    volunteer = make_user("zhiyuan_li", role=Role.VOLUNTEER, node=world.community_a, full_name="志愿者李明")
    return person, volunteer


def test_a_wish_is_collected_claimed_on_the_wall_fulfilled_with_a_photo_and_confirmed(
        page, phone_page, site, screenshot, wish_people):
    from yinfa.needs.models import ClaimStatus, Wish, WishPhoto, WishStatus

    person, volunteer = wish_people
    staff = site.world.community_a_admin
    accept_confirmations(page)
    accept_confirmations(phone_page)

    # community staff collect the wish for the retiree (found by name) and publish it to the community's wall
    log_in(page, site, staff.username)
    page.goto(site + reverse("needs:wish_create"))
    picker = page.get_by_test_id("person-picker")
    picker.locator("input[name=q]").fill(BENEFICIARY)
    picker.locator("button[type=submit]").click()
    page.get_by_test_id("candidate-row").filter(has_text=BENEFICIARY).get_by_test_id("candidate-choose").click()
    expect(page.get_by_test_id("form-person")).to_contain_text(BENEFICIARY)
    form = page.get_by_test_id("wish-form")
    expect(form.locator("select[name=wall]")).to_have_value(str(site.world.community_a.pk))
    form.locator("input[name=title]").fill(WISH_TITLE)
    form.locator("textarea[name=reason]").fill("老人独居，听力下降，常听不见电话铃声，家人都在外地。")
    form.locator("input[name=estimated_cost]").fill("680")
    screenshot(at_top(page), "collect")
    page.get_by_test_id("wish-save").click()
    expect(page.get_by_test_id("wish-title")).to_contain_text(WISH_TITLE)
    expect(page.get_by_test_id("wish-status")).to_have_attribute("data-status", WishStatus.COLLECTED)
    expect(page.get_by_test_id("wish-person")).to_contain_text(BENEFICIARY)  # staff see the name in full
    wish = Wish.objects.get(title=WISH_TITLE)
    page.get_by_test_id("wish-publish").click()
    expect(page.get_by_test_id("wish-status")).to_have_attribute("data-status", WishStatus.PUBLISHED)
    expect(page.locator(".yf-messages .alert-success")).to_contain_text(site.world.community_a.name)

    # a volunteer of the community, on a phone: the wall shows the wish with the name partly hidden
    phone = phone_page
    log_in(phone, site, volunteer.username)
    phone.goto(site + reverse("needs:wish_wall"))
    card = phone.locator(f"[data-testid=wish-card][data-wish='{wish.pk}']")
    expect(card).to_contain_text(WISH_TITLE)
    expect(card.get_by_test_id("wish-name")).to_have_text(MASKED)
    expect(phone.locator("body")).not_to_contain_text(BENEFICIARY)
    expect(card.get_by_test_id("wish-taken")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(at_top(phone), "wall")

    # claims it (the confirmation prompt is accepted) and comes back to the wall: taken, by the volunteer
    card.get_by_test_id("wish-claim").click()
    expect(phone.locator(".yf-messages .alert-success")).to_be_visible()
    expect(card.get_by_test_id("wish-taken")).to_be_visible()
    expect(card.get_by_test_id("wish-claimant")).to_contain_text(volunteer.full_name)
    expect(card.get_by_test_id("wish-claim")).to_have_count(0)
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED
    screenshot(at_top(phone), "claimed")

    # fulfils it with a photo taken on the phone
    card.get_by_test_id("wish-claimant").get_by_role("link").click()
    action = phone.get_by_test_id("action-fulfil")
    expect(action.get_by_test_id("action-person")).to_have_text(MASKED)
    action.locator("textarea[name=note]").fill("已购买助听器并上门为老人调试好。")
    action.locator("input[name=photo]").set_input_files(
        files=[{"name": "IMG_0001.png", "mimeType": "image/png", "buffer": tiny_png()}])
    screenshot(at_top(phone), "fulfil")
    phone.get_by_test_id("action-submit").click()
    expect(phone.get_by_test_id("wish-status")).to_have_attribute("data-status", WishStatus.FULFILLED)
    photo = phone.get_by_test_id("wish-photo")
    expect(photo).to_have_count(1)
    photo.scroll_into_view_if_needed()
    expect(photo).to_be_visible()
    assert photo.evaluate("img => img.complete && img.naturalWidth") == 4
    expect(phone.get_by_test_id("wish-person")).to_contain_text(MASKED)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(at_top(phone), "fulfilled")
    stored = WishPhoto.objects.get(wish=wish)
    assert stored.content_type == "image/png" and "IMG_0001" not in stored.file.name

    # the retiree, with her own account, is told and confirms it came true
    page.context.clear_cookies()
    log_in(page, site, person.account.username)
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.goto(site + reverse("core:notification_list"))
    page.get_by_test_id("notification").filter(has_text=WISH_TITLE).first.click()
    expect(page).to_have_url(site + reverse("needs:wish_detail", args=[wish.pk]))
    expect(page.get_by_test_id("wish-person")).to_contain_text(BENEFICIARY)
    expect(page.get_by_test_id("wish-photo")).to_have_count(1)
    page.get_by_test_id("wish-confirm").click()
    page.get_by_test_id("action-confirm").locator("textarea[name=words]").fill(THANKS)
    page.get_by_test_id("action-submit").click()
    expect(page.get_by_test_id("wish-status")).to_have_attribute("data-status", WishStatus.CONFIRMED)
    expect(page.get_by_test_id("wish-words")).to_contain_text(THANKS)
    expect(page.get_by_test_id("wish-confirm")).to_have_count(0)
    screenshot(at_top(page), "confirmed")
    wish.refresh_from_db()
    assert wish.status == WishStatus.CONFIRMED and not wish.confirmed_by_proxy
    assert wish.claims.get().status == ClaimStatus.FULFILLED

    # the staff's list shows it confirmed
    page.context.clear_cookies()
    log_in(page, site, staff.username)
    page.goto(site + reverse("needs:wish_detail", args=[wish.pk]))
    expect(page.get_by_test_id("wish-status")).to_have_attribute("data-status", WishStatus.CONFIRMED)
    expect(page.get_by_test_id("wish-confirmation")).to_contain_text(THANKS)
    expect(page.get_by_test_id("claim-row")).to_contain_text(volunteer.full_name)
    screenshot(at_top(page), "staff-view")
