"""The order pages for staff: the needs list (scope, filters, statistics, load more, constant queries, export),
ordering for a retiree (search, from a visit, family), the order page and the step pages."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.needs.filters_orders import statistics
from yinfa.needs.models import OrderChannel, OrderStep, ServiceCategory, ServiceOrder
from yinfa.needs.tests.order_fixtures import S, make_item, order_world, scope_of  # noqa: F401
from yinfa.needs.views import orders as views

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"needs:{name}", args=args)


# --- the needs list -------------------------------------------------------------------------------------------

def test_the_community_sees_its_orders_and_the_sibling_county_none(ow):
    ow.order_in(S.SUBMITTED, details="想剪短一点")
    page = login(ow.staff).get(url("order_list"))
    assert [o.person.name for o in page.context["orders"]] == ["王国华"]
    sibling = login(ow.staff_b).get(url("order_list")).content.decode()
    assert "王国华" not in sibling and 'data-testid="order-empty"' in sibling


def test_the_unit_sees_the_orders_of_its_retirees(ow):
    ow.order_in(S.SUBMITTED)
    assert len(login(ow.unit_staff).get(url("order_list")).context["orders"]) == 1


def test_old_closed_orders_leave_the_list_but_open_ones_stay(ow):
    old_closed, old_open, recent = (ow.order_in(S.CANCELLED), ow.order_in(S.ACCEPTED), ow.order_in(S.CONFIRMED))
    long_ago = timezone.now() - datetime.timedelta(days=120)
    ServiceOrder.objects.filter(pk__in=[old_closed.pk, old_open.pk]).update(created_at=long_ago)
    client = login(ow.staff)
    assert {o.pk for o in client.get(url("order_list")).context["orders"]} == {old_open.pk, recent.pk}
    everything = client.get(url("order_list"), {"period": "all"}).context["orders"]
    assert {o.pk for o in everything} == {old_closed.pk, old_open.pk, recent.pk}


def test_the_filters_narrow_the_list(ow):
    meal = make_item(ow.world.community_a, name="助餐", category=ServiceCategory.ERRANDS)
    haircut = ow.order_in(S.ASSIGNED)
    by_family = ow.place(item=meal, channel=OrderChannel.FAMILY, actor=ow.staff)
    client = login(ow.staff)

    def pks(**query):
        return {o.pk for o in client.get(url("order_list"), query).context["orders"]}

    assert pks(status="assigned") == {haircut.pk}
    assert pks(category="errands") == {by_family.pk}
    assert pks(channel="family") == {by_family.pk}
    assert pks(provider=ow.by_volunteer.pk) == {haircut.pk}
    assert pks(q="助餐") == {by_family.pk}
    today = timezone.localdate()
    assert pks(date_from=today.isoformat(), date_to=today.isoformat()) == {haircut.pk, by_family.pk}
    assert pks(date_from=(today + datetime.timedelta(days=1)).isoformat()) == set()


def test_a_provider_outside_the_scope_matches_nothing(ow):
    from yinfa.needs.tests.order_fixtures import make_resource

    ow.order_in(S.ASSIGNED)
    foreign = make_resource(ow.world.county_b, name="乙县")
    response = login(ow.staff).get(url("order_list"), {"provider": foreign.pk})
    assert response.context["orders"] == [] and 'data-testid="filter-errors"' in response.content.decode()


def test_the_statistics_count_statuses_kinds_on_time_and_the_average_rating(ow):
    meal = make_item(ow.world.community_a, name="助餐", category=ServiceCategory.ERRANDS)
    first = ow.order_in(S.CONFIRMED)
    ServiceOrder.objects.filter(pk=first.pk).update(rating=4)
    late = ow.order_in(S.CONFIRMED)
    ServiceOrder.objects.filter(pk=late.pk).update(rating=1, due_on=datetime.date(2020, 1, 1))
    ow.order_in(S.DONE)
    ow.place(item=meal)
    ow.order_in(S.CANCELLED)
    figures = statistics(ServiceOrder.objects.visible_to(scope_of(ow.staff)))
    by_status = {row["status"]: row["count"] for row in figures["by_status"]}
    assert by_status == {"submitted": 1, "accepted": 0, "assigned": 0, "done": 1, "confirmed": 2, "cancelled": 1,
                         "rejected": 0}
    assert [(row["category"], row["count"]) for row in figures["by_category"]] == [("haircut", 4), ("errands", 1)]
    assert (figures["finished"], figures["on_time"], figures["on_time_rate"]) == (3, 2, 66.7)
    assert (figures["rated"], figures["average_rating"]) == (2, 2.5)
    page = login(ow.staff).get(url("order_list")).content.decode()
    assert 'data-testid="stat-on-time">66.7%' in page and 'data-testid="stat-rating">2.5' in page


def test_the_statistics_take_two_queries(ow, django_assert_num_queries):
    ow.order_in(S.CONFIRMED)
    scope = scope_of(ow.staff)
    with django_assert_num_queries(2):
        statistics(ServiceOrder.objects.visible_to(scope))


def test_the_list_loads_more_by_keyset(ow, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [ow.place() for _ in range(3)]
    client = login(ow.staff)
    first = client.get(url("order_list"))
    assert [o.pk for o in first.context["orders"]] == [made[2].pk, made[1].pk]
    more = client.get(first.context["next_url"], headers={"HX-Request": "true"})
    assert [o.pk for o in more.context["orders"]] == [made[0].pk]
    assert "<html" not in more.content.decode() and more.context["stats"] is None


def test_the_list_runs_a_constant_number_of_queries(ow, django_assert_max_num_queries):
    def load(count):
        ServiceOrder.objects.all().delete()
        for i in range(count):
            ow.order_in(S.ASSIGNED if i % 2 else S.SUBMITTED)
        client = login(ow.staff)
        client.get(url("order_list"))
        with django_assert_max_num_queries(16) as captured:
            response = client.get(url("order_list"))
        assert len(response.context["orders"]) == count
        return len(captured)

    assert load(2) == load(20)


def test_the_export_holds_the_filtered_orders_and_is_audited(ow):
    ow.order_in(S.CONFIRMED)
    ow.order_in(S.SUBMITTED)
    response = login(ow.staff).get(url("order_export"), {"status": "confirmed"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "王国华" and rows[1][4] == "上门理发" and rows[1][15] == 5
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="needs.serviceorder")
    assert event.detail == {"filters": {"status": "confirmed"}, "rows": 1} and event.personal_data
    assert not any(ow.person.phone in str(cell) for row in rows for cell in row if cell)


# --- what a volunteer reads -----------------------------------------------------------------------------------

def look_after(person, carer):
    from yinfa.care.models import CareAssignment

    today = datetime.date.today()
    return CareAssignment.objects.create(person=person, carer=carer, interval_days=7, started_on=today,
                                         next_due_on=today)


def test_a_volunteer_opens_only_the_orders_assigned_to_them_or_placed_by_them(ow):
    theirs = ow.order_in(S.ASSIGNED)  # assigned to ow.volunteer
    others = ow.order_in(S.SUBMITTED, person=ow.other_person, channel=OrderChannel.STAFF)
    look_after(ow.other_person, ow.volunteer)
    placed = ow.place(person=ow.other_person, channel=OrderChannel.FAMILY, actor=ow.volunteer)
    client = login(ow.volunteer)
    assert client.get(url("order_detail", theirs.pk)).status_code == 200
    assert client.get(url("order_detail", placed.pk)).status_code == 200
    page = client.get(url("order_detail", others.pk))
    assert page.status_code == 404 and "李四" not in page.content.decode()
    assert login(ow.volunteer2).get(url("order_detail", theirs.pk)).status_code == 404
    assert login(ow.staff).get(url("order_detail", others.pk)).status_code == 200


# --- ordering for a retiree -----------------------------------------------------------------------------------

def test_staff_find_the_retiree_by_name_within_their_scope(ow):
    client = login(ow.staff)
    found = client.get(url("order_create"), {"q": "王国"}).context["found"]
    assert [p.name for p in found] == ["王国华"]
    assert login(ow.staff_b).get(url("order_create"), {"q": "王国"}).context["found"] == []
    assert login(ow.staff_b).get(url("order_create"), {"person": ow.person.pk}).status_code == 404


def test_staff_order_for_family_on_the_phone_and_the_proxy_is_recorded(ow):
    client = login(ow.staff)
    response = client.post(url("order_create") + f"?person={ow.person.pk}", {
        "item": ow.item.pk, "details": "儿子来电", "channel": "family", "proxy_name": "王小明",
        "proxy_relation": "儿子"})
    order = ServiceOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == url("order_detail", order.pk)
    assert (order.channel, order.proxy_name, order.proxy_relation, order.ordered_by) == (
        OrderChannel.FAMILY, "王小明", "儿子", ow.staff)
    page = client.get(url("order_detail", order.pk)).content.decode()
    assert "王小明 (儿子)" in page


def test_a_family_order_without_the_family_members_name_keeps_what_was_typed(ow):
    response = login(ow.staff).post(url("order_create") + f"?person={ow.person.pk}", {
        "item": ow.item.pk, "details": "请尽快安排", "channel": "family", "proxy_name": "", "proxy_relation": ""})
    assert response.status_code == 200 and not ServiceOrder.objects.exists()
    html = response.content.decode()
    assert "Give the name of the family member" in html and "请尽快安排" in html


def test_a_volunteer_orders_for_a_retiree_they_look_after_and_then_follows_that_order(ow):
    look_after(ow.person, ow.volunteer2)
    client = login(ow.volunteer2)
    response = client.post(url("order_create") + f"?person={ow.person.pk}", {"item": ow.item.pk, "channel": "staff"})
    assert response.status_code == 302
    order = ServiceOrder.objects.get()
    assert order.proxy_name == "赵志愿" and response["Location"] == url("order_detail", order.pk)
    assert client.get(url("order_detail", order.pk)).status_code == 200


def test_a_volunteer_finds_only_the_people_they_serve(ow):
    client = login(ow.volunteer2)
    assert client.get(url("order_create"), {"q": "王国"}).context["found"] == []
    assert client.get(url("order_create"), {"person": ow.person.pk}).status_code == 404
    assert client.post(url("order_create") + f"?person={ow.person.pk}",
                       {"item": ow.item.pk, "channel": "staff"}).status_code == 404
    look_after(ow.other_person, ow.volunteer2)
    assert [p.name for p in client.get(url("order_create")).context["found"]] == ["李四"]  # theirs, unasked
    assert client.get(url("order_create"), {"q": "王国"}).context["found"] == []
    assert [p.name for p in client.get(url("order_create"), {"q": "李"}).context["found"]] == ["李四"]
    assert client.get(url("order_create"), {"person": ow.other_person.pk}).status_code == 200
    assert not ServiceOrder.objects.exists()


def test_a_volunteer_cannot_turn_a_visit_into_an_order_nor_read_its_notes(ow):
    from yinfa.care.models import Visit, VisitKind

    visit = Visit.objects.create(person=ow.person, kind=VisitKind.ROUTINE, visited_on=datetime.date.today(),
                                 visitors="社区", feedback="家中有矛盾，情绪低落", needs="头发长了想理发")
    look_after(ow.person, ow.volunteer2)
    client = login(ow.volunteer2)
    page = client.get(url("order_create"), {"visit": visit.pk})
    assert page.status_code == 403 and "情绪低落" not in page.content.decode()
    assert client.post(url("order_create") + f"?visit={visit.pk}", {
        "item": ow.item.pk, "details": "x", "channel": "visit"}).status_code == 403
    assert not ServiceOrder.objects.exists()


def test_a_retiree_cannot_use_the_staff_order_page(ow):
    assert login(ow.retiree).get(url("order_create")).status_code == 403


def test_an_order_from_a_visit_is_prefilled_and_linked(ow):
    from yinfa.care.models import Visit, VisitKind

    visit = Visit.objects.create(person=ow.person, kind=VisitKind.ROUTINE, visited_on=datetime.date.today(),
                                 visitors="社区", feedback="身体还好", needs="头发长了想理发")
    client = login(ow.staff)
    page = client.get(url("order_create"), {"visit": visit.pk})
    assert page.context["person"] == ow.person
    assert page.context["form"].initial["details"] == "头发长了想理发\n身体还好"
    response = client.post(url("order_create") + f"?visit={visit.pk}", {
        "item": ow.item.pk, "details": "头发长了想理发", "channel": "visit"})
    assert response.status_code == 302
    order = ServiceOrder.objects.get()
    assert order.source_visit == visit and order.channel == OrderChannel.VISIT
    assert login(ow.staff_b).get(url("order_create"), {"visit": visit.pk}).status_code == 404


# --- the order page and its steps -----------------------------------------------------------------------------

def test_the_order_page_shows_the_steps_and_only_the_buttons_of_the_role(ow):
    order = ow.order_in(S.ASSIGNED)
    staff_page = login(ow.staff).get(url("order_detail", order.pk)).content.decode()
    assert 'data-testid="action-assign"' in staff_page and 'data-testid="action-done"' not in staff_page
    assert staff_page.count('data-testid="order-step"') == 3
    volunteer_page = login(ow.volunteer).get(url("order_detail", order.pk)).content.decode()
    assert 'data-testid="action-done"' in volunteer_page and 'data-testid="action-assign"' not in volunteer_page


def test_staff_accept_and_assign_through_the_pages(ow):
    order = ow.place()
    client = login(ow.staff)
    assert client.post(url("order_accept", order.pk), {"comment": "马上安排"}).status_code == 302
    assert client.get(url("order_assign", order.pk)).status_code == 200
    response = client.post(url("order_assign", order.pk), {"provider": ow.by_volunteer.pk, "comment": "周三上午"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.provider, order.assignee) == (S.ASSIGNED, ow.by_volunteer, ow.volunteer)
    assert OrderStep.objects.filter(order=order, to_status=S.ASSIGNED).get().comment == "周三上午"


def test_a_reason_is_required_on_the_reject_page_and_nothing_changes_without_it(ow):
    order = ow.place()
    response = login(ow.staff).post(url("order_reject", order.pk), {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    assert ServiceOrder.objects.get(pk=order.pk).status == S.SUBMITTED


def test_a_step_the_state_no_longer_allows_is_shown_on_the_form(ow):
    order = ow.order_in(S.ACCEPTED)
    response = login(ow.staff).post(url("order_accept", order.pk), {})
    assert response.status_code == 200 and "cannot become" in response.content.decode()


def test_a_step_by_someone_who_may_not_take_it_answers_403(ow):
    order = ow.place()
    assert login(ow.unit_staff).post(url("order_accept", order.pk), {}).status_code == 403
    assert login(ow.unit_staff).post(url("order_reject", order.pk), {"reason": "x"}).status_code == 403
    assert login(ow.volunteer2).post(url("order_accept", order.pk), {}).status_code == 404  # not theirs to see
    assert ServiceOrder.objects.get(pk=order.pk).status == S.SUBMITTED


def test_opening_a_step_that_is_not_possible_goes_back_to_the_order(ow):
    order = ow.order_in(S.CONFIRMED)
    response = login(ow.staff).get(url("order_accept", order.pk))
    assert response.status_code == 302 and response["Location"] == url("order_detail", order.pk)


def test_staff_confirm_for_the_retiree_on_the_page(ow):
    order = ow.order_in(S.DONE)
    response = login(ow.staff).post(url("order_confirm", order.pk), {"rating": "4", "proxy_name": "王国华",
                                                                     "proxy_relation": "本人电话确认"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.rating == 4 and order.confirmed_by_proxy
    assert 'data-testid="by-proxy"' in login(ow.staff).get(url("order_detail", order.pk)).content.decode()


def test_the_order_page_runs_a_constant_number_of_queries(ow, django_assert_max_num_queries):
    def load(reassignments):
        order = ow.order_in(S.ASSIGNED)
        for i in range(reassignments):
            ow.act("assign", order, ow.staff, provider=ow.by_shop if i % 2 == 0 else ow.by_volunteer)
        client = login(ow.staff)
        client.get(url("order_detail", order.pk))
        with django_assert_max_num_queries(14) as captured:
            client.get(url("order_detail", order.pk))
        return len(captured)

    assert load(1) == load(12)
