"""Test helpers of the assessment tests: branches, meetings and compliance rows built directly, templates and
rounds through the services."""

import datetime
from decimal import Decimal

from django.utils import timezone

from yinfa.core.models import OrgKind, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import make_node, make_user
from yinfa.partylife.models import Branch, BranchCompliance, ItemSource, Meeting, MeetingKind, RoundStatus
from yinfa.partylife.services import assessment as services

# A finished year: the records are read at its last day, whatever today is.
YEAR = timezone.localdate().year - 1


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").filter(user=user).first())


def make_branch(parent, name, **values):
    node = make_node(parent, OrgKind.BRANCH, name)
    if values:
        Branch.objects.filter(pk=node.pk).update(**values)
    return Branch.objects.select_related("node").get(pk=node.pk)


def make_secretary(branch, username):
    return make_user(username, role=Role.BRANCH_SECRETARY, node=branch.node, full_name=f"{username}书记")


def make_meeting(branch, kind, held_on, *, counts_month=None, qualifies=True, recorded=True, expected=0, present=0,
                 delivered=0):
    return Meeting.objects.create(
        branch=branch, branch_path=branch.path, kind=kind, topic="学习会", held_on=held_on,
        counts_month=counts_month or held_on.month, qualifies=qualifies, attendance_recorded=recorded,
        expected_count=expected, present_count=present, delivered_count=delivered)


def committee_meetings(branch, months, year=YEAR):
    for month in months:
        make_meeting(branch, MeetingKind.COMMITTEE, datetime.date(year, month, 10))


def make_compliance(branch, held, expected, year=YEAR):
    return BranchCompliance.objects.create(branch=branch, year=year, branch_path=branch.path, held=held,
                                           expected=expected, on_time=held)


def item(title, points, source=ItemSource.MANUAL, threshold=None):
    return {"title": title, "points": Decimal(points), "source": source,
            "threshold": None if threshold is None else Decimal(threshold)}


SMALL_ITEMS = [
    item("支部委员会每月召开", 10, ItemSource.COMMITTEE_MONTHS, 10),
    item("班子在任", 5, ItemSource.COMMITTEE_IN_PLACE),
    item("作用发挥", 15),
]


def make_template(world, items=None, name="甲县老同志支部评价", scheme="custom"):
    return services.create_template(actor=world.county_a_admin, scope=scope_of(world.county_a_admin), name=name,
                                    scheme=scheme, items=items or SMALL_ITEMS)


def make_round(world, template, node=None, year=YEAR, opened=True):
    scope = scope_of(world.county_a_admin)
    round_ = services.create_round(actor=world.county_a_admin, scope=scope, template=template,
                                   node=node or world.county_a, year=year,
                                   self_due_on=timezone.localdate() + datetime.timedelta(days=20))
    if opened:
        round_ = services.transition(round_, RoundStatus.SELF_ASSESSMENT, actor=world.county_a_admin, scope=scope)
    return round_


def term_ahead(days=400):
    return timezone.localdate() + datetime.timedelta(days=days)
