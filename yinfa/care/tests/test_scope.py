"""Care rows are read only within a scope: a person's visits, aid and care rows through the person's anchors;
campaigns of the scope's subtree and of the organisations above it; a campaign task also by its assignee."""

import datetime
from decimal import Decimal

import pytest

from yinfa.care.models import AidApplication, AidKind, CampaignTask, Visit, VisitCampaign, VisitKind
from yinfa.core.models import RoleGrant
from yinfa.core.scope import Scope
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 2, 10)


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def test_a_persons_visits_and_aid_are_seen_by_their_unit_and_community_and_not_by_the_sibling_county(world):
    person = make_person(world.unit_a, name="甲县老同志", community=world.community_a)
    visit = Visit.objects.create(person=person, kind=VisitKind.FESTIVAL, visited_on=DAY, visitors="甲县干部")
    aid = AidApplication.objects.create(person=person, kind=AidKind.MEDICAL, reason="住院", applied_on=DAY,
                                        amount_requested=Decimal("2000.00"))
    for user in (world.unit_a_admin, world.community_a_admin, world.county_a_admin):
        assert list(Visit.objects.visible_to(scope_of(user))) == [visit]
        assert list(AidApplication.objects.visible_to(scope_of(user))) == [aid]
    assert not Visit.objects.visible_to(scope_of(world.county_b_admin)).exists()
    assert not AidApplication.objects.visible_to(scope_of(world.county_b_admin)).exists()
    assert not Visit.objects.visible_to(None).exists()


def test_a_county_campaign_is_seen_below_and_its_tasks_by_their_assignee(world):
    campaign = VisitCampaign.objects.create(title="2026年春节慰问", year=2026, node=world.county_a,
                                            scope_path=world.county_a.path, due_on=DAY)
    person = make_person(world.unit_a, name="甲县老同志")
    task = CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.unit_a,
                                       assignee_path=world.unit_a.path)
    assert list(VisitCampaign.objects.visible_to(scope_of(world.unit_a_admin))) == [campaign]
    assert list(CampaignTask.objects.visible_to(scope_of(world.unit_a_admin))) == [task]
    assert not VisitCampaign.objects.visible_to(scope_of(world.county_b_admin)).exists()
    assert not CampaignTask.objects.visible_to(scope_of(world.county_b_admin)).exists()
