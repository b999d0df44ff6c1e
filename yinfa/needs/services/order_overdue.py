"""Overdue service orders: the list of a scope and the daily reminders.

Overdue means what ``sla.lateness`` says: a working day has passed after the deadline (nothing is listed or
reminded on the weekend or holiday right after it, and a reminder never says "0 working days"); the list, the job
and the badges share that rule. The reminder of an order at a level (``accept``: not accepted by ``accept_by``;
``done``: not carried out by ``due_on``) is sent once: the job writes a system audit row about the order
(``detail.event = "order_overdue"``, ``detail.level``) and skips the orders and levels that already have one. No
model change is needed, and the audit trail shows when the community was reminded.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yinfa.core import audit
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.workdays import WorkCalendar
from yinfa.needs import sla
from yinfa.needs.models import ServiceOrder
from yinfa.needs.services import order_steps as steps

EVENT = "order_overdue"
BATCH = 500


def overdue_orders(queryset, today, calendar=None):
    """Open orders of ``queryset`` past a deadline on ``today`` (a working day has passed since it; most overdue
    first)."""
    return queryset.filter(sla.overdue_condition(today, calendar)).order_by("due_on", "accept_by", "pk")


def with_lateness(orders, today, calendar=None):
    """Attach ``lateness`` (levels, most urgent first) and ``worst`` (most working days late) to each order."""
    calendar = calendar or WorkCalendar.load()
    for order in orders:
        order.lateness = sla.lateness(order, today, calendar)
        order.worst = max(order.lateness, key=lambda late: late.working_days) if order.lateness else None
    return orders


def reminded(order_ids):
    """{(order id, level)} already reminded."""
    if not order_ids:
        return set()
    rows = AuditEvent.objects.filter(action=AuditAction.SYSTEM, object_type=ServiceOrder._meta.label_lower,
                                     object_id__in=[str(pk) for pk in order_ids], detail__event=EVENT)
    return {(int(object_id), level) for object_id, level in rows.values_list("object_id", "detail__level")}


def _remind(order, late):
    recipients = set(steps.handler_staff(order))
    if late.level == sla.Level.DONE and order.assignee_id:
        recipients.add(order.assignee_id)
    names = {"item": order.item.name, "person": order.person.name, "days": late.working_days,
             "day": late.deadline.isoformat()}
    if late.level == sla.Level.ACCEPT:
        title = _("Overdue: %(item)s for %(person)s was not accepted by %(day)s") % names
    else:
        title = _("Overdue: %(item)s for %(person)s was not carried out by %(day)s") % names
    body = ngettext("%(days)s working day overdue.", "%(days)s working days overdue.", late.working_days) % names
    steps.tell(order, recipients, actor=None, title=title, body=body)
    audit.record(AuditAction.SYSTEM, actor=None, obj=order, scope_path=order.handler_path, personal_data=True,
                 detail={"event": EVENT, "level": late.level, "deadline": late.deadline.isoformat(),
                         "working_days": late.working_days, "recipients": len(recipients)})


def send_overdue_reminders(*, today=None):
    """Remind the handling organisation of each overdue order, once per order and level. Returns how many."""
    today = today or timezone.localdate()
    calendar = WorkCalendar.load()
    sent = 0
    last_pk = 0
    base = ServiceOrder.objects.filter(sla.overdue_condition(today, calendar)).select_related("person", "item")
    while True:
        batch = list(base.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
        if not batch:
            return sent
        last_pk = batch[-1].pk
        done = reminded([order.pk for order in batch])
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            for order in batch:
                for late in sla.lateness(order, today, calendar):
                    if (order.pk, late.level) in done:
                        continue
                    _remind(order, late)
                    sent += 1
