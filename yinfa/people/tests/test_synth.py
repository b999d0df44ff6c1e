"""``manage.py synth``: a synthetic province (tree and people) built in bulk, valid and scoped like real data."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase, override_settings

from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.scope import Scope
from yinfa.core.services.org import path_for
from yinfa.people import idnumbers
from yinfa.people.models import ANCHOR_PATH_FIELDS, CPC_STATUSES, Person
from yinfa.people.synth.build import county_sizes
from yinfa.people.synth.people import county_records
from yinfa.people.synth.tree import PROVINCE_CODE, area_code, historical_area_code, plan_one_county

pytestmark = pytest.mark.django_db


def synth(**options):
    out = io.StringIO()
    call_command("synth", stdout=out, **{"county_size": 300, **options})
    return out.getvalue()


def counties():
    return list(OrgNode.objects.filter(kind=OrgKind.DISTRICT, path__startswith=province_node().path)
                .order_by("code"))


def province_node():
    return OrgNode.objects.get(code=PROVINCE_CODE)


@pytest.fixture
def province(db):
    return synth(people=700, seed=11)


class SynthProvinceTests(TestCase):
    """Read-only checks of one synthetic province of 700 people in counties of 300."""

    @classmethod
    def setUpTestData(cls):
        cls.output = synth(people=700, seed=11)

    def test_it_builds_the_province_tree_and_the_people_in_counties_of_the_given_size(self):
        assert "Added 700 people in 3 counties" in self.output
        assert "people/s" in self.output
        assert Person.objects.count() == 700
        found = counties()
        assert [c.code for c in found] == ["SY0001", "SY0002", "SY0003"]
        sizes = [Person.objects.filter(unit_path__startswith=c.path).count() for c in found]
        assert sizes == [300, 300, 100]
        kinds = Counter(OrgNode.objects.filter(path__startswith=found[0].path).values_list("kind", flat=True))
        assert kinds[OrgKind.UNIT] == 41 and kinds[OrgKind.STREET] == 12 and kinds[OrgKind.COMMUNITY] == 60
        assert 100 <= kinds[OrgKind.BRANCH] <= 120 and kinds[OrgKind.PARTY_COMMITTEE] >= 1
        assert found[0].parent.parent == province_node()

    def test_paths_depths_and_child_counts_are_those_the_org_services_would_write(self):
        nodes = {node.pk: node for node in OrgNode.objects.all()}
        children = Counter(node.parent_id for node in nodes.values())
        for node in nodes.values():
            parent = nodes.get(node.parent_id)
            assert node.path == path_for(parent.path if parent else "", node.pk)
            assert node.depth == (parent.depth + 1 if parent else 0)
            assert node.child_count == children[node.pk]

    def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_gender_and_county(self):
        codes = {c.pk: c.code for c in counties()}
        county_of = {}
        for county in counties():
            number = int(county.code[2:]) - 1
            county_of[county.path] = {area_code(number), historical_area_code(number)}
        numbers = set()
        for person in Person.objects.all():
            parsed = idnumbers.parse(person.id_number)
            assert (parsed.birth_date, parsed.gender) == (person.birth_date, person.gender)
            home = next(path for path in county_of if person.unit_path.startswith(path))
            assert parsed.area_code in county_of[home]
            numbers.add(person.id_number)
        assert len(numbers) == 700 and codes

    def test_phones_are_unique_across_the_province(self):
        phones = [p.phone for p in Person.objects.all() if p.phone]
        assert len(phones) == len(set(phones)) > 600

    def test_the_distributions_follow_the_demo_county(self):
        people = list(Person.objects.all())
        lixiu = [p for p in people if p.category == "lixiu"]
        assert 0.06 < len(lixiu) / len(people) < 0.08
        assert all(p.joined_revolution_on and p.joined_revolution_on.year < 1950 for p in lixiu)
        party = sum(p.political_status in CPC_STATUSES for p in people) / len(people)
        assert 0.6 < party < 0.8
        assert 0 < sum(p.deceased_on is not None for p in people) < 0.08 * len(people)
        assert {p.gender for p in people} == {"male", "female"}

    def test_anchors_lie_in_the_persons_own_county_and_their_path_copies_are_filled(self):
        county_paths = [c.path for c in counties()]
        nodes = {node.pk: node for node in OrgNode.objects.all()}
        for person in Person.objects.all():
            home = next(path for path in county_paths if person.unit_path.startswith(path))
            for field, path_field in ANCHOR_PATH_FIELDS.items():
                node_id = getattr(person, f"{field}_id")
                assert getattr(person, path_field) == (nodes[node_id].path if node_id else "")
                assert node_id is None or nodes[node_id].path.startswith(home)
            if person.branch_id:
                assert nodes[person.branch_id].kind == OrgKind.BRANCH
            if person.community_id:
                assert nodes[person.community_id].kind == OrgKind.COMMUNITY
            assert person.name_pinyin and person.name_initials

    def test_a_county_scope_sees_exactly_its_own_people(self):
        first, second, _third = counties()
        scope = Scope(grant_id=0, node_id=first.pk, node_name=first.name, path=first.path, depth=first.depth,
                      role="bureau_admin")
        visible = set(Person.objects.visible_to(scope).values_list("pk", flat=True))
        assert len(visible) == 300
        assert not visible & set(Person.objects.filter(unit_path__startswith=second.path).values_list("pk", flat=True))

    def test_personal_data_are_encrypted_in_the_database(self):
        person = Person.objects.exclude(phone="").first()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone, address FROM people_person WHERE id = %s", [person.pk])
            raw = cursor.fetchone()
        assert person.id_number not in raw[0] and person.phone not in raw[1] and person.address[:6] not in raw[2]
        assert len(person.id_number) == 18


def test_running_again_with_more_people_adds_counties_and_keeps_the_rest(province):
    before = set(Person.objects.values_list("uid", flat=True))
    output = synth(people=1000, seed=11)
    assert "Added 300 people in 1 counties" in output
    assert Person.objects.count() == 1000
    assert before <= set(Person.objects.values_list("uid", flat=True))
    assert [c.code for c in counties()] == ["SY0001", "SY0002", "SY0003", "SY0004"]
    assert province_node().child_count == 1  # one city so far
    assert "nothing to add" in synth(people=900, seed=11)


def test_a_county_is_generated_the_same_whoever_builds_it():
    from yinfa.people.synth.tree import CountyJob

    _specs, plan = plan_one_county(5, 3)
    job = CountyJob(number=3, people=120, lixiu=9, plan=plan, nodes={})
    assert county_records(job, 5) == county_records(job, 5)
    assert county_records(job, 5) != county_records(job, 6)
    assert county_sizes(7000, 3400) == [3400, 3400, 200]


def test_it_refuses_production_and_nonsense(db):
    with override_settings(YINFA_ENV="production"), pytest.raises(CommandError, match="production"):
        synth(people=10)
    with pytest.raises(CommandError, match="positive"):
        synth(people=0)
