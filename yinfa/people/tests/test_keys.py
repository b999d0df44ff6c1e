"""Key rotation of the encrypted fields: ``manage.py rotate_field_keys`` re-encrypts every value under the
current key, keeps the plaintext, the blind indexes and the rows' versions, and a removed key fails loudly."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from yinfa.core import crypto
from yinfa.core.models import AuditAction, AuditEvent, User
from yinfa.core.testing import World
from yinfa.people import idnumbers
from yinfa.people.management.commands.rotate_field_keys import encrypted_models, rotate_batch
from yinfa.people.models import Contact, Person, Relation
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db

OLD = "old:" + "11" * 16
NEW = "new:" + "22" * 16
BOTH = f"{NEW},{OLD}"
ADDRESSES = ["青禾县城关街道人民路12号", "青禾县东城街道建设路8号3单元201室", "上海市浦东新区张杨路119号"]


@pytest.fixture
def written_under_old_key(db):
    """A world, five people with contacts and two accounts with mobiles, all encrypted under the old key."""
    with override_settings(YINFA_FIELD_KEYS=OLD):
        world = World.build()
        for n, user in enumerate((world.county_a_admin, world.unit_a_admin)):
            user.mobile = f"1390000{n:04d}"
            user.save()
        people = []
        for n in range(5):
            person = make_person(world.unit_a, name=f"王{n}华", address=ADDRESSES[n % 3],
                                 id_number=idnumbers.make("379921", datetime.date(1950, 1, n + 1), 11 + 2 * n),
                                 phone=f"1381234{n:04d}", landline="0992-4827732" if n % 2 else "")
            Contact.objects.create(person=person, relation=Relation.CHILD, name=f"王小{n}", phone=f"1371111{n:04d}")
            people.append(person)
    return world, people


def plaintexts():
    """Every encrypted value, read through the models (so decrypted with the keys configured now)."""
    values = {}
    for model, fields in encrypted_models():
        for obj in model._base_manager.order_by("pk"):
            for field in fields:
                values[(model._meta.label, obj.pk, field.attname)] = getattr(obj, field.attname)
    return values


def raw_key_ids():
    """The key id of every non-empty ciphertext in the database, read with raw SQL."""
    ids = {}
    with connection.cursor() as cursor:
        for model, fields in encrypted_models():
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            pk_column = connection.ops.quote_name(model._meta.pk.column)
            cursor.execute(f"SELECT {pk_column}, {columns} FROM {connection.ops.quote_name(model._meta.db_table)}")
            for pk, *tokens in cursor.fetchall():
                for field, token in zip(fields, tokens, strict=True):
                    if token:
                        ids[(model._meta.label, pk, field.attname)] = crypto.key_id_of(token)
    return ids


def rotate(**options):
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out, **options)
    return out.getvalue()


def test_every_model_with_encrypted_fields_is_found():
    found = {model._meta.label: sorted(f.attname for f in fields) for model, fields in encrypted_models()}
    assert found["core.User"] == ["mobile", "totp_secret"]
    assert found["people.Person"] == ["address", "id_number", "landline", "phone"]
    assert found["people.Contact"] == ["phone"]


def test_values_under_the_old_key_still_decrypt_while_it_is_listed(written_under_old_key):
    with override_settings(YINFA_FIELD_KEYS=OLD):
        before = plaintexts()
    with override_settings(YINFA_FIELD_KEYS=BOTH):
        assert plaintexts() == before
        assert set(raw_key_ids().values()) == {"old"}


def test_rotation_puts_every_value_under_the_new_key_and_keeps_the_plaintext(written_under_old_key):
    world, people = written_under_old_key
    with override_settings(YINFA_FIELD_KEYS=OLD):
        before = plaintexts()
    rows_before = list(Person.objects.order_by("pk").values_list("id_number_index", "phone_index", "version",
                                                                   "updated_at"))
    mobile_index = User.objects.get(pk=world.county_a_admin.pk).mobile_index
    with override_settings(YINFA_FIELD_KEYS=BOTH):
        output = rotate(batch=2)
        assert set(raw_key_ids().values()) == {"new"}
        assert len(raw_key_ids()) == len([v for v in before.values() if v])
        assert plaintexts() == before
    assert "under key 'new'" in output
    # The old key can go: everything decrypts with the new one alone.
    with override_settings(YINFA_FIELD_KEYS=NEW):
        assert plaintexts() == before
        person = Person.objects.get(pk=people[0].pk)
        assert (person.id_number, person.phone, person.address) == (people[0].id_number, people[0].phone,
                                                                    ADDRESSES[0])
    # Blind indexes (their own key), versions and modification times are untouched.
    assert list(Person.objects.order_by("pk").values_list("id_number_index", "phone_index", "version",
                                                          "updated_at")) == rows_before
    assert User.objects.get(pk=world.county_a_admin.pk).mobile_index == mobile_index
    event = AuditEvent.objects.filter(action=AuditAction.SYSTEM, object_type="field_keys").get()
    assert event.detail["key"] == "new"
    assert event.detail["models"]["people.Person"]["rows"] == 5


def test_running_again_skips_values_already_under_the_current_key(written_under_old_key):
    with override_settings(YINFA_FIELD_KEYS=BOTH):
        rotate()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM people_person ORDER BY id")
            first = cursor.fetchall()
        output = rotate()
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM people_person ORDER BY id")
            assert cursor.fetchall() == first
    assert "done: 5 rows, 0 values re-encrypted" in output


def test_an_interrupted_run_is_finished_by_running_it_again(written_under_old_key):
    with override_settings(YINFA_FIELD_KEYS=BOTH):
        fields = dict(encrypted_models())[Person]
        last, read, changed = rotate_batch(Person, fields, after=0, batch=2)  # one batch, then "the power fails"
        assert read == 2 and changed > 0
        assert set(raw_key_ids().values()) == {"new", "old"}
        rotate(batch=3)
        assert set(raw_key_ids().values()) == {"new"}


def test_a_removed_key_makes_old_rows_fail_loudly(written_under_old_key):
    _world, people = written_under_old_key
    with override_settings(YINFA_FIELD_KEYS=NEW):
        person = Person.objects.get(pk=people[0].pk)
        with pytest.raises(crypto.DecryptionError, match="unknown key id 'old'"):
            person.phone  # noqa: B018 (the attribute decrypts on access)
        with pytest.raises(CommandError, match="cannot be decrypted"):
            rotate()
    with override_settings(YINFA_FIELD_KEYS=BOTH):
        assert set(raw_key_ids().values()) == {"old"}, "nothing was half-written by the failed run"


def test_a_malformed_key_list_stops_before_reading_any_row(written_under_old_key):
    with override_settings(YINFA_FIELD_KEYS="new:not-hex"), pytest.raises(CommandError, match="YINFA_FIELD_KEYS"):
        rotate()


def test_a_key_id_reused_for_other_key_material_stops_the_run(written_under_old_key):
    with override_settings(YINFA_FIELD_KEYS=BOTH):
        rotate()
    other_new = "new:" + "33" * 16  # the same id, another key: values "under the current key" do not decrypt
    with override_settings(YINFA_FIELD_KEYS=f"{other_new},{OLD}"), pytest.raises(CommandError,
                                                                                 match="never be reused"):
        rotate()
