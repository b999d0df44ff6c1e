"""The working-day clock of service orders (SLA).

An order placed on day D for a menu item accepted within N and carried out within M working days must be accepted by
``add_working_days(D, N)`` and carried out by ``add_working_days(D, M)``: the holiday table of ``core.workdays``
(public holidays, make-up working Saturdays and Sundays). A year the table does not know is counted Monday–Friday;
``unknown_years`` names those years so the order page can say so.

Overdue, two levels: ``accept`` (still submitted after ``accept_by``) and ``done`` (not carried out after
``due_on``). ``overdue_condition(today)`` is the same rule as a database filter.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.workdays import WorkCalendar
from yinfa.needs.models import OrderStatus

NOT_DONE = (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED)


class Level:
    ACCEPT = "accept"
    DONE = "done"
    LABELS = {ACCEPT: _("Not accepted in time"), DONE: _("Not carried out in time")}
    ORDER = (ACCEPT, DONE)


@dataclass(frozen=True)
class Deadlines:
    accept_by: datetime.date
    due_on: datetime.date
    unknown_years: tuple  # years between the order day and due_on counted Monday–Friday only


@dataclass(frozen=True)
class Lateness:
    level: str
    deadline: datetime.date
    working_days: int  # working days after the deadline up to today

    @property
    def label(self):
        return Level.LABELS[self.level]


def deadlines(start, *, accept_days, complete_days, calendar=None):
    """The two deadlines of an order placed on ``start``."""
    calendar = calendar or WorkCalendar.load()
    accept_by = calendar.add_working_days(start, accept_days)
    due_on = calendar.add_working_days(start, complete_days)
    end = max(accept_by, due_on)
    return Deadlines(accept_by=accept_by, due_on=due_on, unknown_years=tuple(calendar.unknown_years(start, end)))


def order_day(order):
    """The local day the order was placed."""
    return timezone.localdate(order.created_at) if order.created_at else timezone.localdate()


def weekdays_only_years(order, calendar=None):
    """Years of the order's period that the holiday table does not know (its dates counted Monday–Friday)."""
    calendar = calendar or WorkCalendar.load()
    return calendar.unknown_years(order_day(order), max(order.accept_by, order.due_on))


def lateness(order, today, calendar=None):
    """The overdue levels of an order on ``today`` (possibly both), most urgent first."""
    calendar = calendar or WorkCalendar.load()
    found = []
    if order.status == OrderStatus.SUBMITTED and order.accept_by < today:
        found.append(Lateness(Level.ACCEPT, order.accept_by, calendar.working_days_between(order.accept_by, today)))
    if order.status in NOT_DONE and order.due_on < today:
        found.append(Lateness(Level.DONE, order.due_on, calendar.working_days_between(order.due_on, today)))
    return found


def overdue_condition(today):
    """Q: open orders past one of their deadlines on ``today``."""
    return (Q(status=OrderStatus.SUBMITTED, accept_by__lt=today)
            | Q(status__in=NOT_DONE, due_on__lt=today))


def remaining_working_days(deadline, today, calendar=None):
    """Working days left until ``deadline`` (0 when it is today or past)."""
    calendar = calendar or WorkCalendar.load()
    return calendar.working_days_between(today, deadline)
