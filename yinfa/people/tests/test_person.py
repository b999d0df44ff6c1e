"""The person file: encryption at rest, blind-index lookups, pinyin, the 离休 period bands, and data scope."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from yinfa.core.fields import lookup_index
from yinfa.core.models import RoleGrant
from yinfa.core.scope import Scope
from yinfa.people import idnumbers
from yinfa.people.models import Category, LixiuPeriod, Person, lixiu_period_band
from yinfa.people.querysets import headline_figures
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def raw_row(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, address, id_number_index FROM people_person WHERE id = %s",
                       [person.pk])
        return cursor.fetchone()


def runs_of_digits(text, length=6):
    digits = "".join(ch for ch in text if ch.isdigit())
    return {digits[i:i + length] for i in range(len(digits) - length + 1)}


def test_the_database_holds_no_digits_of_the_id_number_phone_or_address(world):
    person = make_person(world.unit_a, id_number=idnumbers.make("379921", datetime.date(1955, 3, 8), 123),
                         phone="13812345678", address="青禾县城关街道人民路128号3号楼2单元501室")
    raw_id, raw_phone, raw_address, raw_index = raw_row(person)
    pairs = ((person.id_number, raw_id), (person.phone, raw_phone), ("128号3号楼2单元501室", raw_address))
    for plaintext, raw in pairs:
        assert plaintext not in raw
        assert not any(run in raw for run in runs_of_digits(plaintext)), "a run of plaintext digits leaked"
    assert "人民路" not in raw_address
    assert person.id_number not in raw_index
    reloaded = Person.objects.get(pk=person.pk)
    assert reloaded.id_number == person.id_number
    assert reloaded.phone == "13812345678"
    assert reloaded.address.startswith("青禾县城关街道")


def test_an_exact_lookup_by_id_number_works_however_it_is_typed(world):
    person = make_person(world.unit_a, id_number=idnumbers.make("379921", datetime.date(1950, 7, 1), 19))
    typed = " ".join(person.id_number[i:i + 6] for i in range(0, 18, 6)).replace("X", "x")
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in person.id_number)
    for variant in (person.id_number, typed, full_width):
        index = lookup_index(Person, "id_number_index", variant)
        assert list(Person.objects.filter(id_number_index=index)) == [person]


def test_an_old_15_digit_number_finds_the_person_stored_with_18(world):
    person = make_person(world.unit_a, id_number=idnumbers.make("379921", datetime.date(1950, 7, 1), 21))
    old = person.id_number[:6] + person.id_number[8:17]
    assert Person.objects.filter(id_number_index=lookup_index(Person, "id_number_index", old)).get() == person


def test_an_exact_lookup_by_phone_ignores_spaces_and_the_country_code(world):
    person = make_person(world.unit_a, phone="13912345678")
    index = lookup_index(Person, "phone_index", "+86 139 1234 5678")
    assert Person.objects.get(phone_index=index) == person


def test_two_people_cannot_share_an_id_number(world):
    number = idnumbers.make("379921", datetime.date(1950, 7, 1), 23)
    make_person(world.unit_a, id_number=number)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_person(world.unit_a, id_number=number.lower().replace("x", "X"))


def test_the_pinyin_of_the_name_is_filled_on_save_and_in_bulk_create(world):
    saved = make_person(world.unit_a, name="曾国华")
    assert (saved.name_pinyin, saved.name_initials) == ("zengguohua", "zgh")
    bulk = make_person(world.unit_a, name="吕秀兰", save=False)
    Person.objects.bulk_create([bulk])
    stored = Person.objects.get(name="吕秀兰")
    assert (stored.name_pinyin, stored.name_initials) == ("lvxiulan", "lxl")
    assert stored.id_number == bulk.id_number  # bulk_create encrypted through pre_save


def test_renaming_with_update_fields_refreshes_the_pinyin(world):
    person = make_person(world.unit_a, name="王国华")
    person.name = "单田芳"
    person.save(update_fields=["name"])
    assert Person.objects.get(pk=person.pk).name_pinyin == "shantianfang"


def test_queryset_update_refuses_encrypted_fields(world):
    make_person(world.unit_a)
    with pytest.raises(TypeError):
        Person.objects.update(phone="13800000000")


@pytest.mark.parametrize(("joined", "band"), [
    (datetime.date(1927, 7, 31), LixiuPeriod.UP_TO_1927_07_31),
    (datetime.date(1927, 8, 1), LixiuPeriod.FROM_1927_08_01),
    (datetime.date(1937, 7, 6), LixiuPeriod.FROM_1927_08_01),
    (datetime.date(1937, 7, 7), LixiuPeriod.FROM_1937_07_07),
    (datetime.date(1942, 12, 31), LixiuPeriod.FROM_1937_07_07),
    (datetime.date(1943, 1, 1), LixiuPeriod.FROM_1943_01_01),
    (datetime.date(1945, 9, 2), LixiuPeriod.FROM_1943_01_01),
    (datetime.date(1945, 9, 3), LixiuPeriod.FROM_1945_09_03),
    (datetime.date(1949, 9, 30), LixiuPeriod.FROM_1945_09_03),
    (datetime.date(1949, 10, 1), None),
    (None, None),
])
def test_the_lixiu_period_band_follows_the_day_revolutionary_work_began(joined, band):
    assert lixiu_period_band(joined) == band


def test_a_lixiu_cadre_must_have_joined_before_october_1949(world):
    person = make_person(world.unit_a, category=Category.LIXIU, born=datetime.date(1930, 1, 1),
                         joined_revolution_on=datetime.date(1950, 1, 1), save=False)
    with pytest.raises(ValidationError) as caught:
        person.clean()
    assert "joined_revolution_on" in caught.value.message_dict


def test_clean_catches_a_birth_date_or_gender_that_contradicts_the_id_number(world):
    person = make_person(world.unit_a, born=datetime.date(1955, 3, 8), save=False)
    person.birth_date = datetime.date(1956, 3, 8)
    person.gender = "female"
    with pytest.raises(ValidationError) as caught:
        person.clean()
    assert {"birth_date", "gender"} <= set(caught.value.message_dict)


def test_visible_to_hides_people_of_the_sibling_county(world):
    ours = make_person(world.unit_a, name="甲县人")
    theirs = make_person(world.unit_b, name="乙县人", community=world.community_b)
    scope_a = scope_of(world.county_a_admin)
    assert list(Person.objects.visible_to(scope_a)) == [ours]
    assert list(Person.objects.visible_to(scope_of(world.county_b_admin))) == [theirs]
    assert set(Person.objects.visible_to(scope_of(world.city_admin))) == {ours, theirs}
    assert not Person.objects.visible_to(None).exists()


@pytest.mark.parametrize("anchor", ["branch", "community", "registered_community"])
def test_any_one_of_the_four_anchors_brings_a_person_into_scope(world, anchor):
    from yinfa.core.models import OrgKind
    from yinfa.core.testing import make_node

    places = {"branch": make_node(world.community_a, OrgKind.BRANCH, "东门社区支部"),
              "community": world.community_a, "registered_community": world.community_a}
    person = make_person(world.unit_b, **{anchor: places[anchor]})
    assert list(Person.objects.visible_to(scope_of(world.community_a_admin))) == [person]
    assert list(Person.objects.visible_to(scope_of(world.unit_a_admin))) == []


def test_headline_figures_count_living_people_by_category_in_one_query(world, django_assert_num_queries):
    make_person(world.unit_a, category=Category.LIXIU, born=datetime.date(1930, 1, 1))
    make_person(world.unit_a)
    make_person(world.unit_a, deceased_on=datetime.date(2024, 1, 1))
    make_person(world.unit_b)
    scope = scope_of(world.county_a_admin)
    with django_assert_num_queries(1):
        figures = headline_figures(scope)
    assert [item["value"] for item in figures] == [2, 1, 1]
