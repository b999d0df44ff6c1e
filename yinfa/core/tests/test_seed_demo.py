"""The demo county: deterministic, realistic, scoped correctly, with one login per role."""

import io
import statistics

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from yinfa.core.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS, REFERENCE_DATE
from yinfa.core.demo.blueprint import COUNTY_CODE, SIBLING_CODE
from yinfa.core.demo.loader import DEMO_LOGINS, plan
from yinfa.core.demo.people import digest
from yinfa.core.models import AuditAction, AuditEvent, OrgKind, OrgNode, RoleGrant, User
from yinfa.core.permissions import Role
from yinfa.people import idnumbers
from yinfa.people.models import LIXIU_CUTOFF, Person, lixiu_period_band

SCALE = 0.05


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", scale=SCALE, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def test_the_generator_is_deterministic_and_depends_on_the_seed():
    first = plan(seed=7, scale=SCALE)
    second = plan(seed=7, scale=SCALE)
    other = plan(seed=8, scale=SCALE)
    assert digest(first[1] + first[2]) == digest(second[1] + second[2])
    assert first[0].nodes == second[0].nodes
    assert digest(first[1]) != digest(other[1])


def test_the_full_county_has_the_figures_of_the_seed_documents():
    blueprint, county, _sibling = plan()
    lixiu = [p for p in county if p.category == "lixiu"]
    assert len(county) == 3397
    assert len(lixiu) == 242
    assert statistics.mean(p.age_on(REFERENCE_DATE) for p in lixiu) > 90
    assert all(p.joined_revolution_on < LIXIU_CUTOFF for p in lixiu)
    assert all(lixiu_period_band(p.joined_revolution_on) is not None for p in lixiu)
    kinds = [n.kind for n in blueprint.nodes if n.code.startswith(("QH", COUNTY_CODE))]
    assert kinds.count(OrgKind.UNIT) == 41
    assert kinds.count(OrgKind.STREET) == 12
    assert kinds.count(OrgKind.COMMUNITY) == 60
    assert 100 <= kinds.count(OrgKind.BRANCH) <= 120
    party = sum(p.political_status in ("party_member", "probationary") for p in county) / len(county)
    assert 0.65 < party < 0.75
    assert 0.02 < sum(p.deceased_on is not None for p in county) / len(county) < 0.04
    assert len({p.id_number for p in county}) == len(county)
    assert len({p.phone for p in county if p.phone}) == sum(1 for p in county if p.phone)


def test_the_database_holds_exactly_the_generated_people(seeded):
    _blueprint, county, sibling = plan(scale=SCALE)
    stored = list(Person.objects.order_by("pk").select_related("unit"))
    assert [(p.name, p.id_number, p.phone, p.unit.code) for p in stored] == \
        [(r.name, r.id_number, r.phone, r.unit) for r in county + sibling]


def test_every_id_number_is_valid_and_matches_birth_date_and_gender(seeded):
    for person in Person.objects.all():
        parsed = idnumbers.parse(person.id_number)
        assert (parsed.birth_date, parsed.gender) == (person.birth_date, person.gender)


def test_lixiu_are_about_seven_percent_and_over_ninety_on_average(seeded):
    county = Person.objects.filter(unit__path__startswith=OrgNode.objects.get(code=COUNTY_CODE).path)
    lixiu = county.filter(category="lixiu")
    assert 0.06 < lixiu.count() / county.count() < 0.08
    ages = [p.age_on(REFERENCE_DATE) for p in lixiu.filter(deceased_on__isnull=True)]
    assert statistics.mean(ages) > 90


def test_every_anchor_lies_in_the_persons_own_county(seeded):
    counties = {code: OrgNode.objects.get(code=code).path for code in (COUNTY_CODE, SIBLING_CODE)}
    people = Person.objects.select_related("unit", "branch", "community", "registered_community")
    for person in people:
        home = next(path for path in counties.values() if person.unit.path.startswith(path))
        for anchor in (person.branch, person.community, person.registered_community):
            assert anchor is None or anchor.path.startswith(home)
        if person.community:
            assert person.community.kind == OrgKind.COMMUNITY
        if person.branch:
            assert person.branch.kind == OrgKind.BRANCH
            assert person.political_status in ("party_member", "probationary")


def test_paths_and_child_counts_are_those_the_org_services_would_write(seeded):
    from yinfa.core.services.org import path_for

    nodes = {node.pk: node for node in OrgNode.objects.all()}
    for node in nodes.values():
        parent = nodes.get(node.parent_id)
        assert node.path == path_for(parent.path if parent else "", node.pk)
        assert node.depth == (parent.depth + 1 if parent else 0)
        assert node.child_count == sum(1 for other in nodes.values() if other.parent_id == node.pk)


def test_every_demo_login_exists_with_its_role(seeded):
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login.username)
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password and user.password_changed_at is not None
        roles = sorted(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
        assert roles == sorted(role for role, _node in login.roles)
    assert RoleGrant.objects.filter(user__username="ju_admin").count() == 2
    assert RoleGrant.objects.get(user__username="ju_admin_b").node.code == SIBLING_CODE
    secretary = RoleGrant.objects.get(user__username="zhibu_shuji")
    assert secretary.node.kind == OrgKind.BRANCH
    assert RoleGrant.objects.get(user__username="lianluoyuan").node == secretary.node
    retiree = User.objects.get(username="laotongzhi")
    assert retiree.person.community == RoleGrant.objects.get(user=retiree, role=Role.RETIREE).node
    assert retiree.full_name == retiree.person.name


def test_the_three_administrators_have_the_documented_second_factor(seeded):
    for username, secret in DEMO_TOTP_SECRETS.items():
        user = User.objects.get(username=username)
        assert user.has_totp and user.totp_secret == secret


def test_the_summary_names_every_login_and_the_password(seeded):
    for login in DEMO_LOGINS:
        assert login.username in seeded
    assert DEMO_PASSWORD in seeded
    assert DEMO_TOTP_SECRETS["shenji_admin"] in seeded


def test_one_system_audit_event_records_the_load(seeded):
    events = AuditEvent.objects.filter(action=AuditAction.SYSTEM)
    assert events.count() == 1
    assert events.get().detail["event"] == "demo data loaded"


def test_running_again_says_the_demo_is_already_loaded_and_changes_nothing(seeded):
    before = (Person.objects.count(), OrgNode.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert "already loaded" in seed()
    assert (Person.objects.count(), OrgNode.objects.count(), User.objects.count(),
            AuditEvent.objects.count()) == before


def test_it_refuses_a_database_that_holds_other_data(world):
    with pytest.raises(CommandError, match="empty database"):
        seed()
    assert not Person.objects.exists()


@override_settings(YINFA_ENV="production")
def test_it_refuses_to_run_in_production(db):
    with pytest.raises(CommandError, match="production"):
        seed()


def test_totp_code_prints_the_current_code_of_an_administrator(seeded):
    out = io.StringIO()
    call_command("totp_code", "shenji_admin", stdout=out)
    code = out.getvalue().strip()
    assert pyotp.TOTP(DEMO_TOTP_SECRETS["shenji_admin"]).verify(code, valid_window=1)


def test_totp_code_refuses_production_and_accounts_without_a_second_factor(seeded):
    with pytest.raises(CommandError, match="no second factor"):
        call_command("totp_code", "ju_admin", stdout=io.StringIO())
    with override_settings(YINFA_ENV="production"), pytest.raises(CommandError, match="production"):
        call_command("totp_code", "shenji_admin", stdout=io.StringIO())
