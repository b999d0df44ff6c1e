"""Shared helpers of the visit campaign tests (no tests here): scopes, a county-A roster and campaign factories."""

import datetime
from types import SimpleNamespace

from yinfa.care.models import Festival, VisitCampaign
from yinfa.care.services import campaigns as services
from yinfa.core.models import RoleGrant
from yinfa.core.scope import Scope
from yinfa.people.models import Category, Contact, LivingStatus, Relation, SelfCare
from yinfa.people.tests.factories import make_person

SPRING_2026 = datetime.date(2026, 2, 17)


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def make_survivor(person, name="遗属"):
    return Contact.objects.create(person=person, relation=Relation.SPOUSE, name=name, phone="13900000001",
                                  is_survivor=True, alive=True)


def build_roster(world):
    """County-A people, one per case; county B has a lixiu cadre too."""
    a, c = world.unit_a, world.community_a
    people = SimpleNamespace(
        lixiu=make_person(a, name="离休甲", category=Category.LIXIU, community=c, born=datetime.date(1930, 5, 1)),
        dependent=make_person(a, name="失能乙", self_care=SelfCare.DEPENDENT, community=c),
        alone_80=make_person(a, name="独居丙", living_status=LivingStatus.ALONE, community=c,
                             born=datetime.date(1946, 2, 17)),
        alone_79=make_person(a, name="独居丁", living_status=LivingStatus.ALONE, community=c,
                             born=datetime.date(1946, 2, 18)),
        aged_92=make_person(a, name="高龄戊", born=datetime.date(1933, 6, 1)),
        both=make_person(a, name="离休失能", category=Category.LIXIU, self_care=SelfCare.DEPENDENT, community=c),
        dead_lixiu=make_person(a, name="已故离休", category=Category.LIXIU, deceased_on=datetime.date(2024, 1, 1)),
        dead_with_survivor=make_person(a, name="已故有遗属", deceased_on=datetime.date(2023, 3, 1), community=c),
        outside_unit=make_person(world.unit_b, name="外单位离休", category=Category.LIXIU, community=c),
        county_b=make_person(world.unit_b, name="乙县离休", category=Category.LIXIU, community=world.community_b),
        ordinary=make_person(a, name="普通己", community=c),
    )
    make_survivor(people.dead_with_survivor)
    return people


def criteria(*groups, visited_by="unit", **ages):
    return {"groups": list(groups), "visited_by": visited_by, **ages}


def plan(world, *, user=None, node=None, groups=("lixiu",), visited_by="unit", festival=Festival.SPRING, year=2026,
         due_on=None, title="", **ages):
    user = user or world.county_a_admin
    return services.create_campaign(
        actor=user, scope=scope_of(user), node=node or world.county_a,
        values={"title": title, "festival": festival, "year": year, "due_on": due_on,
                "criteria": criteria(*groups, visited_by=visited_by, **ages)})


def opened(world, **kwargs):
    campaign = plan(world, **kwargs)
    services.open_campaign(actor=world.county_a_admin, scope=scope_of(world.county_a_admin), campaign=campaign)
    return VisitCampaign.objects.get(pk=campaign.pk)
