"""The care overview of the scope (figures, each a link to its tab) and the upcoming round birthdays (page and
Excel export).

Figures are read through the models' scoped querysets (``Visit.objects.visible_to``, ``hospital_stays``,
``Escalation.objects.visible_to``, ``AidApplication.objects.visible_to``, ``VisitCampaign.objects.visible_to``,
``CampaignTask.objects.visible_to``): a fixed number of queries whatever the size of the scope.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from yinfa.care import birthdays
from yinfa.care import exports_visits as exports
from yinfa.care.forms_visits import BirthdayWindowForm
from yinfa.care.models import (
    AidApplication,
    AidStatus,
    CampaignStatus,
    CampaignTask,
    Escalation,
    EscalationStatus,
    TaskStatus,
    Visit,
    VisitCampaign,
    VisitKind,
)
from yinfa.care.querysets import hospital_stays
from yinfa.care.services import visits as visit_services
from yinfa.core.access import scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.people.models import Person

AID_UNDER_WAY = (AidStatus.SUBMITTED, AidStatus.UNIT_REVIEWED, AidStatus.APPROVED)
CAMPAIGNS_SHOWN = 5
RECENT_VISITS = 5
OVERVIEW_BIRTHDAY_DAYS = 30
BIRTHDAY_PERSON_FIELDS = ("pk", "name", "name_pinyin", "gender", "birth_date", "birthday_is_lunar", "unit",
                          "community", "unit__name", "community__name")


# --- round birthdays -------------------------------------------------------------------------------------------

@dataclass
class BirthdayRow:
    person: object
    birthday: birthdays.Birthday
    last_visit: datetime.date | None = None


def birthday_candidates(scope, today, days):
    """The living people of the scope whose birth year can give a round birthday in the window (one query)."""
    return (Person.objects.visible_to(scope).alive().filter(birth_date__isnull=False)
            .filter(birthdays.candidates_condition(today, days))
            .select_related("unit", "community").only(*BIRTHDAY_PERSON_FIELDS))


def round_birthdays(scope, *, today, days, with_visits=True):
    """[BirthdayRow] of the scope's round birthdays in the next ``days`` days, soonest first, each with the day
    of the person's last birthday visit (two queries)."""
    people = birthday_candidates(scope, today, days).iterator(chunk_size=2000)
    rows = [BirthdayRow(person, birthday) for person, birthday in birthdays.upcoming(people, today, days)]
    if with_visits and rows:
        last = dict(Visit.objects.filter(person_id__in=[row.person.pk for row in rows], kind=VisitKind.BIRTHDAY)
                    .values("person_id").annotate(last=Max("visited_on")).values_list("person_id", "last"))
        for row in rows:
            row.last_visit = last.get(row.person.pk)
    return rows


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def birthday_list(request):
    form = BirthdayWindowForm(request.GET or None)
    days = form.window() if request.GET else birthdays.DEFAULT_DAYS
    today = timezone.localdate()
    rows = round_birthdays(request.scope, today=today, days=days)
    return render(request, "care/birthdays.html", {
        "form": form, "rows": rows, "days": days, "today": today, "day_choices": birthdays.DAY_CHOICES,
        "can_manage": request.scope.has(Perm.CARE_MANAGE), "birthday_kind": VisitKind.BIRTHDAY,
        "round_ages": birthdays.ROUND_AGES, "centenarian": birthdays.CENTENARIAN,
    })


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def birthday_export(request):
    """The round birthdays of the window as an Excel file (no ID numbers or phone numbers), audited."""
    form = BirthdayWindowForm(request.GET or None)
    days = form.window() if request.GET else birthdays.DEFAULT_DAYS
    rows = round_birthdays(request.scope, today=timezone.localdate(), days=days)[: exports.EXPORT_LIMIT]
    content, count = exports.birthdays_workbook(rows)
    visit_services.record_export(actor=request.user, scope=request.scope, filters={"days": days}, rows=count,
                                 what=_("Round birthdays"))
    return exports.download(content, "round-birthdays")


# --- the overview ----------------------------------------------------------------------------------------------

def campaign_coverage(scope, today):
    """(number of open campaigns, the first few with planned / done / % of the tasks the scope sees)."""
    open_campaigns = VisitCampaign.objects.visible_to(scope).filter(status=CampaignStatus.OPEN)
    total = open_campaigns.count()
    shown = list(open_campaigns.only("pk", "title", "due_on", "year").order_by("due_on", "pk")[:CAMPAIGNS_SHOWN])
    figures = {row["campaign_id"]: row for row in CampaignTask.objects.visible_to(scope)
               .filter(campaign__in=[c.pk for c in shown]).values("campaign_id")
               .annotate(planned=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE)))} if shown else {}
    for campaign in shown:
        row = figures.get(campaign.pk, {})
        campaign.planned, campaign.done = row.get("planned", 0), row.get("done", 0)
        campaign.percent = round(100 * campaign.done / campaign.planned) if campaign.planned else None
        campaign.overdue = campaign.due_on < today and campaign.done < campaign.planned
    return total, shown


@module("care")
@require_GET
@scope_checked()
def care_home(request):
    """The overview; a volunteer carer (no CARE_VIEW) is sent to their own care list."""
    scope = request.scope
    if not scope.has(Perm.CARE_VIEW):
        if scope.has(Perm.SERVICE_FULFIL):
            return redirect("care:my_care")
        raise PermissionDenied
    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    campaigns_open, campaigns = campaign_coverage(scope, today)
    upcoming = round_birthdays(scope, today=today, days=OVERVIEW_BIRTHDAY_DAYS, with_visits=False)
    figures = {
        "visits_this_year": Visit.objects.visible_to(scope).filter(visited_on__gte=year_start,
                                                                  visited_on__lte=today).count(),
        "in_hospital": hospital_stays(scope).filter(ends_on__isnull=True, person__deceased_on__isnull=True).count(),
        "birthdays": len(upcoming),
        "escalations": Escalation.objects.visible_to(scope).filter(status=EscalationStatus.OPEN).count(),
        "aid_under_way": AidApplication.objects.visible_to(scope).filter(status__in=AID_UNDER_WAY).count(),
        "campaigns_open": campaigns_open,
    }
    recent = list(Visit.objects.visible_to(scope).select_related("person").only(
        "pk", "kind", "visited_on", "visitors", "person", "person__name").order_by("-visited_on", "-pk")[
        :RECENT_VISITS])
    return render(request, "care/home.html", {
        "figures": figures, "campaigns": campaigns, "recent_visits": recent, "year": today.year,
        "year_start": year_start, "birthday_days": OVERVIEW_BIRTHDAY_DAYS, "next_birthdays": upcoming[:5],
        "can_manage": scope.has(Perm.CARE_MANAGE),
    })
