"""The care overview: the scope's figures (visits this year, in hospital now, round birthdays in 30 days, open
escalations, aid under way, campaigns under way with their coverage), each a link to its tab, never counting the
sibling county, in a constant number of queries."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yinfa.care.models import (
    AidApplication,
    AidKind,
    AidStatus,
    CampaignStatus,
    CampaignTask,
    CareAssignment,
    Escalation,
    EscalationReason,
    EscalationStatus,
    TaskStatus,
    Visit,
    VisitCampaign,
    VisitKind,
)
from yinfa.core.testing import login
from yinfa.people.models import LifeEvent, LifeEventKind
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
HOME = reverse("care:home")
D = datetime.date
TODAY = D(2026, 5, 10)


@pytest.fixture(autouse=True)
def on_10_may_2026():
    with time_machine.travel(datetime.datetime(2026, 5, 10, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def fill(world, unit, community, n=1, tag=""):
    """n people of the unit with one of everything the overview counts."""
    campaign = VisitCampaign.objects.create(title=f"{tag}端午慰问", year=2026, node=unit, scope_path=unit.path,
                                            due_on=D(2026, 6, 19), status=CampaignStatus.OPEN)
    for i in range(n):
        person = make_person(unit, name=f"{tag}老同志{i}", community=community, born=D(1946, 5, 20))
        Visit.objects.create(person=person, kind=VisitKind.ROUTINE, visited_on=D(2026, 3, 1), visitors="王")
        Visit.objects.create(person=person, kind=VisitKind.ROUTINE, visited_on=D(2025, 12, 1), visitors="王")
        LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, place="医院", starts_on=D(2026, 5, 1))
        assignment = CareAssignment.objects.create(person=person, carer=world.community_a_admin, interval_days=7,
                                                   started_on=D(2026, 1, 1), next_due_on=D(2026, 5, 1))
        Escalation.objects.create(person=person, assignment=assignment, reason=EscalationReason.OVERDUE)
        Escalation.objects.create(person=person, assignment=assignment, reason=EscalationReason.NO_ANSWER,
                                  status=EscalationStatus.RESOLVED)
        for status in (AidStatus.SUBMITTED, AidStatus.PAID):
            AidApplication.objects.create(person=person, kind=AidKind.MEDICAL, reason="住院", applied_on=TODAY,
                                          amount_requested=Decimal("1000"), status=status)
        CampaignTask.objects.create(campaign=campaign, person=person, assignee=unit, assignee_path=unit.path,
                                    status=TaskStatus.DONE if i % 2 == 0 else TaskStatus.PENDING)
    return campaign


def test_the_figures_count_the_scope_only_and_each_links_to_its_tab(world):
    campaign = fill(world, world.unit_a, world.community_a, n=2, tag="甲")
    fill(world, world.unit_b, world.community_b, n=3, tag="乙")
    dead = make_person(world.unit_a, name="已故", deceased_on=D(2026, 4, 1))
    LifeEvent.objects.create(person=dead, kind=LifeEventKind.HOSPITAL, place="医院", starts_on=D(2026, 3, 1))
    response = login(world.unit_a_admin).get(HOME)
    assert response.status_code == 200
    assert response.context["figures"] == {"visits_this_year": 2, "in_hospital": 2, "birthdays": 2,
                                           "escalations": 2, "aid_under_way": 2, "campaigns_open": 1}
    shown = response.context["campaigns"][0]
    assert (shown.pk, shown.planned, shown.done, shown.percent) == (campaign.pk, 2, 1, 50)
    body = response.content.decode()
    assert f'{reverse("care:visit_list")}?date_from=2026-01-01' in body
    for name in ("care:hospital_list", "care:birthdays"):
        assert reverse(name) in body
    assert "乙老同志" not in body and "乙端午慰问" not in body


def test_a_county_campaign_shows_the_coverage_of_the_tasks_the_scope_sees(world):
    campaign = VisitCampaign.objects.create(title="县端午慰问", year=2026, node=world.county_a,
                                            scope_path=world.county_a.path, due_on=D(2026, 5, 1),
                                            status=CampaignStatus.OPEN)
    for i, (unit, status) in enumerate([(world.unit_a, TaskStatus.PENDING), (world.community_a, TaskStatus.DONE)]):
        person = make_person(world.unit_a, name=f"人{i}")
        CampaignTask.objects.create(campaign=campaign, person=person, assignee=unit, assignee_path=unit.path,
                                    status=status)
    county = login(world.county_a_admin).get(HOME).context["campaigns"][0]
    assert (county.planned, county.done, county.percent, county.overdue) == (2, 1, 50, True)
    community = login(world.community_a_admin).get(HOME).context["campaigns"][0]
    assert (community.planned, community.done) == (1, 1)


def test_the_overview_costs_the_same_queries_for_a_small_or_a_larger_scope(world):
    client = login(world.unit_a_admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(HOME).status_code == 200
        return len(queries)

    fill(world, world.unit_a, world.community_a, n=2, tag="一")
    few = count()
    fill(world, world.unit_a, world.community_a, n=20, tag="二")
    assert client.get(HOME).context["figures"]["visits_this_year"] == 22
    assert count() == few


def test_an_empty_scope_says_what_to_do(world):
    body = login(world.community_a_admin).get(HOME).content.decode()
    assert "No visit recorded yet." in body and reverse("care:visit_create") in body
