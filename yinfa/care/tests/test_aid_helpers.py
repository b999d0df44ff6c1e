"""Shared builders of the hardship-aid tests: a county-A person, the scope of a named user, an application driven
to a given state through the services (so every state is reached the way users reach it)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from yinfa.care.models import AidKind, AidStatus, PaymentMethod
from yinfa.care.services import aid as services
from yinfa.core.models import OrgKind, RoleGrant, UnitKind
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import make_node, make_user
from yinfa.people.tests.factories import make_person

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").filter(user=user).order_by("pk").first())


def today():
    return timezone.localdate()


def last_week():
    return today() - datetime.timedelta(days=7)


class Aid:
    """The cast: a county-A person and the accounts around them."""

    def __init__(self, world):
        self.world = world
        self.person = make_person(world.unit_a, name="张德明", community=world.community_a)
        self.unit = world.unit_a_admin            # UNIT_ADMIN at the person's former unit
        self.bureau = world.county_a_admin        # BUREAU_ADMIN of the county
        self.city = world.city_admin              # BUREAU_ADMIN above the county
        self.community = world.community_a_admin  # COMMUNITY_ADMIN where the person lives
        other_unit = make_node(world.county_a, OrgKind.UNIT, "甲县教育局", UnitKind.ORGAN)
        self.other_unit = make_user("a_unit2", role=Role.UNIT_ADMIN, node=other_unit, full_name="教育局管理员")
        self.volunteer = make_user("a_vol", role=Role.VOLUNTEER, node=world.community_a, full_name="志愿者")
        self.sibling = world.county_b_admin

    def by_role(self, name):
        return {"unit": self.unit, "bureau": self.bureau, "community": self.community, "city": self.city,
                "other_unit": self.other_unit, "volunteer": self.volunteer, "sibling": self.sibling}[name]


def apply(aid, *, by=None, person=None, kind=AidKind.MEDICAL, amount="2000.00", applied_on=None,
          reason="住院自付费用高", attachments=()):
    actor = by or aid.community
    return services.create_application(actor=actor, scope=scope_of(actor), person=person or aid.person, kind=kind,
                                       reason=reason, amount_requested=Decimal(amount),
                                       applied_on=applied_on or last_week(), attachments=attachments)


def drive(aid, application, status):
    """Take the steps that lead to ``status`` with the right accounts."""
    path = {AidStatus.SUBMITTED: [], AidStatus.UNIT_REVIEWED: ["review"], AidStatus.APPROVED: ["review", "approve"],
            AidStatus.PAID: ["review", "approve", "pay"], AidStatus.REJECTED: ["reject"]}[status]
    for action in path:
        actor = aid.unit if action in ("review", "reject", "pay") else aid.bureau
        services.take_action(action, actor=actor, scope=scope_of(actor), application=application,
                             **step_values(action, application))
    application.refresh_from_db()
    return application


def step_values(action, application=None):
    if action == "approve":
        return {"amount_granted": Decimal("1500.00"), "comment": "同意"}
    if action == "pay":
        return {"amount_paid": Decimal("1500.00"), "paid_on": today(), "method": PaymentMethod.TRANSFER}
    if action == "reject":
        return {"reason": "不符合条件"}
    return {"comment": "情况属实"}


def in_state(aid, status, **kwargs):
    return drive(aid, apply(aid, **kwargs), status)
