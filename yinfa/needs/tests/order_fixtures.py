"""Test helpers of service orders: a county-A retiree with their own account, named users around them (the
community that handles their orders, the county above it, their former unit, volunteers, another retiree, county B),
a menu item, providers, and orders brought to any state through the services."""

import datetime
from dataclasses import dataclass

import pytest

from yinfa.core.models import RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import make_user
from yinfa.needs.models import (
    OrderChannel,
    OrderStatus,
    ProviderKind,
    Resource,
    ServiceCategory,
    ServiceItem,
)
from yinfa.needs.services import orders as services
from yinfa.people.tests.factories import make_person

S = OrderStatus
STATES = [S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.DONE, S.CONFIRMED, S.CANCELLED, S.REJECTED]
ACTIONS = ["accept", "assign", "done", "confirm", "cancel", "reject"]


def scope_of(user):
    grant = RoleGrant.objects.select_related("node").filter(user=user).order_by("pk").first()
    return Scope.from_grant(grant)


def make_item(node, *, name="上门理发", category=ServiceCategory.HAIRCUT, accept_days=1, complete_days=3, **values):
    return ServiceItem.objects.create(node=node, node_path=node.path, name=name, category=category,
                                      accept_days=accept_days, complete_days=complete_days, **values)


def make_resource(node, *, name="志愿理发队", kind=ProviderKind.ORGANISATION, categories=(ServiceCategory.HAIRCUT,),
                  community=None, user=None, skills="", **values):
    return Resource.objects.create(node=node, node_path=node.path, provider_kind=kind, provider_name=name,
                                   categories=list(categories), offer=values.pop("offer", "理发"), skills=skills,
                                   community=community, provider_user=user, **values)


@dataclass
class OrderWorld:
    world: object
    person: object  # 王国华, community A and unit A, with an own account
    retiree: object
    other_person: object
    other_retiree: object
    staff: object  # community A administrator: handles the orders of community A
    county_staff: object  # county A bureau administrator (the handler lies in their scope)
    unit_staff: object  # unit A administrator: sees the order (the person's unit), does not handle it
    volunteer: object  # VOLUNTEER at community A, on the resource list
    volunteer2: object  # another VOLUNTEER at community A
    staff_b: object  # county B bureau administrator
    item: object
    by_volunteer: object  # resource: the volunteer (with an account)
    by_shop: object  # resource: a business without an account

    @classmethod
    def build(cls, world):
        person = make_person(world.unit_a, community=world.community_a, name="王国华")
        retiree = make_user("wang_guohua", role=Role.RETIREE, node=world.community_a, full_name="王国华")
        person.account = retiree
        person.save()
        other_person = make_person(world.unit_a, community=world.community_a, name="李四")
        other_retiree = make_user("li_si", role=Role.RETIREE, node=world.community_a, full_name="李四")
        other_person.account = other_retiree
        other_person.save()
        volunteer = make_user("vol_a", role=Role.VOLUNTEER, node=world.community_a, full_name="张志愿")
        return cls(
            world=world, person=person, retiree=retiree, other_person=other_person, other_retiree=other_retiree,
            staff=world.community_a_admin, county_staff=world.county_a_admin, unit_staff=world.unit_a_admin,
            volunteer=volunteer,
            volunteer2=make_user("vol_a2", role=Role.VOLUNTEER, node=world.community_a, full_name="赵志愿"),
            staff_b=world.county_b_admin,
            item=make_item(world.community_a),
            by_volunteer=make_resource(world.community_a, name="张志愿", kind=ProviderKind.VOLUNTEER, user=volunteer,
                                       community=world.community_a),
            by_shop=make_resource(world.county_a, name="县城美发店", offer="上门理发"),
        )

    def place(self, *, person=None, channel=OrderChannel.SELF, actor=None, item=None, today=None, **values):
        person = person or self.person
        if actor is None:
            actor = person.account if channel == OrderChannel.SELF else self.staff
        if channel == OrderChannel.FAMILY:
            values.setdefault("proxy_name", "王小明")
            values.setdefault("proxy_relation", "儿子")
        return services.create_order(actor=actor, scope=scope_of(actor), person=person, item=item or self.item,
                                     channel=channel, values=values, today=today)

    def act(self, action, order, actor, **values):
        defaults = {"assign": {"provider": self.by_shop if order.provider_id == self.by_volunteer.pk
                               else self.by_volunteer},
                    "done": {"note": "理了发"}, "confirm": {"rating": 5}, "cancel": {"reason": "不需要了"},
                    "reject": {"reason": "超出服务范围"}}
        return services.perform(action, actor=actor, scope=scope_of(actor), order=order,
                                **{**defaults.get(action, {}), **values})

    def order_in(self, state, *, provider=None, **place_values):
        """An order brought to ``state`` through the services (assigned to the volunteer unless told)."""
        order = self.place(**place_values)
        if state == S.SUBMITTED:
            return order
        if state == S.REJECTED:
            return self.act("reject", order, self.staff)
        if state == S.CANCELLED:
            return self.act("cancel", order, order.person.account or self.staff)
        order = self.act("accept", order, self.staff)
        if state == S.ACCEPTED:
            return order
        provider = provider or self.by_volunteer
        order = self.act("assign", order, self.staff, provider=provider)
        if state == S.ASSIGNED:
            return order
        order = self.act("done", order, self.volunteer if provider.provider_user_id else self.staff)
        if state == S.DONE:
            return order
        return self.act("confirm", order, order.person.account or self.staff)


@pytest.fixture(name="ow")
def order_world(world):
    """The OrderWorld (import ``order_world`` into a test module to use the ``ow`` fixture)."""
    return OrderWorld.build(world)


DAY = datetime.date
