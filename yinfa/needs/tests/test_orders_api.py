"""The JSON API of resources, the menu, projects and service orders: scoped lists and details (404 outside the
scope), creation through the services, the order steps and the statistics."""

import datetime

import pytest

from yinfa.core.testing import login
from yinfa.needs.models import Frequency, OrderChannel, Resource, ServiceOrder, ServiceProject
from yinfa.needs.tests.order_fixtures import S, make_item, make_resource, order_world  # noqa: F401

pytestmark = pytest.mark.django_db
BASE = "/api/services"


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_resources_menu_and_projects_are_listed_within_the_scope(ow):
    make_resource(ow.world.county_b, name="乙县志愿队")
    ServiceProject.objects.create(node=ow.world.community_a, node_path=ow.world.community_a.path, title="每月理发",
                                  provider=ow.by_volunteer, frequency=Frequency.MONTHLY,
                                  starts_on=datetime.date(2026, 1, 1))
    client = login(ow.staff)
    resources = client.get(f"{BASE}/resources/").json()["results"]
    assert {r["provider_name"] for r in resources} == {"张志愿", "县城美发店"}
    assert client.get(f"{BASE}/resources/", {"kind": "volunteer"}).json()["results"][0]["provider_user"] == \
        ow.volunteer.pk
    assert [i["name"] for i in client.get(f"{BASE}/menu/").json()["results"]] == ["上门理发"]
    projects = client.get(f"{BASE}/projects/").json()["results"]
    assert projects[0]["title"] == "每月理发" and projects[0]["order_count"] == 0
    sibling = login(ow.staff_b)
    assert {r["provider_name"] for r in sibling.get(f"{BASE}/resources/").json()["results"]} == {"乙县志愿队"}
    assert sibling.get(f"{BASE}/resources/{ow.by_volunteer.pk}/").status_code == 404
    assert sibling.get(f"{BASE}/menu/{ow.item.pk}/").status_code == 404


def test_staff_create_a_resource_and_a_menu_item_through_the_api(ow):
    client = login(ow.staff)
    created = post(client, f"{BASE}/resources/", {
        "node": ow.world.community_a.pk, "provider_kind": "volunteer", "provider_user": ow.volunteer2.pk,
        "categories": ["errands"], "offer": "代买药品"})
    assert created.status_code == 201 and created.json()["provider_name"] == "赵志愿"
    wrong = post(client, f"{BASE}/resources/", {"node": ow.world.community_a.pk, "provider_kind": "volunteer",
                                                "categories": ["errands"], "offer": "代买药品"})
    assert wrong.status_code == 400 and "provider_user" in wrong.json()
    item = post(client, f"{BASE}/menu/", {"node": ow.world.community_a.pk, "name": "助餐", "category": "errands",
                                          "accept_days": 1, "complete_days": 2})
    assert item.status_code == 201 and item.json()["complete_days"] == 2
    outside = post(client, f"{BASE}/menu/", {"node": ow.world.community_b.pk, "name": "助餐",
                                             "category": "errands"})
    assert outside.status_code == 400 and "node" in outside.json()


def test_a_volunteer_cannot_create_entries_nor_a_retiree_read_the_lists(ow):
    assert post(login(ow.volunteer), f"{BASE}/resources/", {}).status_code == 403
    assert login(ow.retiree).get(f"{BASE}/resources/").status_code == 403


def test_orders_are_listed_with_the_needs_list_filters_and_a_cursor(ow):
    first, second = ow.order_in(S.SUBMITTED), ow.order_in(S.ASSIGNED)
    client = login(ow.staff)
    page = client.get(f"{BASE}/orders/", {"page_size": 1}).json()
    assert [r["id"] for r in page["results"]] == [second.pk] and page["cursor"] == str(second.pk)
    rest = client.get(f"{BASE}/orders/", {"page_size": 1, "cursor": page["cursor"]}).json()
    assert [r["id"] for r in rest["results"]] == [first.pk] and rest["next"] is None
    assigned = client.get(f"{BASE}/orders/", {"status": "assigned"}).json()["results"]
    assert [r["id"] for r in assigned] == [second.pk]
    assert assigned[0]["provider"] == {"id": ow.by_volunteer.pk, "name": "张志愿"}
    assert login(ow.staff_b).get(f"{BASE}/orders/").json()["results"] == []
    assert client.get(f"{BASE}/orders/", {"status": "flying"}).status_code == 400


