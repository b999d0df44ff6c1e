"""The demo county: deterministic, realistic, scoped correctly, with one login per role."""

import io
import statistics

import pyotp
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from yinfa.core.demo import DEFAULT_SEED, DEMO_PASSWORD, DEMO_TOTP_SECRETS, REFERENCE_DATE
from yinfa.core.demo.blueprint import COUNTY_CODE, SIBLING_CODE
from yinfa.core.demo.loader import DEMO_LOGINS, plan, plan_files
from yinfa.core.demo.people import digest
from yinfa.core.models import AuditAction, AuditEvent, OrgKind, OrgNode, RoleGrant, User
from yinfa.core.permissions import Role
from yinfa.people import idnumbers
from yinfa.people.models import (
    LIXIU_CUTOFF,
    Contact,
    Health,
    LifeEvent,
    LifeEventKind,
    Person,
    Relation,
    lixiu_period_band,
)

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


# --- complete files: health, family, talents, honours, life events ------------------------------------------------

@pytest.fixture(scope="module")
def full_plan():
    """The whole demo (both counties) and its file rows, generated without the database."""
    blueprint, county, sibling = plan()
    return blueprint, county, sibling, plan_files(DEFAULT_SEED, blueprint, county, sibling)


def test_the_file_rows_are_deterministic_and_depend_on_the_seed():
    blueprint, county, sibling = plan(seed=7, scale=SCALE)
    first = plan_files(7, blueprint, county, sibling)
    assert first == plan_files(7, blueprint, county, sibling)
    assert first != plan_files(8, blueprint, county, sibling)


def test_the_full_county_has_complete_files(full_plan):
    _blueprint, county, sibling, files = full_plan
    people = county + sibling
    figures = files.figures()
    assert figures["health_records"] == len(people)
    assert figures["emergency_contacts"] == len(people)
    deceased = [p for p in people if p.deceased_on]
    assert figures["deaths"] == len(deceased) and 0.02 < len(deceased) / len(people) < 0.04
    assert figures["relocations"] == sum(p.lives_elsewhere for p in people)
    assert 5 <= figures["in_hospital_now"] <= 80, "a few are in hospital now"
    assert figures["away_now"] > 0 and any(e.kind == LifeEventKind.ABROAD for e in files.events)
    assert figures["survivors"] >= 0.9 * len(deceased)
    assert 0.15 < sum(bool(p.specialties) for p in county) / len(county) < 0.35
    assert sum(p.rehired for p in county) > 20
    assert any("书法" in p.hobbies for p in county) and any("太极拳" in p.hobbies for p in county)
    assert sum(bool(p.social_positions) for p in county) > 50
    assert sum(p.treatment != p.level for p in county) > 200
    assert all(p.treatment_approval_no for p in county if p.treatment != p.level)


def test_the_old_have_more_chronic_conditions(full_plan):
    _blueprint, county, _sibling, files = full_plan
    health = {h.person: h for h in files.health}

    def conditions(person):
        text = health[person.uid].chronic_conditions
        return len(text.split("、")) if text else 0

    young = [conditions(p) for p in county if p.age_on() < 75]
    old = [conditions(p) for p in county if p.age_on() >= 85]
    assert statistics.mean(old) > statistics.mean(young) + 0.8
    assert all(health[p.uid].medical_entitlement.startswith("离休干部") for p in county if p.category == "lixiu")


def test_family_contacts_agree_with_the_living_situation(full_plan):
    _blueprint, county, _sibling, files = full_plan
    contacts = {}
    for contact in files.contacts:
        contacts.setdefault(contact.person, []).append(contact)
    for person in county:
        own = contacts[person.uid]
        spouses = [c for c in own if c.relation == Relation.SPOUSE]
        children = [c for c in own if c.relation == Relation.CHILD]
        assert len(spouses) <= 1 and 1 <= len(children) <= 3
        assert sum(c.is_emergency for c in own) == 1
        if person.deceased_on:
            continue
        if person.living_status == "with_spouse":
            assert spouses and spouses[0].alive and spouses[0].lives_together
        if person.living_status == "alone":
            assert not any(c.alive and c.lives_together for c in own)
        if person.lives_elsewhere:
            assert any(c.lives_together and person.elsewhere_place in c.note or c.note == "同住" for c in children)
    phones = [c.phone for c in files.contacts if c.phone] + [p.phone for p in county if p.phone]
    assert len(phones) == len(set(phones))


