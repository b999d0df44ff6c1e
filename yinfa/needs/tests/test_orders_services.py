"""The order state machine: every state × action × actor (allowed, refused for the state, refused for the actor),
placing orders (self, staff, family, visit), reasons, ratings, proxies, notifications and concurrency."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yinfa.core.models import AuditAction, AuditEvent, Notification
from yinfa.needs.models import OrderChannel, OrderStatus, OrderStep, ServiceOrder
from yinfa.needs.services import orders as services
from yinfa.needs.tests.order_fixtures import ACTIONS, STATES, S, make_item, order_world, scope_of  # noqa: F401

pytestmark = pytest.mark.django_db

ACTORS = ["retiree", "other_retiree", "staff", "county_staff", "unit_staff", "assignee", "volunteer2", "staff_b"]
HANDLERS = {"staff", "county_staff"}
# Who may take each step (written out by hand, not read from the service's table).
ALLOWED = {
    (S.SUBMITTED, "accept"): HANDLERS,
    (S.SUBMITTED, "reject"): HANDLERS,
    (S.SUBMITTED, "cancel"): HANDLERS | {"retiree"},
    (S.ACCEPTED, "assign"): HANDLERS,
    (S.ACCEPTED, "reject"): HANDLERS,
    (S.ACCEPTED, "cancel"): HANDLERS | {"retiree"},
    (S.ASSIGNED, "assign"): HANDLERS,
    (S.ASSIGNED, "done"): {"assignee"},
    (S.ASSIGNED, "cancel"): HANDLERS | {"retiree"},
    (S.DONE, "confirm"): HANDLERS | {"retiree", "unit_staff"},  # not a volunteer of the scope (volunteer2)
}
RESULT = {"accept": S.ACCEPTED, "assign": S.ASSIGNED, "done": S.DONE, "confirm": S.CONFIRMED,
          "cancel": S.CANCELLED, "reject": S.REJECTED}


def user_of(ow, who):
    return {"retiree": ow.retiree, "other_retiree": ow.other_retiree, "staff": ow.staff,
            "county_staff": ow.county_staff, "unit_staff": ow.unit_staff, "assignee": ow.volunteer,
            "volunteer2": ow.volunteer2, "staff_b": ow.staff_b}[who]


# Every actor for the steps the state allows; for the others (refused whatever the actor) those who may take the
# same step in another state and the retiree.
CASES = [(state, action, who) for state in STATES for action in ACTIONS
         for who in (ACTORS if (state, action) in ALLOWED else ["staff", "assignee", "retiree"])]


@pytest.mark.parametrize(("state", "action", "who"), CASES)
def test_each_action_in_each_state_by_each_actor_moves_the_order_or_is_refused_with_nothing_written(
        ow, state, action, who):
    order = ow.order_in(state)
    steps, audits = OrderStep.objects.count(), AuditEvent.objects.count()
    allowed_for_state = (state, action) in ALLOWED
    if allowed_for_state and who in ALLOWED[(state, action)]:
        moved = ow.act(action, order, user_of(ow, who))
        assert moved.status == RESULT[action]
        assert ServiceOrder.objects.get(pk=order.pk).status == RESULT[action]
        step = OrderStep.objects.filter(order=order).last()
        assert (step.from_status, step.to_status) == (state, RESULT[action])
        assert step.actor == user_of(ow, who)
        assert AuditEvent.objects.filter(object_type="needs.serviceorder", object_id=str(order.pk),
                                         action=AuditAction.UPDATE).order_by("pk").last().detail["transition"] == action
        return
    expected = PermissionDenied if allowed_for_state else ValidationError
    with pytest.raises(expected):
        ow.act(action, order, user_of(ow, who))
    assert ServiceOrder.objects.get(pk=order.pk).status == state
    assert (OrderStep.objects.count(), AuditEvent.objects.count()) == (steps, audits)


def test_the_table_offers_exactly_the_steps_the_actor_may_take(ow):
    order = ow.order_in(S.ASSIGNED)
    assert services.allowed_actions(order, actor=ow.staff, scope=scope_of(ow.staff)) == ["assign", "cancel"]
    assert services.allowed_actions(order, actor=ow.volunteer, scope=scope_of(ow.volunteer)) == ["done"]
    assert services.allowed_actions(order, actor=ow.retiree, scope=scope_of(ow.retiree)) == ["cancel"]
    assert services.allowed_actions(order, actor=ow.other_retiree, scope=scope_of(ow.other_retiree)) == []


def test_staff_record_the_work_of_a_provider_without_an_account_but_not_of_a_volunteer(ow):
    shop_order = ow.order_in(S.ASSIGNED, provider=ow.by_shop)
    assert shop_order.assignee is None
    ow.act("done", shop_order, ow.staff, note="理发店师傅上门理发")
    assert ServiceOrder.objects.get(pk=shop_order.pk).done_note == "理发店师傅上门理发"
    volunteer_order = ow.order_in(S.ASSIGNED)
    with pytest.raises(PermissionDenied):
        ow.act("done", volunteer_order, ow.staff)


def look_after(person, carer, *, ended_on=None):
    """An open (or ended) care assignment of ``person`` to ``carer``."""
    from yinfa.care.models import CareAssignment

    today = datetime.date.today()
    return CareAssignment.objects.create(person=person, carer=carer, interval_days=7, started_on=today,
                                         next_due_on=today, ended_on=ended_on)


def test_the_one_who_placed_an_order_for_family_may_cancel_it(ow):
    look_after(ow.person, ow.volunteer2)
    order = ow.place(channel=OrderChannel.FAMILY, actor=ow.volunteer2)
    assert order.ordered_by == ow.volunteer2 and order.proxy_name == "王小明" and order.proxy_relation == "儿子"
    ow.act("cancel", order, ow.volunteer2, reason="家属说已自行解决")
    assert ServiceOrder.objects.get(pk=order.pk).reason == "家属说已自行解决"
    other = ow.place(channel=OrderChannel.FAMILY, actor=ow.volunteer2)
    with pytest.raises(PermissionDenied):
        ow.act("cancel", other, ow.volunteer)  # another volunteer did not place it


# --- reasons, ratings, proxies --------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["cancel", "reject"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_and_rejecting_need_a_reason(ow, action, reason):
    order = ow.order_in(S.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        ow.act(action, order, ow.staff, reason=reason)
    assert "reason" in refused.value.message_dict
    assert ServiceOrder.objects.get(pk=order.pk).status == S.SUBMITTED


def test_marking_done_needs_what_was_done(ow):
    order = ow.order_in(S.ASSIGNED)
    with pytest.raises(ValidationError) as refused:
        ow.act("done", order, ow.volunteer, note=" ")
    assert "done_note" in refused.value.message_dict


@pytest.mark.parametrize("rating", [0, 6, -1, None, "five", 2.5])
def test_a_rating_outside_one_to_five_is_refused(ow, rating):
    order = ow.order_in(S.DONE)
    with pytest.raises(ValidationError) as refused:
        ow.act("confirm", order, ow.retiree, rating=rating)
    assert "rating" in refused.value.message_dict
    assert ServiceOrder.objects.get(pk=order.pk).status == S.DONE


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_the_retiree_confirms_with_a_rating_of_one_to_five_in_person(ow, rating):
    order = ow.act("confirm", ow.order_in(S.DONE), ow.retiree, rating=rating, comment="师傅很耐心")
    order.refresh_from_db()
    assert (order.rating, order.rating_comment, order.confirmed_by_proxy) == (rating, "师傅很耐心", False)
    assert order.closed_at is not None


def test_staff_confirming_for_the_retiree_is_recorded_as_by_proxy_with_who_gave_the_rating(ow):
    order = ow.act("confirm", ow.order_in(S.DONE), ow.staff, rating=4, proxy_name="王小明", proxy_relation="儿子")
    order.refresh_from_db()
    assert order.confirmed_by_proxy is True and order.rating == 4
    assert "王小明 (儿子)" in OrderStep.objects.filter(order=order).last().comment


def test_the_volunteer_who_did_the_work_cannot_rate_it(ow):
    with pytest.raises(PermissionDenied):
        ow.act("confirm", ow.order_in(S.DONE), ow.volunteer)


def test_the_handler_who_recorded_the_work_cannot_confirm_it_another_member_of_staff_can(ow):
    order = ow.order_in(S.ASSIGNED, provider=ow.by_shop, channel=OrderChannel.STAFF)
    order = ow.act("done", order, ow.staff, note="理发店师傅上门理发")
    assert services.allowed_actions(order, actor=ow.staff, scope=scope_of(ow.staff)) == []
    with pytest.raises(PermissionDenied):
        ow.act("confirm", order, ow.staff, rating=5)
    assert "confirm" in services.allowed_actions(order, actor=ow.county_staff, scope=scope_of(ow.county_staff))
    order = ow.act("confirm", order, ow.county_staff, rating=4, proxy_name="王国华", proxy_relation="电话回访")
    assert order.status == S.CONFIRMED and order.confirmed_by_proxy


def test_a_volunteer_of_the_scope_cannot_rate_for_a_retiree_with_their_own_account(ow):
    order = ow.order_in(S.DONE)
    assert services.allowed_actions(order, actor=ow.volunteer2, scope=scope_of(ow.volunteer2)) == []
    with pytest.raises(PermissionDenied):
        ow.act("confirm", order, ow.volunteer2, rating=5)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.DONE


def test_whoever_placed_the_order_for_family_confirms_for_them_unless_they_did_the_work(ow):
    look_after(ow.person, ow.volunteer2)
    relayed = ow.order_in(S.DONE, channel=OrderChannel.FAMILY, actor=ow.volunteer2)  # done by ow.volunteer
    relayed = ow.act("confirm", relayed, ow.volunteer2, rating=5, proxy_name="王小明", proxy_relation="儿子")
    assert relayed.status == S.CONFIRMED and relayed.confirmed_by_proxy
    look_after(ow.other_person, ow.volunteer)
    own_work = ow.order_in(S.DONE, person=ow.other_person, channel=OrderChannel.FAMILY, actor=ow.volunteer)
    assert own_work.assignee == ow.volunteer
    with pytest.raises(PermissionDenied):
        ow.act("confirm", own_work, ow.volunteer, rating=5)


def test_re_assigning_to_the_same_provider_is_refused_and_to_another_tells_both(ow, django_capture_on_commit_callbacks):
    order = ow.order_in(S.ASSIGNED)
    with pytest.raises(ValidationError) as refused:
        ow.act("assign", order, ow.staff, provider=ow.by_volunteer)
    assert "provider" in refused.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        order = ow.act("assign", order, ow.staff, provider=ow.by_shop)
    assert (order.provider, order.assignee) == (ow.by_shop, None)
    assert Notification.objects.filter(recipient=ow.volunteer, title__contains="another provider").exists()


def test_a_provider_outside_the_scope_cannot_be_assigned(ow):
    from yinfa.needs.tests.order_fixtures import make_resource

    foreign = make_resource(ow.world.county_b, name="乙县理发店")
    with pytest.raises(ValidationError):
        ow.act("assign", ow.order_in(S.ACCEPTED), ow.staff, provider=foreign)


# --- placing orders -------------------------------------------------------------------------------------------

def test_the_retiree_orders_for_themselves_and_the_community_handles_it(ow, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = ow.place(details="想剪短一点")
    assert order.channel == OrderChannel.SELF and order.ordered_by == ow.retiree
    assert order.handler == ow.world.community_a and order.handler_path == ow.world.community_a.path
    assert (order.proxy_name, order.proxy_relation) == ("", "")
    step = OrderStep.objects.get(order=order)
    assert (step.from_status, step.to_status) == ("", OrderStatus.SUBMITTED)
    event = AuditEvent.objects.get(object_type="needs.serviceorder", object_id=str(order.pk))
    assert event.action == AuditAction.CREATE and event.personal_data
    assert Notification.objects.filter(recipient=ow.staff, object_id=str(order.pk)).exists()


def test_a_person_without_a_community_is_handled_by_their_former_unit(ow):
    from yinfa.people.tests.factories import make_person

    loner = make_person(ow.world.unit_a, name="赵六")
    make_item(ow.world.unit_a, name="政策咨询")
    item = make_item(ow.world.county_a, name="法律咨询")
    order = ow.place(person=loner, channel=OrderChannel.STAFF, actor=ow.unit_staff, item=item)
    assert order.handler == ow.world.unit_a
    assert order.proxy_name == ow.unit_staff.full_name and order.proxy_relation == ow.world.unit_a.name


def test_a_retiree_cannot_order_for_someone_else_nor_as_staff(ow):
    with pytest.raises(PermissionDenied):
        ow.place(person=ow.other_person, channel=OrderChannel.SELF, actor=ow.retiree)
    with pytest.raises(PermissionDenied):
        ow.place(person=ow.other_person, channel=OrderChannel.STAFF, actor=ow.retiree)


def test_staff_cannot_order_for_a_person_outside_their_scope(ow):
    with pytest.raises(PermissionDenied):
        ow.place(channel=OrderChannel.STAFF, actor=ow.staff_b)


def test_a_volunteer_orders_only_for_the_people_they_look_after_or_serve(ow):
    with pytest.raises(PermissionDenied):  # of their community, but not theirs
        ow.place(channel=OrderChannel.STAFF, actor=ow.volunteer2)
    look_after(ow.person, ow.volunteer2, ended_on=datetime.date.today())
    with pytest.raises(PermissionDenied):  # no longer looked after by them
        ow.place(channel=OrderChannel.STAFF, actor=ow.volunteer2)
    ow.place(person=ow.other_person, channel=OrderChannel.STAFF, actor=ow.staff)
    look_after(ow.other_person, ow.volunteer2)
    assert ow.place(person=ow.other_person, channel=OrderChannel.STAFF, actor=ow.volunteer2).ordered_by == \
        ow.volunteer2
    ow.order_in(S.ASSIGNED)  # an order of ow.person assigned to ow.volunteer: they serve ow.person
    assert ow.place(channel=OrderChannel.FAMILY, actor=ow.volunteer).ordered_by == ow.volunteer
    assert ow.place(channel=OrderChannel.STAFF, actor=ow.unit_staff).ordered_by == ow.unit_staff  # staff: anyone


def test_an_order_from_a_visit_is_placed_only_by_someone_who_reads_visits(ow):
    from yinfa.care.models import Visit, VisitKind

    visit = Visit.objects.create(person=ow.person, kind=VisitKind.ROUTINE, visited_on=datetime.date.today(),
                                 visitors="社区", needs="想理发", feedback="独居，腿脚不便")
    look_after(ow.person, ow.volunteer2)
    with pytest.raises(PermissionDenied):
        ow.place(channel=OrderChannel.VISIT, actor=ow.volunteer2, source_visit=visit)
    with pytest.raises(PermissionDenied):
        ow.place(channel=OrderChannel.STAFF, actor=ow.volunteer2, source_visit=visit)
    assert not ServiceOrder.objects.exists()
    assert ow.place(channel=OrderChannel.VISIT, actor=ow.staff, source_visit=visit).source_visit == visit


def test_family_orders_need_the_name_and_relationship_of_the_family_member(ow):
    with pytest.raises(ValidationError) as refused:
        ow.place(channel=OrderChannel.FAMILY, actor=ow.staff, proxy_name="", proxy_relation="")
    assert {"proxy_name", "proxy_relation"} <= set(refused.value.message_dict)


def test_an_item_off_the_menu_or_of_another_community_is_refused(ow):
    hidden = make_item(ow.world.community_a, name="停用服务", active=False)
    elsewhere = make_item(ow.world.community_b, name="乙县服务")
    for item in (hidden, elsewhere):
        with pytest.raises(ValidationError) as refused:
            ow.place(item=item)
        assert "item" in refused.value.message_dict


def test_items_offered_above_the_community_are_on_its_menu(ow):
    county_item = make_item(ow.world.county_a, name="老年大学报名", accept_days=2, complete_days=10)
    assert ow.place(item=county_item).item == county_item


def test_no_order_for_a_person_who_died_nor_for_a_day_in_the_past(ow):
    with pytest.raises(ValidationError) as refused:
        ow.place(wanted_on=datetime.date.today() - datetime.timedelta(days=1))
    assert "wanted_on" in refused.value.message_dict
    ow.person.deceased_on = datetime.date(2025, 1, 1)
    ow.person.save()
    with pytest.raises(ValidationError) as refused:
        ow.place(channel=OrderChannel.STAFF, actor=ow.staff)
    assert "person" in refused.value.message_dict


def test_an_order_from_a_visit_links_the_visit_of_the_same_person(ow):
    from yinfa.care.models import Visit, VisitKind

    visit = Visit.objects.create(person=ow.person, kind=VisitKind.ROUTINE, visited_on=datetime.date.today(),
                                 visitors="社区", needs="需要理发")
    order = ow.place(channel=OrderChannel.VISIT, actor=ow.staff, source_visit=visit)
    assert order.source_visit == visit and order.channel == OrderChannel.VISIT
    other = Visit.objects.create(person=ow.other_person, kind=VisitKind.ROUTINE, visited_on=datetime.date.today(),
                                 visitors="社区")
    with pytest.raises(ValidationError) as refused:
        ow.place(channel=OrderChannel.VISIT, actor=ow.staff, source_visit=other)
    assert "source_visit" in refused.value.message_dict


def test_an_order_can_be_filed_under_a_project_of_the_same_service(ow):
    from yinfa.needs.models import Frequency, ServiceProject

    project = ServiceProject.objects.create(node=ow.world.community_a, node_path=ow.world.community_a.path,
                                            title="每月上门理发", item=ow.item, provider=ow.by_shop,
                                            frequency=Frequency.MONTHLY, starts_on=datetime.date(2026, 1, 1))
    assert ow.place(channel=OrderChannel.STAFF, actor=ow.staff, project=project).project == project
    other_item = make_item(ow.world.community_a, name="助餐")
    with pytest.raises(ValidationError) as refused:
        ow.place(channel=OrderChannel.STAFF, actor=ow.staff, project=project, item=other_item)
    assert "project" in refused.value.message_dict


# --- notifications --------------------------------------------------------------------------------------------

def titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_each_step_tells_whoever_acts_next(ow, django_capture_on_commit_callbacks):
    def step(action, actor, **values):
        with django_capture_on_commit_callbacks(execute=True):
            return ow.act(action, order, actor, **values)

    with django_capture_on_commit_callbacks(execute=True):
        order = ow.place()
    assert any("New service order" in t for t in titles(ow.staff))
    step("accept", ow.county_staff)
    assert any("Assign a provider" in t for t in titles(ow.staff))
    assert any("is accepted" in t for t in titles(ow.retiree))
    step("assign", ow.staff, provider=ow.by_volunteer)
    assert any("A service order for you" in t for t in titles(ow.volunteer))
    step("done", ow.volunteer)
    assert any("please confirm and rate it" in t for t in titles(ow.retiree))
    step("confirm", ow.retiree, rating=5)
    assert any("5 of 5" in t for t in titles(ow.volunteer))
    assert not Notification.objects.filter(recipient__in=[ow.other_retiree, ow.staff_b, ow.volunteer2]).exists()
    assert all(n.url == f"/services/orders/{order.pk}/" for n in Notification.objects.filter(
        object_type="needs.serviceorder", object_id=str(order.pk)))


def test_a_rejection_tells_the_retiree_and_whoever_ordered_for_them_why(ow, django_capture_on_commit_callbacks):
    look_after(ow.person, ow.volunteer2)
    order = ow.place(channel=OrderChannel.FAMILY, actor=ow.volunteer2)
    with django_capture_on_commit_callbacks(execute=True):
        ow.act("reject", order, ow.staff, reason="本社区暂不提供")
    for user in (ow.retiree, ow.volunteer2):
        note = Notification.objects.get(recipient=user, title__contains="cannot be served")
        assert note.body == "本社区暂不提供"


def test_a_retiree_without_an_account_is_asked_for_through_the_community_when_done(
        ow, django_capture_on_commit_callbacks):
    from yinfa.people.tests.factories import make_person

    offline = make_person(ow.world.unit_a, community=ow.world.community_a, name="钱七")
    order = ow.place(person=offline, channel=OrderChannel.STAFF, actor=ow.county_staff)
    ow.act("accept", order, ow.county_staff)
    ow.act("assign", order, ow.county_staff, provider=ow.by_volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        ow.act("done", order, ow.volunteer)
    assert any("please confirm" in t for t in titles(ow.staff))


# --- concurrency ----------------------------------------------------------------------------------------------

def test_two_staff_accepting_the_same_order_one_wins(ow):
    first, second = ServiceOrder.objects.get(pk=ow.place().pk), None
    second = ServiceOrder.objects.get(pk=first.pk)  # both read it "submitted"
    ow.act("accept", first, ow.staff)
    with pytest.raises(ValidationError):
        ow.act("accept", second, ow.county_staff)
    assert OrderStep.objects.filter(order=first, to_status=S.ACCEPTED).count() == 1


def test_the_conditional_update_refuses_a_step_whose_state_changed_after_it_was_read(ow, monkeypatch):
    order = ow.place()
    real_locked = services._locked

    def stale(o):
        read = real_locked(o)
        ServiceOrder.objects.filter(pk=o.pk).update(status=S.CANCELLED)  # someone else, meanwhile
        return read

    monkeypatch.setattr(services, "_locked", stale)
    with pytest.raises(ValidationError) as refused:
        ow.act("accept", order, ow.staff)
    assert "changed by someone else" in str(refused.value)
    assert not OrderStep.objects.filter(order=order, to_status=S.ACCEPTED).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_two_concurrent_accepts_one_wins(world):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from yinfa.needs.tests.order_fixtures import OrderWorld

    data = OrderWorld.build(world)
    order = data.place()
    barrier, outcomes = threading.Barrier(2), []

    def accept(user):
        try:
            barrier.wait()
            services.accept_order(actor=user, scope=scope_of(user), order=order)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (data.staff, data.county_staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert OrderStep.objects.filter(order=order, to_status=S.ACCEPTED).count() == 1
