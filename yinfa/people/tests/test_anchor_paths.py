"""The copies of the anchors' tree paths on person rows follow the tree."""

import pytest

from yinfa.core.models import OrgKind
from yinfa.core.services import org as org_services
from yinfa.core.testing import make_node
from yinfa.people.models import Person
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_saving_a_person_copies_the_paths_of_the_anchors(world):
    person = make_person(world.unit_a, community=world.community_a, registered_community=world.community_a)
    assert person.unit_path == world.unit_a.path
    assert person.community_path == world.community_a.path
    assert person.registered_path == world.community_a.path
    assert person.branch_path == ""


def test_moving_a_subtree_rewrites_the_paths_of_its_people(world):
    office = make_node(world.unit_a, OrgKind.UNIT, "财政局下属办公室")
    person = make_person(office, community=world.community_a)
    org_services.move_node(actor=world.city_admin, actor_scope=None, node=world.unit_a, new_parent=world.county_b)
    person.refresh_from_db()
    office.refresh_from_db()
    assert person.unit_path == office.path
    assert person.unit_path.startswith(world.county_b.path)
    assert person.community_path == world.community_a.path


def test_the_sibling_county_sees_the_people_of_a_moved_unit(world):
    from yinfa.core.models import RoleGrant
    from yinfa.core.scope import Scope

    person = make_person(world.unit_a)
    org_services.move_node(actor=world.city_admin, actor_scope=None, node=world.unit_a, new_parent=world.county_b)
    scope_b = Scope.from_grant(RoleGrant.objects.get(user=world.county_b_admin))
    scope_a = Scope.from_grant(RoleGrant.objects.get(user=world.county_a_admin))
    assert Person.objects.visible_to(scope_b).filter(pk=person.pk).exists()
    assert not Person.objects.visible_to(scope_a).filter(pk=person.pk).exists()
