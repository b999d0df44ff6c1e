"""The organisation-tree services: paths, depths, child counts, the rules of moving and closing, the audit."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from yinfa.core.models import AuditAction, AuditEvent, OrgKind, OrgNode
from yinfa.core.scope import Scope
from yinfa.core.services import org as org_services
from yinfa.core.testing import make_node

pytestmark = pytest.mark.django_db


def scope_of(user):
    return Scope.from_grant(user.grants.select_related("node").get())


def audit_rows(node, action=None):
    rows = AuditEvent.objects.filter(object_type="core.orgnode", object_id=str(node.pk))
    return rows.filter(action=action) if action else rows


def test_it_creates_a_node_with_its_path_depth_and_an_audit_row(world):
    admin = world.county_a_admin
    node = org_services.create_node(actor=admin, actor_scope=scope_of(admin), parent=world.street_a,
                                    kind=OrgKind.COMMUNITY, code="C-NEW", name="西门社区")
    assert node.path == f"{world.street_a.path}{org_services._b36(node.pk)}/"
    assert node.depth == world.street_a.depth + 1
    world.street_a.refresh_from_db()
    assert world.street_a.child_count == 2
    row = audit_rows(node, AuditAction.CREATE).get()
    assert row.actor == admin
    assert row.changes["name"] == [None, "西门社区"]


def test_it_refuses_a_node_outside_the_actors_scope(world):
    admin = world.county_a_admin
    with pytest.raises(ValidationError):
        org_services.create_node(actor=admin, actor_scope=scope_of(admin), parent=world.county_b,
                                 kind=OrgKind.UNIT, code="C-OUT", name="乙县某局")
    assert not OrgNode.objects.filter(code="C-OUT").exists()


def test_it_refuses_a_kind_that_cannot_sit_under_the_parent(world):
    admin = world.county_a_admin
    with pytest.raises(ValidationError) as caught:
        org_services.create_node(actor=admin, actor_scope=scope_of(admin), parent=world.community_a,
                                 kind=OrgKind.STREET, code="C-BAD", name="错误街道")
    assert "kind" in caught.value.message_dict


def test_an_update_records_the_changed_fields_only(world):
    admin = world.county_a_admin
    org_services.update_node(actor=admin, actor_scope=scope_of(admin), node=world.unit_a, name="甲县财政局（新）",
                             code=world.unit_a.code)
    row = audit_rows(world.unit_a, AuditAction.UPDATE).get()
    assert row.changes == {"name": ["甲县财政局", "甲县财政局（新）"]}


def test_moving_a_subtree_updates_every_descendants_path_and_depth(world):
    admin = world.county_a_admin
    unit = world.unit_a
    child = make_node(unit, OrgKind.PARTY_COMMITTEE, "财政局机关党委")
    grandchild = make_node(child, OrgKind.BRANCH, "离退休第一支部")
    great = make_node(grandchild, OrgKind.PARTY_GROUP, "第一党小组")
    new_parent = make_node(world.county_a, OrgKind.UNIT, "甲县政府办", "organ")

    org_services.move_node(actor=admin, actor_scope=scope_of(admin), node=unit, new_parent=new_parent)

    unit.refresh_from_db()
    assert unit.parent_id == new_parent.pk
    assert unit.path.startswith(new_parent.path) and unit.depth == new_parent.depth + 1
    for node, parent in ((child, unit), (grandchild, child), (great, grandchild)):
        node.refresh_from_db()
        parent.refresh_from_db()
        assert node.path == f"{parent.path}{org_services._b36(node.pk)}/"
        assert node.depth == parent.depth + 1
    world.county_a.refresh_from_db()
    new_parent.refresh_from_db()
    assert new_parent.child_count == 1
    assert OrgNode.objects.subtree_of(new_parent).count() == 5
    row = audit_rows(unit, AuditAction.UPDATE).get()
    assert row.detail["moved_under"] == "甲县政府办"


def test_a_node_cannot_move_under_its_own_subtree(world):
    admin = world.county_a_admin
    with pytest.raises(ValidationError) as caught:
        org_services.move_node(actor=admin, actor_scope=scope_of(admin), node=world.street_a,
                               new_parent=world.community_a)
    assert "parent" in caught.value.message_dict
    world.street_a.refresh_from_db()
    assert world.street_a.parent_id == world.county_a.pk


def test_the_top_of_the_scope_cannot_be_moved_or_closed(world):
    admin = world.county_a_admin
    with pytest.raises(ValidationError):
        org_services.move_node(actor=admin, actor_scope=scope_of(admin), node=world.county_a,
                               new_parent=world.county_b)
    with pytest.raises(ValidationError):
        org_services.close_node(actor=admin, actor_scope=scope_of(admin), node=world.county_a,
                                closed_on=datetime.date(2026, 1, 1))


def test_closing_a_node_with_open_children_is_refused(world):
    admin = world.county_a_admin
    with pytest.raises(ValidationError) as caught:
        org_services.close_node(actor=admin, actor_scope=scope_of(admin), node=world.street_a,
                                closed_on=datetime.date(2026, 1, 1), reason="撤并")
    assert "1" in caught.value.messages[0]
    world.street_a.refresh_from_db()
    assert world.street_a.closed_on is None


def test_close_and_reopen_keep_the_node_and_write_audit_rows(world):
    admin = world.county_a_admin
    scope = scope_of(admin)
    day = datetime.date(2025, 12, 31)
    org_services.close_node(actor=admin, actor_scope=scope, node=world.community_a, closed_on=day, reason="撤并")
    world.community_a.refresh_from_db()
    assert world.community_a.closed_on == day and world.community_a.is_closed
    closing = audit_rows(world.community_a, AuditAction.UPDATE).get()
    assert closing.changes == {"closed_on": [None, "2025-12-31"]}
    assert closing.detail == {"reason": "撤并"}

    org_services.reopen_node(actor=admin, actor_scope=scope, node=world.community_a)
    world.community_a.refresh_from_db()
    assert world.community_a.closed_on is None
    assert audit_rows(world.community_a, AuditAction.UPDATE).count() == 2


def test_a_child_of_a_closed_node_cannot_be_reopened_first(world):
    admin = world.county_a_admin
    scope = scope_of(admin)
    day = datetime.date(2025, 12, 31)
    org_services.close_node(actor=admin, actor_scope=scope, node=world.community_a, closed_on=day)
    org_services.close_node(actor=admin, actor_scope=scope, node=world.street_a, closed_on=day)
    world.community_a.refresh_from_db()
    with pytest.raises(ValidationError):
        org_services.reopen_node(actor=admin, actor_scope=scope, node=world.community_a)
