"""The micro-wish API: the staff's list, the wall (masked names), a wish with steps and claims, collecting, the
transitions (the photo as multipart), the claims, and the reach of each user."""

import pytest
from django.urls import reverse

from yinfa.core.testing import login
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishPhoto
from yinfa.needs.tests.wish_fixtures import S, photo, wish_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def api(name, *args):
    return reverse(name, args=args)


def test_the_staffs_list_has_full_names_and_the_filters(wx):
    wx.wish_in(S.CLAIMED)
    wx.wish_in(S.COLLECTED, person=wx.other_person)
    client = login(wx.staff)
    body = client.get(api("wish-list")).json()
    assert {row["person_name"] for row in body["results"]} == {"王国华", "李四"}
    claimed = client.get(api("wish-list"), {"status": S.CLAIMED}).json()["results"]
    assert len(claimed) == 1 and claimed[0]["claimant"] == "张志愿" and claimed[0]["person"] == wx.person.pk
    assert claimed[0]["status"] == S.CLAIMED and claimed[0]["estimated_cost"] == "180.00"


def test_the_list_pages_by_cursor(wx):
    for _ in range(3):
        wx.wish_in(S.COLLECTED)
    client = login(wx.staff)
    first = client.get(api("wish-list"), {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["cursor"]
    second = client.get(api("wish-list"), {"page_size": 2, "cursor": first["cursor"]}).json()
    assert len(second["results"]) == 1 and second["next"] is None


def test_the_staffs_list_needs_care_view(wx):
    assert login(wx.volunteer).get(api("wish-list")).status_code == 403


def test_the_wall_answers_masked_names_and_never_personal_data(wx):
    wx.wish_in(S.PUBLISHED)
    wx.wish_in(S.CLAIMED, person=wx.other_person)
    wx.wish_in(S.COLLECTED)
    response = login(wx.volunteer2).get(api("wish-wall"))
    text = response.content.decode()
    rows = response.json()["results"]
    assert {row["person_name"] for row in rows} == {"王*华", "李*"}
    assert all(row["person"] is None for row in rows)
    assert "王国华" not in text and wx.person.phone not in text and wx.person.id_number not in text
    assert {row["claimant"] for row in rows} == {None, "张志愿"}
    assert login(wx.volunteer_b).get(api("wish-wall")).json()["results"] == []


def test_a_wish_shows_its_steps_and_claims_to_staff(wx):
    wish = wx.wish_in(S.FULFILLED)
    body = login(wx.staff).get(api("wish-detail", wish.pk)).json()
    assert body["person_name"] == "王国华" and body["status"] == S.FULFILLED
    assert [s["to_status"] for s in body["steps"]] == [S.COLLECTED, S.PUBLISHED, S.CLAIMED, S.FULFILLED]
    assert body["claims"][0]["status"] == ClaimStatus.FULFILLED and body["claims"][0]["claimant_name"] == "张志愿"
    assert body["actions"] == ["confirm"] and len(body["photos"]) == 1


def test_a_claimant_sees_the_masked_name_and_no_history(wx):
    wish = wx.wish_in(S.CLAIMED)
    body = login(wx.volunteer).get(api("wish-detail", wish.pk)).json()
    assert body["person_name"] == "王*华" and body["steps"] == []
    assert body["actions"] == ["fulfil", "release"]


def test_the_whole_story_through_the_api(wx):
    staff, volunteer, retiree = login(wx.staff), login(wx.volunteer), login(wx.retiree)
    created = staff.post(api("wish-list"), {"person": wx.person.pk, "title": "助听器", "reason": "听力下降",
                                            "estimated_cost": "900.00"}, content_type="application/json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["wall"]["name"] == "东门社区"
    assert staff.post(api("wish-publish", pk)).json()["status"] == S.PUBLISHED
    claimed = volunteer.post(api("wish-claim", pk), {}, content_type="application/json")
    assert claimed.status_code == 200 and claimed.json()["claimant"] == "张志愿"
    refused = login(wx.volunteer2).post(api("wish-claim", pk), {}, content_type="application/json")
    assert refused.status_code == 400 and "just claimed" in refused.json()["status"][0]
    no_photo = volunteer.post(api("wish-fulfil", pk), {"note": "送到了"})
    assert no_photo.status_code == 400 and "photo" in no_photo.json()
    fulfilled = volunteer.post(api("wish-fulfil", pk), {"note": "送到了", "photo": photo()})
    assert fulfilled.status_code == 200 and fulfilled.json()["status"] == S.FULFILLED
    confirmed = retiree.post(api("wish-confirm", pk), {"words": "谢谢"}, content_type="application/json")
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_by_proxy"] is False
    assert WishPhoto.objects.filter(wish_id=pk).count() == 1


def test_refusals_answer_400_for_the_state_and_403_for_the_actor(wx):
    wish = wx.wish_in(S.PUBLISHED)
    staff = login(wx.staff)
    state = staff.post(api("wish-publish", wish.pk))
    assert state.status_code == 400 and "status" in state.json()
    assert staff.post(api("wish-reject", wish.pk), {}, content_type="application/json").status_code == 400
    assert login(wx.retiree).post(api("wish-claim", wish.pk), {}, content_type="application/json").status_code == 403
    assert login(wx.unit_staff).post(api("wish-claim", wish.pk), {},
                                     content_type="application/json").status_code == 403
    assert login(wx.volunteer).post(api("wish-publish", wish.pk)).status_code == 403  # no CARE_MANAGE


def test_creating_checks_the_cost_and_the_scope(wx):
    staff = login(wx.staff)
    too_dear = staff.post(api("wish-list"), {"person": wx.person.pk, "title": "x", "reason": "y",
                                             "estimated_cost": "5000"}, content_type="application/json")
    assert too_dear.status_code == 400 and "estimated_cost" in too_dear.json()
    outside = login(wx.staff_b).post(api("wish-list"), {"person": wx.person.pk, "title": "x", "reason": "y",
                                                        "estimated_cost": "50"}, content_type="application/json")
    assert outside.status_code == 400 and "person" in outside.json()
    assert login(wx.volunteer).post(api("wish-list"), {}, content_type="application/json").status_code == 403
    assert not Wish.objects.exists()


def test_withdrawing_and_giving_up_through_the_api(wx):
    claimed = wx.wish_in(S.CLAIMED)
    assert login(wx.volunteer).post(api("wish-release", claimed.pk), {"reason": "出差"},
                                    content_type="application/json").json()["status"] == S.PUBLISHED
    withdrawn = login(wx.staff).post(api("wish-withdraw", claimed.pk), {"reason": "已解决"},
                                     content_type="application/json")
    assert withdrawn.json()["status"] == S.WITHDRAWN and withdrawn.json()["reason_closed"] == "已解决"


def test_claims_mine_or_in_scope(wx):
    wx.wish_in(S.CLAIMED)
    wx.wish_in(S.CLAIMED, claimant=wx.volunteer2)
    mine = login(wx.volunteer).get(api("wish-claim-list")).json()["results"]
    assert [c["claimant_name"] for c in mine] == ["张志愿"] and mine[0]["mine"] is True
    assert len(login(wx.staff).get(api("wish-claim-list")).json()["results"]) == 2
    assert len(login(wx.staff).get(api("wish-claim-list"), {"mine": "true"}).json()["results"]) == 0
    assert login(wx.staff_b).get(api("wish-claim-list")).json()["results"] == []
    claim = WishClaim.objects.get(claimant=wx.volunteer2)
    assert login(wx.volunteer).get(api("wish-claim-detail", claim.pk)).status_code == 404
    assert login(wx.staff).get(api("wish-claim-detail", claim.pk)).json()["wish_title"] == "一副老花镜"


def test_out_of_reach_wishes_answer_404(wx):
    wish = wx.wish_in(S.FULFILLED)
    assert login(wx.other_retiree).get(api("wish-detail", wish.pk)).status_code == 404
    assert login(wx.staff_b).get(api("wish-detail", wish.pk)).status_code == 404
    assert login(wx.volunteer_b).post(api("wish-confirm", wish.pk), {}).status_code == 404
    assert login(wx.retiree).get(api("wish-detail", wish.pk)).json()["person_name"] == "王国华"
