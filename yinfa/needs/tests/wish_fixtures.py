"""Test helpers of micro-wishes: a county-A person with their own account, named users around them (staff, claimers,
another retiree, county-B users), and wishes brought to any state through the services."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yinfa.care.models import Visit, VisitKind
from yinfa.core.models import OrgKind, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import make_node, make_user
from yinfa.needs.models import WishStatus
from yinfa.needs.services import wish_claims
from yinfa.needs.services import wishes as services
from yinfa.people.tests.factories import make_person

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
S = WishStatus
STATES = [S.COLLECTED, S.PUBLISHED, S.CLAIMED, S.FULFILLED, S.CONFIRMED, S.REJECTED, S.WITHDRAWN]


def scope_of(user):
    grant = RoleGrant.objects.select_related("node").filter(user=user).order_by("pk").first()
    return Scope.from_grant(grant)


def photo(name="done.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


@dataclass
class WishWorld:
    world: object
    person: object  # 王国华, community A, with an own account
    retiree: object  # the person's account (RETIREE at community A)
    other_person: object
    other_retiree: object  # a neighbour's account (RETIREE at community A)
    staff: object  # community A administrator (CARE_MANAGE, SERVICE_FULFIL)
    unit_staff: object  # unit A administrator (CARE_MANAGE, no claiming)
    county_staff: object  # county A bureau administrator
    volunteer: object  # VOLUNTEER at community A
    volunteer2: object  # another VOLUNTEER at community A
    secretary: object  # BRANCH_SECRETARY of a branch in unit A
    branch: object
    volunteer_b: object  # VOLUNTEER at community B (the sibling county)
    staff_b: object  # county B bureau administrator

    @classmethod
    def build(cls, world):
        person = make_person(world.unit_a, community=world.community_a, name="王国华")
        retiree = make_user("wang_guohua", role=Role.RETIREE, node=world.community_a, full_name="老王")
        person.account = retiree
        person.save()
        other_person = make_person(world.unit_a, community=world.community_a, name="李四")
        other_retiree = make_user("li_si", role=Role.RETIREE, node=world.community_a, full_name="老李")
        other_person.account = other_retiree
        other_person.save()
        branch = make_node(world.unit_a, OrgKind.BRANCH, "财政局离退休党支部")
        return cls(
            world=world, person=person, retiree=retiree, other_person=other_person, other_retiree=other_retiree,
            staff=world.community_a_admin, unit_staff=world.unit_a_admin, county_staff=world.county_a_admin,
            volunteer=make_user("vol_a", role=Role.VOLUNTEER, node=world.community_a, full_name="张志愿"),
            volunteer2=make_user("vol_a2", role=Role.VOLUNTEER, node=world.community_a, full_name="赵志愿"),
            secretary=make_user("sec_a", role=Role.BRANCH_SECRETARY, node=branch, full_name="刘书记"),
            branch=branch,
            volunteer_b=make_user("vol_b", role=Role.VOLUNTEER, node=world.community_b, full_name="乙县志愿者"),
            staff_b=world.county_b_admin,
        )

    def collect(self, person=None, **values):
        """A wish collected by the community's staff (by the county's when ``wall`` is given, e.g. the county)."""
        values.setdefault("title", "一副老花镜")
        values.setdefault("reason", "视力下降，看不清报纸")
        values.setdefault("estimated_cost", Decimal("180"))
        collector = self.county_staff if values.get("wall") is not None else self.staff
        return services.collect_wish(actor=collector, scope=scope_of(collector), person=person or self.person,
                                     **values)

    def wish_in(self, state, claimant=None, person=None, wall=None):
        """A wish brought to ``state`` through the services (claimed by ``claimant``, the volunteer by default)."""
        claimant = claimant or self.volunteer
        wish = self.collect(person=person, wall=wall)
        if state == S.COLLECTED:
            return wish
        if state == S.REJECTED:
            return services.reject_wish(actor=self.staff, scope=scope_of(self.staff), wish=wish, reason="已由单位解决")
        services.publish_wish(actor=self.staff, scope=scope_of(self.staff), wish=wish)
        if state == S.PUBLISHED:
            return wish
        if state == S.WITHDRAWN:
            return services.withdraw_wish(actor=self.staff, scope=scope_of(self.staff), wish=wish, reason="家属已购买")
        wish_claims.claim_wish(actor=claimant, scope=scope_of(claimant), wish=wish)
        if state == S.CLAIMED:
            return wish
        wish_claims.fulfil_wish(actor=claimant, scope=scope_of(claimant), wish=wish, note="送去老花镜一副",
                                photo=photo())
        if state == S.FULFILLED:
            return wish
        wish_claims.confirm_wish(actor=self.retiree, scope=scope_of(self.retiree), wish=wish, words="谢谢")
        return wish

    def visit(self, person=None, needs="想要一个助行器\n腿脚不便，出门困难"):
        return Visit.objects.create(person=person or self.person, kind=VisitKind.ROUTINE,
                                    visited_on=datetime.date.today(), visitors="社区干部", needs=needs)


@pytest.fixture(name="wx")
def wish_world_fixture(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return WishWorld.build(world)


@pytest.fixture(name="notified")
def notified_fixture(django_capture_on_commit_callbacks):
    """``with notified(execute=True):`` — run the notifications (sent on commit) of what happens inside."""
    return django_capture_on_commit_callbacks
