"""Exporting the person list to Excel (masked, formula-safe, audited; full values only with the reveal
permission and when asked for; big lists as a background job) and creating a file."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent, Job, JobStatus
from yinfa.core.testing import login
from yinfa.people import idnumbers
from yinfa.people.idnumbers import IdNumberError
from yinfa.people.models import Category, Gender, Person
from yinfa.people.tests.factories import make_person
from yinfa.people.tests.test_registry import zh

OUTSIDE = ("A file with this ID number already exists outside your scope. Ask the veteran cadres bureau to give "
           "you access to it.")

pytestmark = pytest.mark.django_db


def workbook_rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def exported(world):
    return {
        "plain": make_person(world.unit_a, name="王国华", community=world.community_a),
        "formula": make_person(world.unit_a, name="=HYPERLINK(\"http://x\")", former_position="@SUM(A1)",
                               community=world.community_a),
        "lixiu": make_person(world.unit_a, name="李离休", category=Category.LIXIU),
        "b": make_person(world.unit_b, name="乙县人"),
    }


def test_the_export_follows_the_filter_is_masked_escaped_and_audited(world, exported):
    client = login(world.county_a_admin)
    response = client.post(reverse("people:person_export"), {"community": world.community_a.pk})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = workbook_rows(response)
    names = [row[0] for row in rows[1:]]
    assert sorted(names) == sorted(["王国华", "'=HYPERLINK(\"http://x\")"])
    flat = " ".join(str(cell) for row in rows for cell in row)
    plain = exported["plain"]
    assert plain.id_number not in flat and plain.phone not in flat and "乙县人" not in flat
    assert plain.phone[:3] + "****" + plain.phone[-4:] in flat and "'@SUM(A1)" in flat
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["filters"] == {"community": str(world.community_a.pk), "status": "alive"}
    assert event.detail["rows"] == 2 and event.personal_data is False


def test_full_values_need_the_reveal_permission_and_are_personal_data(world, exported):
    plain = exported["plain"]
    response = login(world.county_a_admin).post(reverse("people:person_export"),
                                                {"q": "wgh", "full_values": "on"})
    flat = " ".join(str(cell) for row in workbook_rows(response) for cell in row)
    assert plain.id_number in flat and plain.phone in flat
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.personal_data is True and event.detail["full_values"] is True
    assert event.detail["filters"]["q"] == "wgh"
    # A community administrator cannot reveal: the same request gives masked values.
    response = login(world.community_a_admin).post(reverse("people:person_export"),
                                                   {"q": "wgh", "full_values": "on"})
    flat = " ".join(str(cell) for row in workbook_rows(response) for cell in row)
    assert plain.id_number not in flat and plain.phone not in flat
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, personal_data=True).count() == 1


def test_the_export_is_post_only_and_needs_the_export_permission(world, exported):
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user

    assert login(world.county_a_admin).get(reverse("people:person_export")).status_code == 405
    liaison = make_user("liaison_a", role=Role.LIAISON, node=world.county_a)
    assert login(liaison).post(reverse("people:person_export"), {}).status_code == 403


def test_a_big_export_runs_as_a_background_job(world, exported, monkeypatch, settings, tmp_path,
                                              django_capture_on_commit_callbacks):
    from yinfa.people import exports

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(exports, "INLINE_LIMIT", 1)
    client = login(world.county_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:person_export"), {"status": "all"})
    job = Job.objects.get(kind="people_export")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.uid])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.result["rows"] == 3
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).detail["filters"] == {"status": "all"}
    download = client.get(reverse("core:job_download", args=[job.uid]))
    names = sorted(str(row[0]) for row in workbook_rows(download)[1:])
    assert "乙县人" not in names and len(names) == 3


# --- creating a file ------------------------------------------------------------------------------------------

def test_a_new_file_takes_birth_date_and_gender_from_the_id_number(world):
    number = idnumbers.make("379921", datetime.date(1950, 6, 1), 124)  # even: female
    response = login(world.county_a_admin).post(reverse("people:person_create"), {
        "name": "新同志", "id_number": number[:17] + number[17].lower(), "category": "tuixiu",
        "unit": world.unit_a.pk, "phone": "139 0000 1234"})
    person = Person.objects.get(name="新同志")
    assert response["Location"] == reverse("people:person_detail", args=[person.pk])
    assert person.birth_date == datetime.date(1950, 6, 1) and person.gender == Gender.FEMALE
    assert person.id_number == number and person.phone == "13900001234"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="people.person")
    assert event.changes["id_number"][1] == number[:3] + "*" * 11 + number[-4:]


def test_a_duplicate_id_number_is_refused_and_linked_when_visible(world):
    inside = make_person(world.unit_a, name="已有人")
    outside = make_person(world.unit_b, name="乙县已有")
    client = login(world.county_a_admin)
    data = {"name": "重复", "category": "tuixiu", "unit": world.unit_a.pk}
    body = client.post(reverse("people:person_create"), {**data, "id_number": inside.id_number}).content.decode()
    assert 'data-testid="existing-person"' in body and reverse("people:person_detail", args=[inside.pk]) in body
    body = client.post(reverse("people:person_create"), {**data, "id_number": outside.id_number}).content.decode()
    assert zh(OUTSIDE) in body and "乙县已有" not in body and 'data-testid="existing-person"' not in body
    assert not Person.objects.filter(name="重复").exists()


def test_a_mistyped_id_number_or_a_unit_outside_the_scope_is_refused(world):
    client = login(world.county_a_admin)
    number = idnumbers.make("379921", datetime.date(1950, 6, 1), 123)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    body = client.post(reverse("people:person_create"), {"name": "错号", "id_number": wrong, "category": "tuixiu",
                                                         "unit": world.unit_a.pk}).content.decode()
    assert zh(IdNumberError.MESSAGES["checksum"]) in body
    body = client.post(reverse("people:person_create"), {"name": "错单位", "id_number": number,
                                                         "category": "tuixiu", "unit": world.unit_b.pk}
                       ).content.decode()
    assert "is-invalid" in body and not Person.objects.filter(name="错单位").exists()
    # A lixiu cadre needs the date of joining revolutionary work before 1949-10-01.
    body = client.post(reverse("people:person_create"), {"name": "离休", "id_number": number, "category": "lixiu",
                                                         "unit": world.unit_a.pk}).content.decode()
    assert zh("A lixiu cadre joined revolutionary work before 1949-10-01.") in body
    assert not Person.objects.filter(name="离休").exists()
