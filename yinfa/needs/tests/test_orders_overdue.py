"""Overdue orders: the list of the scope (with working days overdue) and the daily reminder job, which tells the
handling community once per order and level."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from yinfa.core.models import AuditAction, AuditEvent, Notification
from yinfa.core.scheduling import REGISTRY, discover
from yinfa.core.testing import login
from yinfa.needs.models import ServiceOrder
from yinfa.needs.services.order_overdue import send_overdue_reminders
from yinfa.needs.tasks_orders import remind_overdue_orders
from yinfa.needs.tests.order_fixtures import S, order_world  # noqa: F401

D = datetime.date
pytestmark = pytest.mark.django_db


def late_order(ow, state, *, accept_by, due_on, **values):
    order = ow.order_in(state, **values)
    ServiceOrder.objects.filter(pk=order.pk).update(accept_by=accept_by, due_on=due_on)
    return ServiceOrder.objects.get(pk=order.pk)


def test_the_job_is_registered_to_run_daily():
    discover()
    job = REGISTRY["service_order_overdue"]
    assert job.every == datetime.timedelta(days=1) and job.task is remind_overdue_orders


def test_the_overdue_list_shows_open_orders_past_a_deadline_with_working_days_overdue(ow):
    not_accepted = late_order(ow, S.SUBMITTED, accept_by=D(2026, 9, 29), due_on=D(2026, 12, 31))
    not_done = late_order(ow, S.ASSIGNED, accept_by=D(2026, 9, 1), due_on=D(2026, 9, 30))
    late_order(ow, S.DONE, accept_by=D(2026, 9, 1), due_on=D(2026, 9, 2))  # carried out: not overdue
    late_order(ow, S.SUBMITTED, accept_by=D(2030, 1, 1), due_on=D(2030, 1, 2))  # not yet due
    import time_machine

    with time_machine.travel(datetime.datetime(2026, 10, 9, 9, tzinfo=datetime.UTC), tick=False):
        response = login(ow.staff).get(reverse("needs:order_overdue"))
    rows = {o.pk: o for o in response.context["orders"]}
    assert set(rows) == {not_accepted.pk, not_done.pk}
    assert rows[not_accepted.pk].worst.working_days == 3  # 30 Sep, 8 Oct, 9 Oct (the National Day holiday between)
    assert rows[not_done.pk].worst.working_days == 2
    assert login(ow.staff_b).get(reverse("needs:order_overdue")).context["orders"] == []


def test_the_job_reminds_the_handling_community_once_per_order_and_level(ow, django_capture_on_commit_callbacks):
    order = late_order(ow, S.SUBMITTED, accept_by=D(2026, 9, 29), due_on=D(2026, 10, 20))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_reminders(today=D(2026, 10, 9)) == 1
    # (the orders were placed outside the on-commit capture: their own notifications were never sent)
    notes = Notification.objects.filter(object_type="needs.serviceorder", object_id=str(order.pk))
    assert [n.recipient for n in notes] == [ow.staff]
    assert "2026-09-29" in notes.get().title and "3" in notes.get().body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_reminders(today=D(2026, 10, 12)) == 0  # the same level: not again
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_reminders(today=D(2026, 10, 21)) == 1  # now also not carried out in time
    assert notes.all().count() == 2
    levels = AuditEvent.objects.filter(action=AuditAction.SYSTEM, object_id=str(order.pk)).values_list(
        "detail__level", flat=True)
    assert sorted(levels) == ["accept", "done"]


def test_the_assignee_is_reminded_too_when_the_work_is_late(ow, django_capture_on_commit_callbacks):
    late_order(ow, S.ASSIGNED, accept_by=D(2026, 9, 1), due_on=D(2026, 9, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_reminders(today=D(2026, 10, 9)) == 1
    assert set(Notification.objects.values_list("recipient", flat=True)) == {ow.staff.pk, ow.volunteer.pk}


def test_closed_or_accepted_orders_are_not_reminded_for_acceptance(ow, django_capture_on_commit_callbacks):
    late_order(ow, S.ACCEPTED, accept_by=D(2026, 9, 1), due_on=D(2026, 12, 30))
    late_order(ow, S.CANCELLED, accept_by=D(2026, 9, 1), due_on=D(2026, 9, 2))
    late_order(ow, S.CONFIRMED, accept_by=D(2026, 9, 1), due_on=D(2026, 9, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_reminders(today=D(2026, 10, 9)) == 0
    assert not Notification.objects.exists()


def test_the_task_runs_the_reminders(ow, django_capture_on_commit_callbacks):
    late_order(ow, S.SUBMITTED, accept_by=D(2020, 1, 1), due_on=D(2020, 1, 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_overdue_orders.call() == 2


def overdue_page(ow, today):
    import time_machine

    with time_machine.travel(datetime.datetime(today.year, today.month, today.day, 3, tzinfo=datetime.UTC),
                             tick=False):
        return login(ow.staff).get(reverse("needs:order_overdue")).context["orders"]


@pytest.mark.parametrize(("deadline", "quiet_days", "first_late_day"), [
    (D(2026, 11, 20), [D(2026, 11, 21), D(2026, 11, 22)], D(2026, 11, 23)),  # Friday; the weekend; Monday
    (D(2026, 9, 30), [D(2026, 10, 1) + datetime.timedelta(days=n) for n in range(7)], D(2026, 10, 8)),  # National Day
])
def test_the_list_and_the_job_wait_for_the_first_working_day_after_the_deadline(
        ow, django_capture_on_commit_callbacks, deadline, quiet_days, first_late_day):
    order = late_order(ow, S.SUBMITTED, accept_by=deadline, due_on=D(2026, 12, 31))
    for day in [deadline, *quiet_days]:
        assert overdue_page(ow, day) == []
        with django_capture_on_commit_callbacks(execute=True):
            assert send_overdue_reminders(today=day) == 0
    assert not Notification.objects.exists()
    listed = overdue_page(ow, first_late_day)
    assert [o.pk for o in listed] == [order.pk] and listed[0].worst.working_days == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert send_overdue_reminders(today=first_late_day) == 1
    note = Notification.objects.get(object_id=str(order.pk))
    with translation.override(settings.LANGUAGE_CODE):  # reminders are written in the site's language
        expected = ngettext("%(days)s working day overdue.", "%(days)s working days overdue.", 1) % {"days": 1}
    assert note.body == expected
    event = AuditEvent.objects.get(action=AuditAction.SYSTEM, object_id=str(order.pk))
    assert event.detail["working_days"] == 1
