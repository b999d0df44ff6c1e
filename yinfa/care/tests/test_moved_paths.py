"""Copies of tree paths on care and needs rows follow a subtree that moves to another county."""

import datetime
from decimal import Decimal

import pytest

from yinfa.care.models import CampaignTask, CarePolicy, Condition, VisitCampaign
from yinfa.core.services import org as org_services
from yinfa.core.testing import World
from yinfa.needs.models import Resource, ServiceItem, ServiceOrder, Wish
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_moving_a_subtree_rewrites_the_paths_kept_on_care_and_needs_rows():
    world = World.build()
    person = make_person(world.unit_a, community=world.community_a)
    policy = CarePolicy.objects.create(node=world.street_a, node_path=world.street_a.path,
                                       condition=Condition.ALONE, interval_days=5)
    campaign = VisitCampaign.objects.create(title="春节慰问", year=2026, node=world.street_a,
                                            scope_path=world.street_a.path, due_on=datetime.date(2026, 2, 17))
    task = CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.community_a,
                                       assignee_path=world.community_a.path)
    resource = Resource.objects.create(node=world.community_a, node_path=world.community_a.path,
                                       provider_kind="volunteer", provider_name="理发志愿者", offer="上门理发")
    item = ServiceItem.objects.create(node=world.street_a, node_path=world.street_a.path, name="上门理发",
                                      category="haircut")
    order = ServiceOrder.objects.create(person=person, item=item, handler=world.community_a,
                                        handler_path=world.community_a.path, accept_by=datetime.date(2026, 11, 23),
                                        due_on=datetime.date(2026, 11, 27))
    wish = Wish.objects.create(person=person, title="一副老花镜", reason="看报", estimated_cost=Decimal("80"),
                               wall=world.community_a, wall_path=world.community_a.path)

    org_services.move_node(actor=world.city_admin, actor_scope=None, node=world.street_a, new_parent=world.county_b)

    world.street_a.refresh_from_db()
    world.community_a.refresh_from_db()
    assert world.street_a.path.startswith(world.county_b.path)
    for row, column, node in ((policy, "node_path", world.street_a), (campaign, "scope_path", world.street_a),
                              (task, "assignee_path", world.community_a), (resource, "node_path", world.community_a),
                              (item, "node_path", world.street_a), (order, "handler_path", world.community_a),
                              (wish, "wall_path", world.community_a)):
        row.refresh_from_db()
        assert getattr(row, column) == node.path, (row, column)
