"""Life events (hospital stay, going away or abroad, relocation, death with survivors) and documents (upload
checks, scoped download, removal) of a person file."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.people.models import Contact, Document, DocumentKind, LifeEvent, LifeEventKind, Person
from yinfa.people.tests.factories import make_person
from yinfa.people.tests.test_registry import names_in

pytestmark = pytest.mark.django_db

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00"
       b"\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def person(world):
    return make_person(world.unit_a, name="王国华", community=world.community_a, born=datetime.date(1930, 5, 1))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def post_event(client, person, kind, **data):
    person.refresh_from_db()
    return client.post(reverse("people:event_add", args=[person.pk, kind]), {"version": person.version, **data})


def test_a_hospital_stay_is_recorded_and_closed_on_discharge(world, person):
    client = login(world.county_a_admin)
    response = post_event(client, person, "hospital", starts_on="2026-10-03", place="县人民医院", department="心内科",
                          diagnosis="冠心病")
    assert response.status_code == 302
    stay = LifeEvent.objects.get(person=person)
    assert stay.is_open and stay.diagnosis == "冠心病"
    person.refresh_from_db()
    client.post(reverse("people:event_edit", args=[stay.pk]), {
        "version": person.version, "starts_on": "2026-10-03", "place": "县人民医院", "department": "心内科",
        "diagnosis": "冠心病", "ends_on": "2026-10-15"})
    stay.refresh_from_db()
    assert stay.ends_on == datetime.date(2026, 10, 15) and not stay.is_open
    # The diagnosis entered the audit trail only as "changed".
    trail = str([e.changes for e in AuditEvent.objects.filter(object_id=str(person.pk))])
    assert "冠心病" not in trail and "心内科" not in trail


def test_a_community_administrator_records_a_stay_without_touching_the_diagnosis(world, person):
    LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, starts_on=datetime.date(2026, 1, 1),
                             place="县医院", diagnosis="保密诊断")
    stay = LifeEvent.objects.get(person=person)
    client = login(world.community_a_admin)
    form = client.get(reverse("people:event_edit", args=[stay.pk])).content.decode()
    assert "保密诊断" not in form
    client.post(reverse("people:event_edit", args=[stay.pk]), {"version": person.version, "starts_on": "2026-01-01",
                                                                "place": "县医院", "ends_on": "2026-01-09"})
    stay.refresh_from_db()
    assert stay.ends_on == datetime.date(2026, 1, 9) and stay.diagnosis == "保密诊断"


def test_going_away_or_abroad_needs_a_destination_and_an_end_after_the_start(world, person):
    client = login(world.county_a_admin)
    response = post_event(client, person, "abroad", starts_on="2026-12-01", ends_on="2026-11-01", place="")
    assert response.status_code == 200 and not LifeEvent.objects.exists()
    response = post_event(client, person, "abroad", starts_on="2026-12-01", ends_on="2026-11-01", place="加拿大")
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert post_event(client, person, "abroad", starts_on="2026-12-01", ends_on="2027-02-01", place="加拿大",
                      reason="探亲").status_code == 302
    assert LifeEvent.objects.get().kind == LifeEventKind.ABROAD


def test_a_relocation_marks_the_person_as_living_elsewhere_until_it_is_closed(world, person):
    client = login(world.county_a_admin)
    post_event(client, person, "relocation", starts_on="2025-06-01", place="海南省三亚市", reason="随子女居住")
    person.refresh_from_db()
    assert person.lives_elsewhere and person.elsewhere_place == "海南省三亚市"
    assert names_in(client.get(reverse("people:person_list"), {"elsewhere": "yes"})) == ["王国华"]
    event = LifeEvent.objects.get(person=person)
    client.post(reverse("people:event_edit", args=[event.pk]), {
        "version": person.version, "starts_on": "2025-06-01", "place": "海南省三亚市", "ends_on": "2026-05-01"})
    person.refresh_from_db()
    assert not person.lives_elsewhere and person.elsewhere_place == ""


def test_a_death_moves_the_person_out_of_the_active_list_and_keeps_the_file_and_survivors(world, person):
    spouse = Contact.objects.create(person=person, relation="spouse", name="李秀英", phone="13912345678")
    Contact.objects.create(person=person, relation="child", name="王小明")
    client = login(world.county_a_admin)
    url = reverse("people:death_record", args=[person.pk])
    data = {"version": person.version, "died_on": "2026-11-01", "cause": "心力衰竭", "farewell": "遗体告别仪式",
            "pension_recipient": "李秀英", "survivors": [spouse.pk], "survivor_relation": "child",
            "survivor_name": "王小红", "survivor_phone": "13700001111"}
    assert client.post(url, data).status_code == 200  # not confirmed: nothing happens
    person.refresh_from_db()
    assert person.deceased_on is None
    assert client.post(url, {**data, "confirm": "on"}).status_code == 302
    person.refresh_from_db()
    assert person.deceased_on == datetime.date(2026, 11, 1)
    assert names_in(client.get(reverse("people:person_list"))) == []
    assert names_in(client.get(reverse("people:person_list"), {"status": "deceased"})) == ["王国华"]
    assert client.get(reverse("people:person_detail", args=[person.pk])).status_code == 200
    survivors = set(Contact.objects.filter(person=person, is_survivor=True).values_list("name", flat=True))
    assert survivors == {"李秀英", "王小红"}
    death = LifeEvent.objects.get(person=person, kind=LifeEventKind.DEATH)
    assert death.diagnosis == "心力衰竭" and death.pension_recipient == "李秀英"
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(person.pk)).latest("id")
    assert event.changes["deceased_on"] == [None, "2026-11-01"] and event.detail["survivors"] == ["李秀英", "王小红"]
    assert "心力衰竭" not in str(event.changes) and "13700001111" not in str(event.changes)


def test_a_death_in_the_future_or_recorded_twice_is_refused(world, person):
    client = login(world.county_a_admin)
    url = reverse("people:death_record", args=[person.pk])
    response = client.post(url, {"version": person.version, "died_on": "2099-01-01", "confirm": "on"})
    assert response.status_code == 200 and Person.objects.get(pk=person.pk).deceased_on is None
    client.post(url, {"version": person.version, "died_on": "2026-01-01", "confirm": "on"})
    response = client.get(url)
    assert response.status_code == 302 and LifeEvent.objects.filter(kind=LifeEventKind.DEATH).count() == 1


def test_a_death_recorded_by_mistake_can_be_removed_with_a_reason(world, person):
    client = login(world.county_a_admin)
    client.post(reverse("people:death_record", args=[person.pk]),
                {"version": person.version, "died_on": "2026-01-01", "confirm": "on"})
    person.refresh_from_db()
    death = LifeEvent.objects.get(kind=LifeEventKind.DEATH)
    url = reverse("people:death_undo", args=[death.pk])
    assert client.post(url, {"version": person.version, "reason": ""}).status_code == 200
    assert client.post(url, {"version": person.version, "reason": "误报，核实后健在"}).status_code == 302
    person.refresh_from_db()
    assert person.deceased_on is None and not LifeEvent.objects.exists()
    assert names_in(client.get(reverse("people:person_list"))) == ["王国华"]


# --- documents ------------------------------------------------------------------------------------------------

def upload(client, person, name, content, kind=DocumentKind.DOCUMENT, title="批复"):
    person.refresh_from_db()
    return client.post(reverse("people:document_add", args=[person.pk]), {
        "version": person.version, "kind": kind, "title": title,
        "file": SimpleUploadedFile(name, content, content_type="application/octet-stream")})


def test_images_and_pdfs_are_kept_and_downloaded_only_in_scope(world, person, media):
    client = login(world.county_a_admin)
    assert upload(client, person, "scan.pdf", PDF).status_code == 302
    assert upload(client, person, "me.jpg", PNG, kind=DocumentKind.PHOTO, title="").status_code == 302
    pdf = Document.objects.get(kind=DocumentKind.DOCUMENT)
    photo = Document.objects.get(kind=DocumentKind.PHOTO)
    assert pdf.content_type == "application/pdf" and photo.content_type == "image/png"
    assert "scan" not in pdf.file.name and "me" not in photo.file.name.rsplit("/", 1)[-1]
    response = client.get(reverse("people:document_download", args=[pdf.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment") and "no-store" in response["Cache-Control"]
    page = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert reverse("people:document_download", args=[photo.pk]) in page and "/media/" not in page
    # The sibling county gets 404, not the file.
    assert login(world.county_b_admin).get(reverse("people:document_download", args=[pdf.pk])).status_code == 404


@pytest.mark.parametrize("name, content", [
    ("run.exe", b"MZ\x90\x00" + b"\x00" * 60),
    ("fake.pdf", b"<html><script>alert(1)</script></html>"),
    ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("empty.png", b""),
])
def test_other_kinds_of_files_are_refused(world, person, media, name, content):
    response = upload(login(world.county_a_admin), person, name, content)
    assert response.status_code == 200 and not Document.objects.exists()


def test_a_photo_must_be_an_image_and_files_over_10_mb_are_refused(world, person, media):
    client = login(world.county_a_admin)
    assert upload(client, person, "photo.pdf", PDF, kind=DocumentKind.PHOTO).status_code == 200
    big = PDF + b"0" * (10 * 1024 * 1024)
    assert upload(client, person, "big.pdf", big).status_code == 200
    assert not Document.objects.exists()


def test_removing_a_document_deletes_the_stored_file(world, person, media, django_capture_on_commit_callbacks):
    client = login(world.county_a_admin)
    upload(client, person, "scan.pdf", PDF)
    document = Document.objects.get()
    stored = media / document.file.name
    assert stored.exists()
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:document_delete", args=[document.pk]), {"version": person.version})
    assert response.status_code == 302 and not Document.objects.exists() and not stored.exists()
