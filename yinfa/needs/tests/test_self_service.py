"""The module's entry and the pages of those served and serving: each role lands on its page; the retiree orders
from their menu with big buttons, sees only their own orders, confirms and rates, cancels; the volunteer sees the
orders assigned to them, marks them done, and their wish claims."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from yinfa.core.permissions import Role
from yinfa.core.testing import login, make_user
from yinfa.needs.models import OrderChannel, ServiceOrder, Wish, WishClaim, WishStatus
from yinfa.needs.tests.order_fixtures import S, make_item, order_world  # noqa: F401

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"needs:{name}", args=args)


@pytest.mark.parametrize(("who", "target"), [("staff", "order_list"), ("unit_staff", "order_list"),
                                             ("volunteer", "my_tasks"), ("retiree", "self_home")])
def test_the_module_sends_each_role_to_its_page(ow, who, target):
    response = login(getattr(ow, who)).get(url("home"))
    assert response.status_code == 302 and response["Location"] == url(target)


def test_the_module_refuses_a_role_without_services(ow):
    assert login(ow.world.security_admin).get(url("home")).status_code == 403


# --- the retiree's own page -----------------------------------------------------------------------------------

def test_the_retiree_sees_the_menu_of_their_community_and_above_as_big_buttons(ow):
    make_item(ow.world.county_a, name="老年大学报名")
    make_item(ow.world.city, name="市级法律咨询")
    make_item(ow.world.community_b, name="乙县助餐")
    make_item(ow.world.community_a, name="停用的服务", active=False)
    make_item(ow.world.unit_a, name="单位服务")  # the former unit is not on the residence's path
    page = login(ow.retiree).get(url("self_home")).content.decode()
    assert page.count('data-testid="menu-button"') == 3
    for name in ("上门理发", "老年大学报名", "市级法律咨询"):
        assert name in page
    for name in ("乙县助餐", "停用的服务", "单位服务"):
        assert name not in page
    assert "yf-menu-button" in page and "needs/needs.css" in page


def test_the_retiree_orders_with_a_tap_and_lands_on_their_order(ow):
    client = login(ow.retiree)
    form = client.get(url("self_order"), {"item": ow.item.pk})
    assert form.status_code == 200 and 'data-testid="self-promise"' in form.content.decode()
    response = client.post(url("self_order"), {"item": ow.item.pk, "details": "想剪短一点"})
    order = ServiceOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == url("order_detail", order.pk)
    assert (order.person, order.channel, order.ordered_by, order.details) == (
        ow.person, OrderChannel.SELF, ow.retiree, "想剪短一点")
    own_page = client.get(url("order_detail", order.pk)).content.decode()
    assert 'data-testid="self-order-page"' in own_page and 'data-testid="action-cancel"' in own_page


def test_a_service_of_another_community_cannot_be_ordered_from_the_own_page(ow):
    foreign = make_item(ow.world.community_b, name="乙县助餐")
    client = login(ow.retiree)
    assert client.get(url("self_order"), {"item": foreign.pk}).status_code == 404
    assert client.post(url("self_order"), {"item": foreign.pk}).status_code == 404
    assert client.get(url("self_order"), {"item": "x"}).status_code == 404
    assert not ServiceOrder.objects.exists()


def test_a_retiree_sees_only_their_own_orders_and_another_retirees_order_is_404(ow):
    mine = ow.order_in(S.SUBMITTED)
    theirs = ow.order_in(S.SUBMITTED, person=ow.other_person)
    client = login(ow.retiree)
    page = client.get(url("self_home"))
    assert [o.pk for o in page.context["orders"]] == [mine.pk]
    assert client.get(url("order_detail", mine.pk)).status_code == 200
    for name in ("order_detail", "order_confirm", "order_cancel", "order_accept"):
        assert client.get(url(name, theirs.pk)).status_code == 404
    assert client.post(url("order_cancel", theirs.pk), {"reason": "x"}).status_code == 404
    assert client.get(url("order_list")).status_code == 403
    assert ServiceOrder.objects.get(pk=theirs.pk).status == S.SUBMITTED


def test_the_retiree_confirms_and_rates_with_big_stars(ow):
    order = ow.order_in(S.DONE)
    client = login(ow.retiree)
    home = client.get(url("self_home")).content.decode()
    assert 'data-testid="self-confirm"' in home
    form = client.get(url("order_confirm", order.pk)).content.decode()
    assert 'data-testid="rating"' in form and "yf-self" in form and 'name="proxy_name"' not in form
    assert client.post(url("order_confirm", order.pk), {"rating": "7"}).status_code == 200
    response = client.post(url("order_confirm", order.pk), {"rating": "5", "comment": "很满意"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.rating, order.rating_comment, order.confirmed_by_proxy) == (
        S.CONFIRMED, 5, "很满意", False)


def test_the_retiree_cancels_before_it_is_done_with_a_reason(ow):
    order = ow.order_in(S.ASSIGNED)
    client = login(ow.retiree)
    assert client.post(url("order_cancel", order.pk), {"reason": ""}).status_code == 200
    assert client.post(url("order_cancel", order.pk), {"reason": "孩子回来帮我了"}).status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == S.CANCELLED
    done = ow.order_in(S.DONE)
    page = client.get(url("order_detail", done.pk)).content.decode()
    assert 'data-testid="action-cancel"' not in page
    assert client.post(url("order_cancel", done.pk), {"reason": "不要了"}).status_code == 200  # state: refused
    assert ServiceOrder.objects.get(pk=done.pk).status == S.DONE


def test_an_account_not_linked_to_a_file_is_told_what_to_do(ow):
    stranger = make_user("new_retiree", role=Role.RETIREE, node=ow.world.community_a)
    client = login(stranger)
    assert 'data-testid="self-unlinked"' in client.get(url("self_home")).content.decode()
    assert client.get(url("self_order"), {"item": ow.item.pk}).status_code == 404


def test_the_retiree_sees_the_wishes_fulfilled_for_them(ow):
    Wish.objects.create(person=ow.person, title="一副老花镜", reason="看报", estimated_cost=Decimal("100"),
                        status=WishStatus.FULFILLED, wall=ow.world.community_a, wall_path=ow.world.community_a.path)
    Wish.objects.create(person=ow.other_person, title="别人的心愿", reason="x", estimated_cost=Decimal("100"),
                        status=WishStatus.FULFILLED, wall=ow.world.community_a, wall_path=ow.world.community_a.path)
    page = login(ow.retiree).get(url("self_home")).content.decode()
    assert "一副老花镜" in page and "别人的心愿" not in page


def test_the_retiree_page_runs_a_constant_number_of_queries(ow, django_assert_max_num_queries):
    def load(count):
        ServiceOrder.objects.all().delete()
        for _ in range(count):
            ow.order_in(S.ASSIGNED)
        client = login(ow.retiree)
        client.get(url("self_home"))
        with django_assert_max_num_queries(14) as captured:
            client.get(url("self_home"))
        return len(captured)

    assert load(2) == load(20)


# --- the volunteer's tasks ------------------------------------------------------------------------------------

def test_the_volunteer_sees_the_orders_assigned_to_them_and_marks_one_done(ow):
    mine = ow.order_in(S.ASSIGNED)
    ow.order_in(S.ASSIGNED, provider=ow.by_shop)  # not theirs
    client = login(ow.volunteer)
    page = client.get(url("my_tasks"))
    assert [o.pk for o in page.context["to_do"]] == [mine.pk]
    response = client.post(url("order_done", mine.pk), {"note": "已上门理发", "next": url("my_tasks")})
    assert response.status_code == 302 and response["Location"] == url("my_tasks")
    mine.refresh_from_db()
    assert (mine.status, mine.done_note) == (S.DONE, "已上门理发")
    after = client.get(url("my_tasks")).context
    assert after["to_do"] == [] and [o.pk for o in after["awaiting"]] == [mine.pk]


def test_a_volunteer_opens_an_order_assigned_to_them_even_outside_their_node(ow):
    far = make_user("vol_far", role=Role.VOLUNTEER, node=ow.world.community_b, full_name="远方志愿者")
    from yinfa.needs.tests.order_fixtures import make_resource

    resource = make_resource(ow.world.county_a, name="远方志愿者", user=far)
    order = ow.order_in(S.ASSIGNED, provider=resource)
    client = login(far)
    assert client.get(url("order_detail", order.pk)).status_code == 200
    assert client.post(url("order_done", order.pk), {"note": "完成"}).status_code == 302
    other = ow.order_in(S.ASSIGNED)
    assert client.get(url("order_detail", other.pk)).status_code == 404


def test_the_next_address_after_marking_done_is_only_ever_the_tasks_page(ow):
    order = ow.order_in(S.ASSIGNED)
    response = login(ow.volunteer).post(url("order_done", order.pk), {"note": "完成", "next": "https://evil.test/"})
    assert response["Location"] == url("order_detail", order.pk)


def test_the_volunteer_sees_their_active_wish_claims(ow):
    wish = Wish.objects.create(person=ow.person, title="一台收音机", reason="喜欢听戏", estimated_cost=Decimal("150"),
                               status=WishStatus.CLAIMED, wall=ow.world.community_a,
                               wall_path=ow.world.community_a.path)
    WishClaim.objects.create(wish=wish, claimant=ow.volunteer, claimant_name="张志愿",
                             fulfil_by=datetime.date.today() + datetime.timedelta(days=14))
    page = login(ow.volunteer).get(url("my_tasks")).content.decode()
    assert 'data-testid="task-claim"' in page and "一台收音机" in page
    assert "一台收音机" not in login(ow.volunteer2).get(url("my_tasks")).content.decode()


def test_staff_and_retirees_do_not_have_a_task_page(ow):
    assert login(ow.retiree).get(url("my_tasks")).status_code == 403
    assert login(ow.unit_staff).get(url("my_tasks")).status_code == 403
