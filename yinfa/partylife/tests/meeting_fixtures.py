"""Shared data of the meeting tests: a county-A branch with its secretary and members, a second county-A branch,
a county-B branch, and helpers to record meetings through the services."""

import datetime
from types import SimpleNamespace

import pytest

from yinfa.core.models import RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import make_user
from yinfa.partylife.models import MeetingKind
from yinfa.partylife.services import meetings as services
from yinfa.partylife.tests.factories import make_branch, make_member

DAY = datetime.date(2025, 6, 10)


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").filter(user=user).first())


def record(party, *, branch=None, actor=None, **values):
    """A meeting recorded through the service (defaults: a general members' meeting on DAY with minutes)."""
    actor = actor or party.secretary
    values = {"kind": MeetingKind.GENERAL, "held_on": DAY, "topic": "学习贯彻党的二十届三中全会精神",
              "place": "老干部活动室", "host": "张书记", "minutes": "会议记录", **values}
    return services.create_meeting(actor=actor, scope=scope_of(actor), branch=branch or party.branch,
                                   values=values)


def present_all(party, meeting, overrides=None):
    """Record everybody present, with per-person overrides {person id: row dict}."""
    overrides = overrides or {}
    rows = []
    for row in meeting.attendance.all():
        rows.append({"person": row.person_id, "status": "present", **overrides.get(row.person_id, {})})
    return services.save_attendance(actor=party.secretary, scope=scope_of(party.secretary), meeting=meeting,
                                    rows=rows)


@pytest.fixture(name="party")
def party_fixture(world):
    branch = make_branch(world.unit_a, name="甲县财政局离退休干部党支部")
    other_branch = make_branch(world.unit_a, name="甲县财政局第二党支部")
    b_branch = make_branch(world.unit_b, name="乙县教育局离退休干部党支部")
    members = [make_member(branch, name=f"甲县党员{i}") for i in range(3)]
    secretary = make_user("zhibu_a", role=Role.BRANCH_SECRETARY, node=branch.node, full_name="甲县支部书记")
    return SimpleNamespace(world=world, branch=branch, other_branch=other_branch, b_branch=b_branch,
                           members=members, secretary=secretary, scope=scope_of(secretary))