def test_an_order_detail_holds_its_steps_and_what_the_caller_may_do(ow):
    order = ow.order_in(S.ASSIGNED)
    body = login(ow.volunteer).get(f"{BASE}/orders/{order.pk}/").json()
    assert [s["to_status"] for s in body["steps"]] == ["submitted", "accepted", "assigned"]
    assert body["actions"] == ["done"] and body["weekdays_only_years"] == []
    assert login(ow.staff_b).get(f"{BASE}/orders/{order.pk}/").status_code == 404
    assert login(ow.other_retiree).get(f"{BASE}/orders/{order.pk}/").status_code == 404


def test_the_whole_life_of_an_order_through_the_api(ow):
    retiree, staff, volunteer = login(ow.retiree), login(ow.staff), login(ow.volunteer)
    created = post(retiree, f"{BASE}/orders/", {"person": ow.person.pk, "item": ow.item.pk, "channel": "self",
                                                "details": "想剪短"})
    assert created.status_code == 201
    pk = created.json()["id"]
    assert post(staff, f"{BASE}/orders/{pk}/accept/", {}).json()["status"] == "accepted"
    assigned = post(staff, f"{BASE}/orders/{pk}/assign/", {"provider": ow.by_volunteer.pk})
    assert assigned.json()["assignee"] == ow.volunteer.pk
    assert post(volunteer, f"{BASE}/orders/{pk}/done/", {"note": "理好了"}).json()["status"] == "done"
    assert post(retiree, f"{BASE}/orders/{pk}/confirm/", {"rating": 6}).status_code == 400
    confirmed = post(retiree, f"{BASE}/orders/{pk}/confirm/", {"rating": 5, "comment": "好"}).json()
    assert (confirmed["status"], confirmed["rating"], confirmed["confirmed_by_proxy"]) == ("confirmed", 5, False)


