"""A raw database dump shows no plaintext ID number, phone or address.

The files are made and changed through the services (so the audit trail, which keeps old → new values, is in
the dump too); then every column of every table is read with raw SQL, and on PostgreSQL the database is also
dumped with pg_dump.
"""

import datetime
import json
import os
import shutil
import subprocess

import pytest
from django.db import connection

from yinfa.core.models import RoleGrant
from yinfa.core.scope import Scope
from yinfa.core.testing import World
from yinfa.people import idnumbers
from yinfa.people.models import Person, Relation
from yinfa.people.services import file as file_services
from yinfa.people.services import person as person_services

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")

ADDRESS = "青禾县城关街道人民路128号锦绣家园3号楼2单元501室"


def make_files():
    """People, a contact and an account mobile, written and changed the way the pages do; returns the secrets."""
    world = World.build()
    admin = world.county_a_admin
    admin.mobile = "13900007777"
    admin.save()
    scope = Scope.from_grant(RoleGrant.objects.select_related("node").get(user=admin))
    secrets = {admin.mobile}
    people = []
    for n in range(3):
        person = person_services.create_person(actor=admin, scope=scope, values={
            "name": f"李{'一二三'[n]}民", "category": "tuixiu", "unit": world.unit_a, "community": world.community_a,
            "id_number": idnumbers.make("379921", datetime.date(1951, 4, n + 2), 37 + 2 * n),
            "phone": f"1375555{n:04d}", "address": f"{ADDRESS}{n}", "landline": f"0992-48277{n:02d}"})
        people.append(person)
        secrets |= {person.id_number, person.phone, person.address, person.landline, person.landline[-7:]}
    # A changed phone and address: the audit trail records old and new values (masked).
    first = people[0]
    person_services.update_person(actor=admin, scope=scope, person=first, version=first.version,
                                  values={"phone": "13666660000", "address": "青禾县东城街道建设路8号3单元201室"},
                                  section="living")
    secrets |= {"13666660000", "青禾县东城街道建设路8号3单元201室"}
    file_services.add_contact(actor=admin, person=first, version=first.version,
                              values={"relation": Relation.CHILD, "name": "李小民", "phone": "13544443333"})
    secrets.add("13544443333")
    return secrets


def texts_of(value):
    """The text a value shows in a dump (and, for JSON, its decoded text: SQLite stores \\u escapes)."""
    if value is None:
        return []
    if isinstance(value, memoryview):
        value = value.tobytes()
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace")]
    text = str(value)
    found = [text]
    if text[:1] in "{[":
        try:
            found.append(json.dumps(json.loads(text), ensure_ascii=False))
        except ValueError:
            pass
    return found


def raw_dump():
    """Every value of every table, read with raw SQL on the test's own connection."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    chunks.extend(texts_of(value))
    return "\n".join(chunks)


def assert_no_secret(dump, secrets):
    leaked = sorted(secret for secret in secrets if secret and secret in dump)
    assert leaked == []


@pytest.mark.django_db
def test_a_raw_read_of_every_table_shows_no_id_number_phone_or_address():
    secrets = make_files()
    dump = raw_dump()
    assert "李一民" in dump, "the dump reads the people table"
    assert_no_secret(dump, secrets)
    # Not even the digits after the area code, the birth date or the road number.
    assert "人民路128号" not in dump and "建设路8号" not in dump
    assert "13900007777" not in dump
    # The check itself sees plaintext where it is stored: a phone copied into a plain column shows.
    Person.objects.filter(name="李一民").update(party_roles="13666660000")
    assert "13666660000" in raw_dump()


@pytest.mark.postgres
@postgres_only
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
@pytest.mark.django_db(transaction=True)
def test_pg_dump_of_the_database_shows_no_id_number_phone_or_address():
    secrets = make_files()
    settings = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    command = ["pg_dump", "--no-owner", "--data-only", "-h", settings.get("HOST") or "localhost",
               "-p", str(settings.get("PORT") or 5432), "-U", settings.get("USER") or "postgres", settings["NAME"]]
    dump = subprocess.run(command, env=env, capture_output=True, check=True, timeout=120).stdout.decode()
    assert "李一民" in dump, "the dump holds the committed people"
    assert_no_secret(dump, secrets)
    assert "人民路128号" not in dump