def test_the_deceased_have_a_death_event_and_their_spouse_is_a_survivor(full_plan):
    _blueprint, county, _sibling, files = full_plan
    deaths = {e.person: e for e in files.events if e.kind == LifeEventKind.DEATH}
    spouses = {c.person: c for c in files.contacts if c.relation == Relation.SPOUSE}
    for person in county:
        if person.deceased_on is None:
            assert person.uid not in deaths
            assert not (person.uid in spouses and spouses[person.uid].is_survivor)
            continue
        death = deaths[person.uid]
        assert death.starts_on == person.deceased_on
        assert death.diagnosis and death.farewell and death.pension_recipient
        spouse = spouses.get(person.uid)
        if spouse:
            assert spouse.alive and spouse.is_survivor and death.pension_recipient == spouse.name
    assert any("遗体告别" in e.farewell for e in deaths.values())
    assert all(e.starts_on <= p.deceased_on for p in county if p.deceased_on
               for e in files.events if e.person == p.uid)


def test_people_living_elsewhere_have_a_relocation_event_to_their_city(full_plan):
    _blueprint, county, _sibling, files = full_plan
    moves = {e.person: e for e in files.events if e.kind == LifeEventKind.RELOCATION}
    elsewhere = [p for p in county if p.lives_elsewhere]
    assert elsewhere
    for person in elsewhere:
        assert person.elsewhere_place.endswith("市") and person.address.startswith(
            ("江苏", "上海", "广东", "北京", "浙江", "山东", "四川", "天津"))
        assert moves[person.uid].place == person.elsewhere_place and moves[person.uid].ends_on is None
        assert person.community is None
    assert set(moves) == {p.uid for p in elsewhere} | {p.uid for p in _sibling if p.lives_elsewhere}


def test_honours_follow_the_rules_of_the_medals(full_plan):
    _blueprint, county, _sibling, files = full_plan
    people = {p.uid: p for p in county}
    fifty_years = [h for h in files.honours if "光荣在党50年" in h.title and h.person in people]
    assert len(fifty_years) > 100
    for honour in fifty_years:
        person = people[honour.person]
        assert person.political_status in ("party_member", "probationary")
        assert (honour.awarded_on - person.joined_party_on).days >= 50 * 365
    war = [h for h in files.honours if "抗日战争" in h.title and h.person in people]
    assert war and all(people[h.person].category == "lixiu" for h in war)


def test_the_database_holds_the_complete_files(seeded):
    people = Person.objects.count()
    assert Health.objects.count() == people
    assert Contact.objects.filter(is_emergency=True).count() == people
    for person in Person.objects.filter(deceased_on__isnull=False):
        death = LifeEvent.objects.get(person=person, kind=LifeEventKind.DEATH)
        assert death.starts_on == person.deceased_on
        survivor = Contact.objects.filter(person=person, is_survivor=True).first()
        assert survivor is None or (survivor.alive and survivor.name == death.pension_recipient)
    for person in Person.objects.filter(lives_elsewhere=True):
        assert LifeEvent.objects.get(person=person, kind=LifeEventKind.RELOCATION).place == person.elsewhere_place
    contact = Contact.objects.exclude(phone="").first()
    assert contact.phone.startswith("1") and len(contact.phone) == 11  # decrypts with its own uid
    event = AuditEvent.objects.get(action=AuditAction.SYSTEM)
    assert event.detail["files"]["health_records"] == people
