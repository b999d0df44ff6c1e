"""Periodic jobs of service orders: the daily overdue reminders (once per order and level, see
``yinfa.needs.services.order_overdue``)."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from yinfa.core.scheduling import periodic


@periodic("service_order_overdue", every=timedelta(days=1))
@task()
def remind_overdue_orders():
    from yinfa.needs.services.order_overdue import send_overdue_reminders

    return send_overdue_reminders(today=timezone.localdate())
