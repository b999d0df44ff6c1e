"""Shared test helpers: factories and a small two-county world with named users per role.

Use ``World.build()`` in ``setUpTestData`` (or the ``world`` pytest fixture) and refer to users by role:
``world.county_a_admin`` sees county A only; ``world.county_b_admin`` is the sibling-scope user.
"""

import itertools
from dataclasses import dataclass

from django.test import Client

from yinfa.core.models import OrgKind, RoleGrant, UnitKind, User
from yinfa.core.permissions import Role
from yinfa.core.services import org as org_services

PASSWORD = "Yinfa@2026pw"
# A fixed 160-bit base32 secret for the test administrators' second factor.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_codes = itertools.count(1)


def make_node(parent, kind, name, unit_kind=""):
    return org_services.create_node(actor=None, actor_scope=None, parent=parent, kind=kind,
                                    code=f"T{next(_codes):05d}", name=name, unit_kind=unit_kind)


def make_user(username, *, role=None, node=None, full_name="", totp=False, must_change_password=False):
    user = User(username=username, full_name=full_name or username, must_change_password=must_change_password)
    user.set_password(PASSWORD)
    from django.utils import timezone

    user.password_changed_at = timezone.now()
    if totp:
        user.totp_secret = TOTP_SECRET
        user.totp_confirmed_at = timezone.now()
    user.save()
    if role is not None:
        RoleGrant.objects.create(user=user, role=role, node=node)
    return user


def login(user, *, otp=True):
    """A test client logged in as ``user`` (second factor marked done when ``otp``)."""
    client = Client()
    client.force_login(user)
    if otp:
        session = client.session
        session["yinfa_otp_ok"] = True
        session.save()
    return client


@dataclass
class World:
    city: object
    county_a: object
    county_b: object
    unit_a: object
    street_a: object
    community_a: object
    unit_b: object
    community_b: object
    city_admin: User
    county_a_admin: User
    county_b_admin: User
    unit_a_admin: User
    community_a_admin: User
    security_admin: User
    audit_admin: User
    system_admin: User
    no_role: User

    @classmethod
    def build(cls):
        city = make_node(None, OrgKind.BUREAU, "测试市委老干部局")
        county_a = make_node(city, OrgKind.DISTRICT, "甲县")
        county_b = make_node(city, OrgKind.DISTRICT, "乙县")
        unit_a = make_node(county_a, OrgKind.UNIT, "甲县财政局", UnitKind.ORGAN)
        street_a = make_node(county_a, OrgKind.STREET, "城关镇")
        community_a = make_node(street_a, OrgKind.COMMUNITY, "东门社区")
        unit_b = make_node(county_b, OrgKind.UNIT, "乙县教育局", UnitKind.ORGAN)
        street_b = make_node(county_b, OrgKind.STREET, "城南街道")
        community_b = make_node(street_b, OrgKind.COMMUNITY, "南湖社区")
        return cls(
            city=city, county_a=county_a, county_b=county_b, unit_a=unit_a, street_a=street_a,
            community_a=community_a, unit_b=unit_b, community_b=community_b,
            city_admin=make_user("city_admin", role=Role.BUREAU_ADMIN, node=city, full_name="市局管理员"),
            county_a_admin=make_user("a_admin", role=Role.BUREAU_ADMIN, node=county_a, full_name="甲县管理员"),
            county_b_admin=make_user("b_admin", role=Role.BUREAU_ADMIN, node=county_b, full_name="乙县管理员"),
            unit_a_admin=make_user("a_unit", role=Role.UNIT_ADMIN, node=unit_a, full_name="财政局管理员"),
            community_a_admin=make_user("a_comm", role=Role.COMMUNITY_ADMIN, node=community_a,
                                        full_name="东门社区管理员"),
            security_admin=make_user("sec", role=Role.SECURITY_ADMIN, node=city, full_name="安全员", totp=True),
            audit_admin=make_user("aud", role=Role.AUDIT_ADMIN, node=city, full_name="审计员", totp=True),
            system_admin=make_user("sys", role=Role.SYSTEM_ADMIN, node=city, full_name="系统员", totp=True),
            no_role=make_user("nobody", full_name="无角色"),
        )
