"""The working-day clock of service orders (SLA).

An order placed on day D for a menu item accepted within N and carried out within M working days must be accepted by
``add_working_days(D, N)`` and carried out by ``add_working_days(D, M)``: the holiday table of ``core.workdays``
(public holidays, make-up working Saturdays and Sundays). A year the table does not know is counted Monday–Friday;
``unknown_years`` names those years so the order page can say so.

Overdue, two levels: ``accept`` (still submitted after ``accept_by``) and ``done`` (not carried out after
``due_on``). An order is overdue once a working day has passed after its deadline: on the first working day after
it, not on the weekend or holiday right after it (``is_past(deadline, today)``: ``working_days_between(deadline,
today) > 0``), so an overdue order is always at least one working day late. ``overdue_condition(today)`` is the
same rule as a database filter (deadlines before ``overdue_cutoff(today)``, the last working day up to today): the
overdue list, the reminder job and the badges of the lists all use it.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.workdays import WorkCalendar
from yinfa.needs.models import OrderStatus

NOT_DONE = (OrderStatus.SUBMITTED, OrderStatus.ACCEPTED, OrderStatus.ASSIGNED)
ONE_DAY = datetime.timedelta(days=1)
MAX_LOOKBACK_DAYS = 366  # guards the search for the last working day (a year without one cannot happen)


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


def is_past(deadline, today, calendar=None):
    """True when a working day after ``deadline`` has come by ``today`` (the deadline is missed)."""
    calendar = calendar or WorkCalendar.load()
    return calendar.working_days_between(deadline, today) > 0


def overdue_cutoff(today, calendar=None):
    """The last working day on or before ``today``: a deadline before it is missed, one on or after it is not
    (no working day has passed since)."""
    calendar = calendar or WorkCalendar.load()
    day = today
    for _n in range(MAX_LOOKBACK_DAYS):
        if calendar.is_workday(day):
            return day
        day -= ONE_DAY
    return day


def lateness(order, today, calendar=None):
    """The overdue levels of an order on ``today`` (possibly both), most urgent first; each at least one working
    day late."""
    calendar = calendar or WorkCalendar.load()
    found = []
    if order.status == OrderStatus.SUBMITTED:
        late = calendar.working_days_between(order.accept_by, today)
        if late > 0:
            found.append(Lateness(Level.ACCEPT, order.accept_by, late))
    if order.status in NOT_DONE:
        late = calendar.working_days_between(order.due_on, today)
        if late > 0:
            found.append(Lateness(Level.DONE, order.due_on, late))
    return found


def is_overdue(order, today, calendar=None):
    """True when the order is late at some level on ``today`` (what the overdue list and the reminders show)."""
    return bool(lateness(order, today, calendar))


def overdue_condition(today, calendar=None):
    """Q: open orders past one of their deadlines on ``today`` (the rule of ``lateness`` as a filter)."""
    cutoff = overdue_cutoff(today, calendar)
    return (Q(status=OrderStatus.SUBMITTED, accept_by__lt=cutoff)
            | Q(status__in=NOT_DONE, due_on__lt=cutoff))


def remaining_working_days(deadline, today, calendar=None):
    """Working days left until ``deadline`` (0 when it is today or past)."""
    calendar = calendar or WorkCalendar.load()
    return calendar.working_days_between(today, deadline)
