"""Test helpers for party dues: a county-A branch with its secretary and a work committee above it, members with
bases, and the scope of a user's role."""

import datetime
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

import time_machine

from yinfa.core.models import RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import make_user
from yinfa.dues.models import PensionBase
from yinfa.dues.rules import parse_month
from yinfa.partylife.tests.factories import make_branch, make_member

TODAY = datetime.date(2026, 11, 22)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def on(day, hour=10):
    """time_machine travelling to ``day`` at ``hour`` o'clock in Shanghai (clock ticking)."""
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI))


def scope_of(user):
    grant = RoleGrant.objects.select_related("node").filter(user=user).order_by("pk").first()
    return Scope.from_grant(grant)


def add_base(person, month="2026-01", amount="4000.00"):
    return PensionBase.objects.create(person=person, effective_month=parse_month(month), amount=Decimal(amount))


@dataclass
class DuesWorld:
    world: object
    branch: object
    secretary: object
    committee_admin: object
    branch_b: object
    members: list

    def add_member(self, name, *, branch=None, base="4000.00", started_on=datetime.date(2020, 1, 1), **values):
        person = make_member(branch or self.branch, name=name, started_on=started_on, **values)
        if base is not None:
            add_base(person, "2026-01", base)
        return person


def build(world, members=2):
    """County A: 甲县财政局 branch with its secretary; a committee administrator at the county; county B: a
    branch of its own. ``members`` members of the county-A branch with a base of 4,000.00 from 2026-01."""
    branch = make_branch(world.unit_a, name="甲县财政局离退休干部党支部")
    branch_b = make_branch(world.unit_b, name="乙县教育局离退休干部党支部")
    secretary = make_user("zhibu_a", role=Role.BRANCH_SECRETARY, node=branch.node, full_name="支部书记")
    committee_admin = make_user("gongwei_a", role=Role.COMMITTEE_ADMIN, node=world.county_a, full_name="工委")
    dues_world = DuesWorld(world, branch, secretary, committee_admin, branch_b, [])
    for n in range(members):
        dues_world.members.append(dues_world.add_member(f"甲县老同志{n:02d}"))
    return dues_world