def test_refused_steps_answer_400_for_the_state_and_403_for_the_actor(ow):
    order = ow.order_in(S.SUBMITTED)
    state = post(login(ow.staff), f"{BASE}/orders/{order.pk}/done/", {"note": "x"})
    assert state.status_code == 400 and "status" in state.json()
    actor = post(login(ow.unit_staff), f"{BASE}/orders/{order.pk}/accept/", {})
    assert actor.status_code == 403
    assert post(login(ow.volunteer2), f"{BASE}/orders/{order.pk}/accept/", {}).status_code == 404
    no_reason = post(login(ow.staff), f"{BASE}/orders/{order.pk}/reject/", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert post(login(ow.staff_b), f"{BASE}/orders/{order.pk}/accept/", {}).status_code == 404
    assert ServiceOrder.objects.get(pk=order.pk).status == S.SUBMITTED


def test_staff_order_for_family_through_the_api_and_may_not_for_someone_outside_the_scope(ow):
    body = {"person": ow.person.pk, "item": ow.item.pk, "channel": "family", "proxy_name": "王小明",
            "proxy_relation": "儿子"}
    created = post(login(ow.staff), f"{BASE}/orders/", body)
    assert created.status_code == 201 and created.json()["proxy_name"] == "王小明"
    assert ServiceOrder.objects.get().channel == OrderChannel.FAMILY
    outside = post(login(ow.staff_b), f"{BASE}/orders/", body)
    assert outside.status_code == 400 and "person" in outside.json()
    other = post(login(ow.retiree), f"{BASE}/orders/", {**body, "person": ow.other_person.pk, "channel": "self"})
    assert other.status_code == 400 and "person" in other.json()


def test_the_statistics_endpoint_uses_the_same_filters(ow):
    ow.order_in(S.CONFIRMED)
    ow.place(item=make_item(ow.world.community_a, name="助餐", category="errands"))
    figures = login(ow.staff).get(f"{BASE}/orders/statistics/").json()
    assert figures["total"] == 2 and figures["average_rating"] == 5.0 and figures["on_time_rate"] == 100.0
    only_meals = login(ow.staff).get(f"{BASE}/orders/statistics/", {"category": "errands"}).json()
    assert only_meals["total"] == 1 and only_meals["by_category"][0]["category"] == "errands"


def test_the_resource_list_api_checks_a_volunteer_account_belongs_to_the_scope(ow):
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user

    foreign = make_user("vol_b", role=Role.VOLUNTEER, node=ow.world.community_b)
    response = post(login(ow.staff), f"{BASE}/resources/", {
        "node": ow.world.community_a.pk, "provider_kind": "volunteer", "provider_user": foreign.pk,
        "categories": ["errands"], "offer": "跑腿"})
    assert response.status_code == 400 and not Resource.objects.filter(provider_user=foreign).exists()


def look_after(person, carer):
    from yinfa.care.models import CareAssignment

    today = datetime.date.today()
    return CareAssignment.objects.create(person=person, carer=carer, interval_days=7, started_on=today,
                                         next_due_on=today)


def test_a_volunteer_lists_reads_and_counts_only_the_orders_assigned_to_them_or_placed_by_them(ow):
    theirs = ow.order_in(S.CONFIRMED)  # carried out by ow.volunteer
    others = ow.order_in(S.SUBMITTED, person=ow.other_person, channel=OrderChannel.STAFF)
    look_after(ow.other_person, ow.volunteer)
    placed = ow.place(person=ow.other_person, channel=OrderChannel.FAMILY, actor=ow.volunteer)
    client = login(ow.volunteer)
    listed = client.get(f"{BASE}/orders/").json()["results"]
    assert {o["id"] for o in listed} == {theirs.pk, placed.pk}
    assert client.get(f"{BASE}/orders/statistics/").json()["total"] == 2
    assert client.get(f"{BASE}/orders/{others.pk}/").status_code == 404
    assert client.get(f"{BASE}/orders/{placed.pk}/").status_code == 200
    bystander = login(ow.volunteer2)
    assert bystander.get(f"{BASE}/orders/").json()["results"] == []
    assert bystander.get(f"{BASE}/orders/statistics/").json()["total"] == 0
    assert bystander.get(f"{BASE}/orders/{theirs.pk}/").status_code == 404
    assert login(ow.staff).get(f"{BASE}/orders/statistics/").json()["total"] == 3


def test_a_volunteer_orders_through_the_api_only_for_the_people_they_serve_and_never_from_a_visit(ow):
    from yinfa.care.models import Visit, VisitKind

    client = login(ow.volunteer2)
    body = {"person": ow.person.pk, "item": ow.item.pk, "channel": "staff"}
    refused = post(client, f"{BASE}/orders/", body)
    assert refused.status_code == 400 and "person" in refused.json()
    look_after(ow.person, ow.volunteer2)
    visit = Visit.objects.create(person=ow.person, kind=VisitKind.ROUTINE, visited_on=datetime.date.today(),
                                 visitors="社区", needs="想理发")
    from_visit = post(client, f"{BASE}/orders/", {**body, "channel": "visit", "source_visit": visit.pk})
    assert from_visit.status_code == 400 and "source_visit" in from_visit.json()
    assert not ServiceOrder.objects.exists()
    created = post(client, f"{BASE}/orders/", body)
    assert created.status_code == 201 and created.json()["person"]["id"] == ow.person.pk
    staff_from_visit = post(login(ow.staff), f"{BASE}/orders/", {**body, "channel": "visit", "source_visit": visit.pk})
    assert staff_from_visit.status_code == 201


def test_a_projects_figures_count_only_the_orders_of_the_scope(ow):
    world = ow.world
    item = make_item(world.city, name="助浴")
    provider = make_resource(world.city, name="市助浴服务队")
    project = ServiceProject.objects.create(node=world.city, node_path=world.city.path, title="全市助浴", item=item,
                                            provider=provider, frequency=Frequency.MONTHLY,
                                            starts_on=datetime.date(2026, 1, 1))
    from yinfa.people.tests.factories import make_person

    b_person = make_person(world.unit_b, community=world.community_b, name="乙县老人")
    ow.place(channel=OrderChannel.STAFF, actor=ow.staff, item=item, project=project)
    for _n in range(2):
        ow.place(person=b_person, channel=OrderChannel.STAFF, actor=ow.staff_b, item=item, project=project)

    def count(user):
        found = login(user).get(f"{BASE}/projects/").json()["results"]
        assert login(user).get(f"{BASE}/projects/{project.pk}/").json()["order_count"] == found[0]["order_count"]
        return found[0]["order_count"]

    assert (count(ow.staff), count(ow.staff_b), count(world.city_admin)) == (1, 2, 3)
