"""Micro-wish pages: the wall (visibility, masked names, counts), collecting (pre-fill from a person or a visit,
errors kept), the detail page for staff, claimants and the person, the actions, the photo, the list with its counts,
constant queries and the Excel export."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.needs.models import ClaimStatus, Wish, WishClaim, WishPhoto
from yinfa.needs.services import wish_reads
from yinfa.needs.tests.wish_fixtures import PNG, S, photo, scope_of, wish_world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"needs:{name}", args=args)


# --- the wall -----------------------------------------------------------------------------------------------------

def test_the_wall_shows_published_and_claimed_wishes_with_the_name_partly_hidden(wx):
    open_wish = wx.wish_in(S.PUBLISHED)
    taken = wx.wish_in(S.CLAIMED, person=wx.other_person)
    wx.wish_in(S.COLLECTED)
    wx.wish_in(S.FULFILLED)
    response = login(wx.volunteer2).get(url("wish_wall"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('data-testid="wish-card"') == 2
    assert "王*华" in html and "李*" in html
    assert "王国华" not in html and "李四" not in html
    assert wx.person.phone not in html and wx.person.id_number not in html
    assert f'data-wish="{open_wish.pk}"' in html and f'data-wish="{taken.pk}"' in html
    assert "Claimed by 张志愿" in html
    assert html.count('data-testid="wish-claim"') == 1  # only the open one can be claimed
    counts = {c["status"]: c["count"] for c in wish_reads.wall_counts(scope_of(wx.volunteer2))}
    assert counts == {S.PUBLISHED: 1, S.CLAIMED: 1, S.FULFILLED: 1, S.CONFIRMED: 0}
    assert 'data-testid="wall-count-published"' in html


@pytest.mark.parametrize("who", ["retiree", "other_retiree", "volunteer", "staff", "county_staff"])
def test_everyone_working_with_the_community_wall_sees_it(wx, who):
    wish = wx.wish_in(S.PUBLISHED)
    html = login(getattr(wx, who)).get(url("wish_wall")).content.decode()
    assert f'data-wish="{wish.pk}"' in html and "王*华" in html and "王国华" not in html


@pytest.mark.parametrize("who", ["secretary", "unit_staff", "volunteer", "retiree"])
def test_everyone_in_the_county_sees_the_county_wall(wx, who):
    wish = wx.wish_in(S.PUBLISHED, wall=wx.world.county_a)
    html = login(getattr(wx, who)).get(url("wish_wall")).content.decode()
    assert f'data-wish="{wish.pk}"' in html and "王*华" in html and "王国华" not in html


def test_the_beneficiary_sees_their_own_wish_on_the_wall_but_cannot_claim_it(wx):
    wx.wish_in(S.PUBLISHED)
    html = login(wx.retiree).get(url("wish_wall")).content.decode()
    assert 'data-testid="wish-mine"' in html and 'data-testid="wish-claim"' not in html


def test_a_sibling_countys_wall_is_not_seen(wx):
    wish = wx.wish_in(S.PUBLISHED)
    html = login(wx.volunteer_b).get(url("wish_wall")).content.decode()
    assert f'data-wish="{wish.pk}"' not in html and "一副老花镜" not in html
    assert 'data-testid="wall-empty"' in html
    assert login(wx.volunteer_b).get(url("wish_detail", wish.pk)).status_code == 404


def test_a_county_wall_is_seen_from_its_communities(wx):
    wish = wx.collect()
    wish.wall, wish.wall_path = wx.world.county_a, wx.world.county_a.path
    wish.save()
    wx.wish_in(S.COLLECTED)  # unpublished: not on the wall
    from yinfa.needs.services import wishes as services

    services.publish_wish(actor=wx.staff, scope=scope_of(wx.staff), wish=Wish.objects.get(pk=wish.pk))
    assert f'data-wish="{wish.pk}"' in login(wx.volunteer).get(url("wish_wall")).content.decode()


def test_a_role_without_the_wall_is_refused(wx):
    assert login(wx.world.system_admin).get(url("wish_wall")).status_code == 403


def test_claiming_from_the_wall_comes_back_to_the_wall(wx):
    wish = wx.wish_in(S.PUBLISHED)
    client = login(wx.volunteer)
    response = client.post(url("wish_claim", wish.pk), {"next": url("wish_wall")})
    assert response.status_code == 302 and response["Location"] == url("wish_wall")
    assert WishClaim.objects.get(wish=wish).claimant == wx.volunteer


def test_the_second_claimant_hears_the_wish_was_just_claimed_and_nothing_is_written(wx):
    wish = wx.wish_in(S.PUBLISHED)
    login(wx.volunteer).post(url("wish_claim", wish.pk))
    client = login(wx.volunteer2)
    response = client.post(url("wish_claim", wish.pk), {"next": url("wish_wall")}, follow=True)
    assert "This wish was just claimed by someone else" in response.content.decode()
    assert WishClaim.objects.filter(wish=wish).count() == 1


def test_a_branch_secretary_claims_a_county_wish_for_the_branch_from_the_detail_page(wx):
    wish = wx.wish_in(S.PUBLISHED, wall=wx.world.county_a)
    client = login(wx.secretary)
    html = client.get(url("wish_detail", wish.pk)).content.decode()
    assert "财政局离退休党支部" in html and 'data-testid="wish-claim-form"' in html
    client.post(url("wish_claim", wish.pk), {"org": wx.branch.pk})
    claim = WishClaim.objects.get(wish=wish)
    assert claim.claimant_org == wx.branch and claim.claimant_name == "财政局离退休党支部"


# --- collecting ---------------------------------------------------------------------------------------------------

def test_collecting_starts_with_finding_the_person(wx):
    client = login(wx.staff)
    html = client.get(url("wish_create"), {"q": "王国"}).content.decode()
    assert 'data-testid="candidate-row"' in html and f"?person={wx.person.pk}" in html


def test_a_wish_is_collected_for_a_person_with_the_community_wall_by_default(wx):
    client = login(wx.staff)
    form = client.get(url("wish_create"), {"person": wx.person.pk})
    assert form.status_code == 200 and "王国华" in form.content.decode()
    response = client.post(f"{url('wish_create')}?person={wx.person.pk}", {
        "title": "助听器", "reason": "听力下降", "estimated_cost": "900", "wall": wx.world.community_a.pk})
    wish = Wish.objects.get()
    assert response.status_code == 302 and response["Location"] == url("wish_detail", wish.pk)
    assert wish.wall == wx.world.community_a and wish.status == S.COLLECTED


def test_a_wish_from_a_visit_is_prefilled_from_its_needs_and_linked(wx):
    visit = wx.visit()
    client = login(wx.staff)
    html = client.get(url("wish_create"), {"visit": visit.pk}).content.decode()
    assert 'value="想要一个助行器"' in html and "腿脚不便" in html and 'data-testid="from-visit"' in html
    client.post(f"{url('wish_create')}?visit={visit.pk}", {
        "title": "助行器", "reason": "腿脚不便", "estimated_cost": "300", "wall": wx.world.community_a.pk})
    assert Wish.objects.get().source_visit == visit


def test_a_too_dear_wish_is_refused_on_the_form_and_nothing_typed_is_lost(wx):
    response = login(wx.staff).post(f"{url('wish_create')}?person={wx.person.pk}", {
        "title": "电动轮椅", "reason": "出门就医", "estimated_cost": "4800", "wall": wx.world.community_a.pk})
    html = response.content.decode()
    assert response.status_code == 200 and not Wish.objects.exists()
    assert "at most ¥2,000" in html and 'value="电动轮椅"' in html and "出门就医" in html


def test_people_and_visits_outside_the_scope_answer_404(wx):
    client = login(wx.staff_b)
    assert client.get(url("wish_create"), {"person": wx.person.pk}).status_code == 404
    assert client.get(url("wish_create"), {"visit": wx.visit().pk}).status_code == 404


# --- the detail page ----------------------------------------------------------------------------------------------

def test_staff_see_the_full_name_and_the_history(wx):
    wish = wx.wish_in(S.CLAIMED)
    html = login(wx.staff).get(url("wish_detail", wish.pk)).content.decode()
    assert "王国华" in html and 'data-testid="wish-steps"' in html and 'data-testid="wish-withdraw"' in html


def test_the_claimant_sees_the_masked_name_and_can_fulfil(wx):
    wish = wx.wish_in(S.CLAIMED)
    html = login(wx.volunteer).get(url("wish_detail", wish.pk)).content.decode()
    assert "王*华" in html and "王国华" not in html
    assert 'data-testid="wish-fulfil"' in html and 'data-testid="wish-release"' in html
    assert 'data-testid="wish-steps"' not in html and 'data-testid="wish-contact"' in html
    assert "claimed by 张志愿" in login(wx.volunteer2).get(url("wish_detail", wish.pk)).content.decode()


def test_the_beneficiary_confirms_their_own_wish_and_another_retiree_gets_404(wx):
    wish = wx.wish_in(S.FULFILLED)
    other = login(wx.other_retiree)
    assert other.get(url("wish_detail", wish.pk)).status_code == 404
    assert other.post(url("wish_confirm", wish.pk), {"words": "x"}).status_code == 404
    client = login(wx.retiree)
    html = client.get(url("wish_detail", wish.pk)).content.decode()
    assert "王国华" in html and 'data-testid="wish-confirm"' in html and 'data-testid="wish-photo"' in html
    assert client.get(url("wish_confirm", wish.pk)).status_code == 200
    response = client.post(url("wish_confirm", wish.pk), {"words": "感谢党组织"})
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == S.CONFIRMED and not wish.confirmed_by_proxy and wish.beneficiary_words == "感谢党组织"


def test_staff_confirm_for_the_person_by_proxy_on_the_page(wx):
    wish = wx.wish_in(S.FULFILLED)
    login(wx.staff).post(url("wish_confirm", wish.pk), {"words": ""})
    wish.refresh_from_db()
    assert wish.status == S.CONFIRMED and wish.confirmed_by_proxy


def test_the_staffs_steps_on_the_pages(wx):
    client = login(wx.staff)
    wish = wx.wish_in(S.COLLECTED)
    assert client.post(url("wish_publish", wish.pk), {"confirm": "True"}).status_code == 302
    wish.refresh_from_db()
    assert wish.status == S.PUBLISHED and wish.published_at is not None
    response = client.post(url("wish_withdraw", wish.pk), {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    client.post(url("wish_withdraw", wish.pk), {"reason": "家属已购买"})
    wish.refresh_from_db()
    assert wish.status == S.WITHDRAWN and wish.reason_closed == "家属已购买"
    rejected = wx.wish_in(S.COLLECTED)
    client.post(url("wish_reject", rejected.pk), {"reason": "属于困难帮扶"})
    rejected.refresh_from_db()
    assert rejected.status == S.REJECTED


def test_a_step_the_state_no_longer_allows_comes_back_with_a_message(wx):
    wish = wx.wish_in(S.PUBLISHED)
    client = login(wx.staff)
    response = client.get(url("wish_publish", wish.pk))
    assert response.status_code == 302 and response["Location"] == url("wish_detail", wish.pk)
    response = client.post(url("wish_publish", wish.pk), {"confirm": "True"}, follow=True)
    assert "Only a collected wish can be published" in response.content.decode()


def test_a_step_the_role_may_not_take_is_forbidden(wx):
    wish = wx.wish_in(S.CLAIMED)
    assert login(wx.volunteer2).get(url("wish_fulfil", wish.pk)).status_code == 403
    assert login(wx.volunteer2).post(url("wish_release", wish.pk), {}).status_code == 403
    assert login(wx.volunteer).get(url("wish_publish", wish.pk)).status_code == 403  # no CARE_MANAGE


def test_fulfilling_on_the_page_needs_a_photo(wx):
    wish = wx.wish_in(S.CLAIMED)
    client = login(wx.volunteer)
    page = client.get(url("wish_fulfil", wish.pk)).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="photo"' in page
    response = client.post(url("wish_fulfil", wish.pk), {"note": "送到了"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(url("wish_fulfil", wish.pk), {"note": "送到了", "photo": photo()})
    assert response.status_code == 302
    wish.refresh_from_db()
    assert wish.status == S.FULFILLED and WishPhoto.objects.filter(wish=wish).count() == 1


# --- the photo ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [("staff", 200), ("county_staff", 200), ("volunteer", 200),
                                             ("retiree", 200), ("volunteer2", 404), ("other_retiree", 404),
                                             ("secretary", 404), ("staff_b", 404), ("volunteer_b", 404)])
def test_the_photo_is_served_only_to_staff_in_scope_the_claimant_and_the_person(wx, who, status):
    wish = wx.wish_in(S.FULFILLED)
    row = WishPhoto.objects.get(wish=wish)
    response = login(getattr(wx, who)).get(url("wish_photo", row.pk))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PNG
        assert response["Content-Type"] == "image/png" and "no-store" in response["Cache-Control"]


# --- the staff's list ---------------------------------------------------------------------------------------------

def test_the_list_filters_by_status_wall_year_and_person(wx):
    published = wx.wish_in(S.PUBLISHED)
    other = wx.wish_in(S.COLLECTED, person=wx.other_person)
    client = login(wx.staff)
    html = client.get(url("wish_list")).content.decode()
    assert html.count('data-testid="wish-row"') == 2 and "王国华" in html and "李四" in html
    html = client.get(url("wish_list"), {"status": S.PUBLISHED}).content.decode()
    assert html.count('data-testid="wish-row"') == 1 and url("wish_detail", published.pk) in html
    html = client.get(url("wish_list"), {"person": wx.other_person.pk}).content.decode()
    assert html.count('data-testid="wish-row"') == 1 and url("wish_detail", other.pk) in html
    html = client.get(url("wish_list"), {"wall": wx.world.community_a.pk}).content.decode()
    assert html.count('data-testid="wish-row"') == 2
    html = client.get(url("wish_list"), {"year": datetime.date.today().year - 1}).content.decode()
    assert 'data-testid="wish-empty"' in html


def test_the_list_of_a_sibling_county_is_empty(wx):
    wx.wish_in(S.PUBLISHED)
    html = login(wx.staff_b).get(url("wish_list")).content.decode()
    assert "王国华" not in html and 'data-testid="wish-row"' not in html


def test_counts_per_status_and_per_organisation_below_the_scope(wx):
    for state in (S.COLLECTED, S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CONFIRMED, S.REJECTED):
        wx.wish_in(state)
    at_county = wx.collect()
    Wish.objects.filter(pk=at_county.pk).update(wall=wx.world.county_a, wall_path=wx.world.county_a.path)
    county = scope_of(wx.county_staff)
    with CaptureQueriesContext(connection) as queries:
        counts = wish_reads.counts_for_scope(county)
    assert len(queries) == 2
    by_status = {c["status"]: c["count"] for c in counts.by_status}
    assert by_status == {S.COLLECTED: 2, S.PUBLISHED: 1, S.CLAIMED: 1, S.FULFILLED: 1, S.CONFIRMED: 1,
                         S.REJECTED: 1, S.WITHDRAWN: 0}
    rows = {row.name: row for row in counts.rows}
    assert rows["城关镇"].cells == [1, 1, 1, 1, 1] and rows["城关镇"].cost == 5 * 180
    assert rows["甲县"].kind == "own" and rows["甲县"].cells == [1, 0, 0, 0, 0]
    assert rows["甲县财政局"].total == 0
    assert counts.total.cells == [2, 1, 1, 1, 1] and counts.total.cost == 6 * 180
    html = login(wx.county_staff).get(url("wish_list")).content.decode()
    assert 'data-testid="wish-count-table"' in html and "¥1,080.00" in html


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("wish_list")).status_code == 200
    return len(queries)


def _wall_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("wish_wall")).status_code == 200
    return len(queries)


def test_the_list_and_the_wall_run_a_constant_number_of_queries(wx):
    staff, volunteer = login(wx.staff), login(wx.volunteer2)
    for _ in range(2):
        wx.wish_in(S.PUBLISHED)
    list_few, wall_few = _list_queries(staff), _wall_queries(volunteer)
    for state in (S.CLAIMED, S.FULFILLED, S.COLLECTED) * 6:
        wx.wish_in(state)
    for _ in range(4):
        wx.wish_in(S.PUBLISHED, person=wx.other_person)
    assert _list_queries(staff) == list_few
    assert _wall_queries(volunteer) == wall_few


def test_the_detail_page_runs_a_constant_number_of_queries(wx):
    wish = wx.wish_in(S.FULFILLED)
    client = login(wx.staff)
    with CaptureQueriesContext(connection) as first:
        client.get(url("wish_detail", wish.pk))
    for _ in range(3):
        WishClaim.objects.create(wish=wish, claimant=wx.volunteer2, claimant_name="赵志愿",
                                 fulfil_by=datetime.date.today(), status=ClaimStatus.EXPIRED)
    with CaptureQueriesContext(connection) as second:
        client.get(url("wish_detail", wish.pk))
    assert len(first) == len(second)


def test_the_export_has_the_names_in_full_and_is_audited(wx):
    wx.wish_in(S.CLAIMED)
    wx.wish_in(S.COLLECTED, person=wx.other_person)
    response = login(wx.staff).get(url("wish_export"), {"status": S.CLAIMED})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "王国华" and rows[1][2] == "一副老花镜" and rows[1][9] == "张志愿"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="needs.wish")
    assert event.personal_data and event.detail == {"filters": {"status": S.CLAIMED}, "rows": 1}


def test_the_list_loads_more_by_cursor(wx, monkeypatch):
    from yinfa.needs.views import wishes as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [wx.wish_in(S.COLLECTED) for _ in range(3)]
    client = login(wx.staff)
    first = client.get(url("wish_list"))
    assert first.content.decode().count('data-testid="wish-row"') == 2
    more = client.get(url("wish_list"), {"before": made[1].pk}, HTTP_HX_REQUEST="true")
    html = more.content.decode()
    assert html.count('data-testid="wish-row"') == 1 and url("wish_detail", made[0].pk) in html
    assert "<html" not in html


# The community's administrator: staff for the person, and a claimer too (SERVICE_FULFIL).
STAFF_BUTTONS = {S.COLLECTED: {"publish", "reject", "withdraw"}, S.PUBLISHED: {"withdraw", "claim"},
                 S.CLAIMED: {"withdraw"}, S.FULFILLED: {"confirm"}, S.CONFIRMED: set(), S.REJECTED: set(),
                 S.WITHDRAWN: set()}
ALL_BUTTONS = {"publish", "reject", "withdraw", "claim", "release", "fulfil", "confirm"}


@pytest.mark.parametrize("state", list(STAFF_BUTTONS))
def test_the_detail_page_offers_the_staff_exactly_the_steps_of_the_state(wx, state):
    wish = wx.wish_in(state)
    response = login(wx.staff).get(url("wish_detail", wish.pk))
    html = response.content.decode()
    assert response.status_code == 200 and "王国华" in html
    shown = {name for name in ALL_BUTTONS if f'data-testid="wish-{name}"' in html}
    assert shown == STAFF_BUTTONS[state]
    if state in (S.REJECTED, S.WITHDRAWN):
        assert 'data-testid="wish-closed-reason"' in html
    if state == S.CONFIRMED:
        assert 'data-testid="wish-confirmation"' in html and "谢谢" in html
    for name in ALL_BUTTONS - {"claim"}:
        page = login(wx.staff).get(url(f"wish_{name}", wish.pk))
        if name in STAFF_BUTTONS[state]:
            assert page.status_code == 200 and f'data-testid="action-{name}"' in page.content.decode()
        else:
            assert page.status_code in (302, 403)


def test_a_wish_from_a_visit_shows_the_visit_to_staff(wx):
    wish = wx.collect(source_visit=wx.visit())
    html = login(wx.staff).get(url("wish_detail", wish.pk)).content.decode()
    assert 'data-testid="wish-visit"' in html
