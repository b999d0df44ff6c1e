"""Who may still open a wish after their claim ended: a claim that was given up, withdrawn by staff or expired gives
nothing any more (neither the page, nor the API, nor a photo); the claimant who fulfilled the wish keeps seeing it,
its photo and the person's confirmation."""

import datetime

import pytest
from django.urls import reverse

from yinfa.core.testing import login
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishPhoto
from yinfa.needs.services import wish_claims, wish_reads
from yinfa.needs.services import wishes as services
from yinfa.needs.tests.wish_fixtures import PNG, S, photo, scope_of, wish_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def page(wish):
    return reverse("needs:wish_detail", args=[wish.pk])


def api(wish):
    return reverse("wish-detail", args=[wish.pk])


def fresh(wish):
    return Wish.objects.select_related("person").get(pk=wish.pk)


def expire(wish):
    WishClaim.objects.filter(wish=wish, status=ClaimStatus.ACTIVE).update(
        fulfil_by=datetime.date.today() - datetime.timedelta(days=1))
    assert wish_claims.expire_claims() == 1


def assert_shut_out(user, wish):
    client = login(user)
    assert client.get(page(wish)).status_code == 404
    assert client.get(api(wish)).status_code == 404
    assert not wish_reads.accessible_wishes(scope_of(user), user).filter(pk=wish.pk).exists()


def test_a_claimant_who_gave_up_cannot_open_the_wish_once_it_is_withdrawn(wx):
    wish = wx.wish_in(S.CLAIMED)
    wish_claims.release_claim(actor=wx.volunteer, scope=scope_of(wx.volunteer), wish=fresh(wish), reason="出差")
    services.withdraw_wish(actor=wx.staff, scope=scope_of(wx.staff), wish=fresh(wish), reason="家属已购买")
    assert_shut_out(wx.volunteer, wish)


def test_a_claimant_whose_claim_ended_with_the_withdrawal_cannot_open_the_wish(wx):
    wish = wx.wish_in(S.CLAIMED)
    services.withdraw_wish(actor=wx.staff, scope=scope_of(wx.staff), wish=fresh(wish), reason="家属已购买")
    assert WishClaim.objects.get(wish=wish).status == ClaimStatus.RELEASED
    assert_shut_out(wx.volunteer, wish)


def test_a_claimant_whose_claim_expired_cannot_open_the_wish_another_fulfilled(wx):
    wish = wx.wish_in(S.CLAIMED)
    expire(wish)
    wish_claims.claim_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2), wish=fresh(wish))
    wish_claims.fulfil_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2), wish=fresh(wish), note="送到了",
                            photo=photo())
    assert_shut_out(wx.volunteer, wish)
    row = WishPhoto.objects.get(wish=wish)
    assert login(wx.volunteer).get(reverse("needs:wish_photo", args=[row.pk])).status_code == 404
    assert login(wx.volunteer2).get(page(wish)).status_code == 200


def test_a_claimant_who_gave_up_cannot_open_the_wish_another_fulfilled(wx):
    wish = wx.wish_in(S.CLAIMED)
    wish_claims.release_claim(actor=wx.volunteer, scope=scope_of(wx.volunteer), wish=fresh(wish))
    wish_claims.claim_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2), wish=fresh(wish))
    wish_claims.fulfil_wish(actor=wx.volunteer2, scope=scope_of(wx.volunteer2), wish=fresh(wish), note="送到了",
                            photo=photo())
    wish_claims.confirm_wish(actor=wx.retiree, scope=scope_of(wx.retiree), wish=fresh(wish), words="谢谢")
    assert_shut_out(wx.volunteer, wish)


def test_a_photo_kept_on_an_ended_claim_is_not_served_to_its_former_claimant(wx):
    wish = wx.wish_in(S.CLAIMED)
    expire(wish)
    services.withdraw_wish(actor=wx.staff, scope=scope_of(wx.staff), wish=fresh(wish), reason="家属已购买")
    claim = WishClaim.objects.get(wish=wish)
    row = wish_claims.save_photo(wish=wish, claim=claim, actor=wx.volunteer, upload=photo(), content_type="image/png")
    assert login(wx.volunteer).get(reverse("needs:wish_photo", args=[row.pk])).status_code == 404
    assert login(wx.staff).get(reverse("needs:wish_photo", args=[row.pk])).status_code == 200
    assert not wish_reads.visible_photos(scope_of(wx.volunteer), wx.volunteer).exists()


@pytest.mark.parametrize("state", [S.FULFILLED, S.CONFIRMED])
def test_the_claimant_who_fulfilled_the_wish_keeps_seeing_it_its_photo_and_the_confirmation(wx, state):
    wish = wx.wish_in(state)
    assert not wish_reads.wall_wishes(scope_of(wx.volunteer)).filter(pk=wish.pk).exists()  # off the wall
    client = login(wx.volunteer)
    html = client.get(page(wish)).content.decode()
    body = client.get(api(wish)).json()
    assert "一副老花镜" in html and body["title"] == "一副老花镜" and body["status"] == state
    if state == S.CONFIRMED:
        assert "谢谢" in html and body["beneficiary_words"] == "谢谢"
    row = WishPhoto.objects.get(wish=wish)
    response = client.get(reverse("needs:wish_photo", args=[row.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
