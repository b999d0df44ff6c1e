"""The meeting calendar: a month grid of the branch's (or the scope's, capped) meetings by day, with the previous
and next month; printable on A4 landscape."""

import calendar
import datetime

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.views.decorators.http import require_GET

from yinfa.core.access import scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.services import meetings as services
from yinfa.partylife.views.meetings import branch_options, visible_branches, visible_meetings

# A month of a whole county holds a few hundred meetings; above this the grid asks to choose a branch.
CALENDAR_CAP = 400


def parse_month(text, today):
    """(year, month) from ``2026-11``; this month when missing or wrong."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return today.year, today.month
    if not 2000 <= year <= today.year + 5:
        return today.year, today.month
    return year, month


def shift(year, month, by):
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def meeting_calendar(request):
    today = timezone.localdate()
    year, month = parse_month(request.GET.get("month"), today)
    meetings = visible_meetings(request)
    branch = None
    wanted = request.GET.get("branch", "")
    if wanted.isdigit():
        branch = get_object_or_404(visible_branches(request).select_related("node"), pk=int(wanted))
        meetings = meetings.filter(branch_id=branch.pk)
    elif "branch" not in request.GET:
        branch = services.branch_of_scope(request.scope)  # a secretary's own branch
        if branch is not None:
            meetings = meetings.filter(branch_id=branch.pk)
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    rows = list(meetings.filter(held_on__gte=first, held_on__lte=last).select_related("branch__node")
                .only("pk", "kind", "topic", "held_on", "starts_at", "attendance_recorded", "qualifies",
                      "branch_id", "branch__node__name", "voting_count", "voting_present")
                .order_by("held_on", "starts_at", "pk")[: CALENDAR_CAP + 1])
    capped = len(rows) > CALENDAR_CAP
    by_day = {}
    for meeting in rows[:CALENDAR_CAP]:
        by_day.setdefault(meeting.held_on, []).append(meeting)
    weeks = [[{"day": day, "in_month": day.month == month, "is_today": day == today,
               "meetings": by_day.get(day, [])} for day in week]
             for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)]
    branch_query = f"&branch={branch.pk}" if branch else ""
    previous, following = shift(year, month, -1), shift(year, month, 1)
    return render(request, "partylife/meetings/calendar.html", {
        "weeks": weeks, "year": year, "month": month, "month_start": first, "branch": branch,
        "branches": branch_options(request), "capped": capped, "cap": CALENDAR_CAP,
        "previous": f"?month={previous[0]}-{previous[1]:02d}{branch_query}",
        "following": f"?month={following[0]}-{following[1]:02d}{branch_query}",
        "this_month": f"?month={today.year}-{today.month:02d}{branch_query}",
        "month_value": f"{year}-{month:02d}", "count": min(len(rows), CALENDAR_CAP),
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
    })
