"""The person file: its sections, health restricted to HEALTH_VIEW, revealing a protected value (permission,
reason, audit without the value), editing a section with an optimistic lock, the change history, and an audit
trail that never holds a clear ID number, phone or address."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.people.models import Contact, Health, LifeEvent, LifeEventKind
from yinfa.people.services import file as file_services
from yinfa.people.services import person as person_services
from yinfa.people.tests.factories import make_person
from yinfa.people.tests.test_registry import scope_of, zh

pytestmark = pytest.mark.django_db

ADDRESS = "城关镇东门街道幸福路18号3栋2单元501室"


@pytest.fixture
def person(world):
    person = make_person(world.unit_a, name="王国华", community=world.community_a, address=ADDRESS,
                         landline="0635-7654321")
    admin = world.county_a_admin
    Health.objects.create(person=person, status="fair", chronic_conditions="高血压病史二十年")
    Contact.objects.create(person=person, relation="spouse", name="李秀英", phone="13912345678")
    LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, starts_on=datetime.date(2026, 3, 1),
                             place="县人民医院", department="肿瘤科", diagnosis="肺部结节待查", created_by=admin)
    return person


def test_the_file_shows_every_section_with_masked_values(world, person):
    body = login(world.county_a_admin).get(reverse("people:person_detail", args=[person.pk])).content.decode()
    for section in ("identity", "career", "party", "living", "family", "health", "talents", "documents", "events",
                    "history"):
        assert f'id="{section}"' in body
    for clear in (person.id_number, person.phone, ADDRESS, "0635-7654321", "13912345678"):
        assert clear not in body
    assert "高血压病史二十年" in body and "肺部结节待查" in body and "肿瘤科" in body
    assert 'data-testid="reveal-id_number"' in body and 'data-testid="edit-identity"' in body


def test_health_details_are_hidden_from_a_community_administrator(world, person):
    client = login(world.community_a_admin)
    body = client.get(reverse("people:person_detail", args=[person.pk])).content.decode()
    assert 'data-testid="health-restricted"' in body
    for secret in ("高血压病史二十年", "肺部结节待查", "肿瘤科"):
        assert secret not in body
    assert "县人民医院" in body  # the stay itself is known (for visits), not what it is for
    assert 'data-testid="reveal-' not in body and 'data-testid="edit-health"' not in body
    assert client.get(reverse("people:health_edit", args=[person.pk])).status_code == 403
    # The hospital-stay form of a community administrator has no diagnosis or department.
    form = client.get(reverse("people:event_add", args=[person.pk, "hospital"])).content.decode()
    assert 'name="diagnosis"' not in form and 'name="department"' not in form and 'name="place"' in form


def test_the_file_page_runs_a_constant_number_of_queries(world, person, django_assert_num_queries):
    client = login(world.county_a_admin)
    url = reverse("people:person_detail", args=[person.pk])
    client.get(url)
    with django_assert_num_queries(FILE_QUERIES):
        client.get(url)
    for i in range(6):
        Contact.objects.create(person=person, relation="child", name=f"子女{i}", phone=f"1380000000{i}")
        LifeEvent.objects.create(person=person, kind=LifeEventKind.AWAY, starts_on=datetime.date(2026, 1, 1 + i),
                                 place="北京")
        file_services.add_honour(actor=world.county_a_admin, person=person, version=person.version,
                                 values={"kind": "award", "title": f"荣誉{i}", "awarded_on": None,
                                         "awarded_by": "", "note": ""})
    with django_assert_num_queries(FILE_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('data-testid="contact-row"') == 7


# session (read + activity stamp: 4), user, grants, notifications, person, contacts, documents, events, health,
# honours, history; the care card (aid applications, latest visits, open care assignment)
FILE_QUERIES = 17


# --- reveal ---------------------------------------------------------------------------------------------------

def reveal(client, person, **data):
    return client.post(reverse("people:person_reveal", args=[person.pk]), data, headers={"HX-Request": "true"})


def test_revealing_needs_the_permission_and_a_reason_and_is_audited_without_the_value(world, person):
    assert reveal(login(world.community_a_admin), person, field="id_number", reason="走访").status_code == 403
    client = login(world.county_a_admin)
    response = reveal(client, person, field="id_number", reason="")
    assert person.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()
    response = reveal(client, person, field="id_number", reason="办理住院手续")
    assert person.id_number in response.content.decode() and response["Cache-Control"] == "no-store"
    assert "<html" not in response.content.decode()  # an htmx swap into the masked cell
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.personal_data and event.object_id == str(person.pk)
    assert event.detail == {"field": "id_number", "reason": "办理住院手续"}
    assert person.id_number not in json.dumps([event.changes, event.detail, event.object_repr], ensure_ascii=False)


def test_a_contact_phone_and_the_address_can_be_revealed_too(world, person):
    client = login(world.county_a_admin)
    contact = person.contacts.get()
    assert "13912345678" in reveal(client, person, field="contact_phone", contact=contact.pk,
                                   reason="联系家属").content.decode()
    assert ADDRESS in reveal(client, person, field="address", reason="上门走访").content.decode()
    other = make_person(world.unit_a, name="别人")
    stranger = Contact.objects.create(person=other, relation="child", name="别人家属", phone="13700000000")
    assert reveal(client, person, field="contact_phone", contact=stranger.pk, reason="x").status_code == 404


def test_the_reveal_page_works_without_htmx(world, person):
    client = login(world.county_a_admin)
    url = reverse("people:person_reveal", args=[person.pk])
    page = client.get(url, {"field": "phone"})
    assert page.status_code == 200 and 'data-testid="reveal-form"' in page.content.decode()
    response = client.post(url, {"field": "phone", "reason": "通知开会"})
    assert person.phone in response.content.decode() and "<html" in response.content.decode()


# --- editing sections -----------------------------------------------------------------------------------------

def edit(client, person, section, data):
    return client.post(reverse("people:person_edit", args=[person.pk, section]), data)


def living_data(person, **changes):
    return {"version": person.version, "community": person.community_id or "", "living_status": "",
            "self_care": "", "elsewhere_place": "", **changes}


def test_editing_the_phone_keeps_the_rest_and_shows_masked_in_the_history(world, person):
    client = login(world.county_a_admin)
    response = edit(client, person, "living", living_data(person, phone="138 0013 8000", living_status="alone"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "13800138000" and person.address == ADDRESS and person.landline == "0635-7654321"
    assert person.living_status == "alone" and person.version == 2
    body = client.get(reverse("people:person_history", args=[person.pk])).content.decode()
    assert "138****8000" in body and "13800138000" not in body


def test_two_people_editing_one_file_the_second_save_is_refused_and_nothing_is_overwritten(world, person):
    first, second = login(world.county_a_admin), login(world.unit_a_admin)
    read_version = person.version
    assert edit(first, person, "living", living_data(person, phone="13800000001")).status_code == 302
    response = edit(second, person, "living", living_data(person, phone="13800000002", living_status="care_home",
                                                          version=read_version))
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="stale-file"' in body
    assert zh(str(person_services.STALE_MESSAGE)) in body
    assert 'value="13800000002"' in body and 'value="care_home" selected' in body  # the input stays
    person.refresh_from_db()
    assert person.phone == "13800000001" and person.living_status == "" and person.version == read_version + 1
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(person.pk)).count() == 1


def test_the_lock_covers_the_rows_of_the_file_too(world, person):
    stale = person.version
    file_services.add_honour(actor=world.county_a_admin, person=person, version=stale,
                             values={"kind": "award", "title": "先进个人", "awarded_on": None, "awarded_by": "",
                                     "note": ""})
    response = login(world.unit_a_admin).post(reverse("people:contact_add", args=[person.pk]), {
        "version": stale, "relation": "child", "name": "王小明", "phone": ""})
    assert 'data-testid="stale-file"' in response.content.decode()
    assert not Contact.objects.filter(name="王小明").exists()


def test_an_identity_change_checks_the_id_number_against_birth_date_and_gender(world, person):
    other = make_person(world.unit_a, name="他人")
    client = login(world.county_a_admin)
    data = {"version": person.version, "name": "王国华", "gender": person.gender,
            "birth_date": person.birth_date.isoformat(), "former_name": "", "ethnicity": "汉族", "native_place": ""}
    body = edit(client, person, "identity", {**data, "new_id_number": other.id_number}).content.decode()
    assert 'name="new_id_number"' in body and "is-invalid" in body
    person.refresh_from_db()
    assert person.ethnicity == "" and person.version == 1
    assert edit(client, person, "identity", {**data, "former_name": "王华"}).status_code == 302
    person.refresh_from_db()
    assert person.former_name == "王华" and person.ethnicity == "汉族"


def test_a_community_administrator_cannot_move_a_file_outside_its_scope(world, person):
    client = login(world.community_a_admin)
    response = edit(client, person, "living", living_data(person, community=world.community_b.pk))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    response = edit(client, person, "living", living_data(person, community=""))
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()
    person.refresh_from_db()
    assert person.community_id == world.community_a.pk


def test_the_history_shows_who_changed_what_and_hides_health_changes_without_the_permission(world, person):
    admin = world.county_a_admin
    file_services.update_health(actor=admin, person=person, version=person.version,
                                values={"status": "poor", "chronic_conditions": "糖尿病"})
    person_services.update_person(actor=admin, scope=scope_of(admin), person=person, version=person.version,
                                  values={"hobbies": "书法"}, section="talents")
    body = login(world.county_a_admin).get(reverse("people:person_history", args=[person.pk])).content.decode()
    assert "书法" in body and "a_admin" in body and "(health data)" in body and "糖尿病" not in body
    body = login(world.community_a_admin).get(reverse("people:person_history", args=[person.pk])).content.decode()
    assert "书法" in body and "(health data)" not in body


def test_the_audit_trail_never_holds_a_clear_id_number_phone_or_address(world, person):
    admin = world.county_a_admin
    client = login(admin)
    old_id = person.id_number
    new_id = make_person(world.unit_a, name="临时", save=False).id_number
    edit(client, person, "living", living_data(person, phone="13611112222", address="新地址人民路99号",
                                               landline="010-88886666"))
    person.refresh_from_db()
    edit(client, person, "identity", {"version": person.version, "name": person.name, "gender": person.gender,
                                      "birth_date": person.birth_date.isoformat(), "new_id_number": new_id})
    person.refresh_from_db()
    assert person.id_number == new_id
    contact = person.contacts.get()
    client.post(reverse("people:contact_edit", args=[contact.pk]), {
        "version": person.version, "relation": "spouse", "name": "李秀英", "phone": "13799998888", "alive": "on"})
    reveal(client, person, field="phone", reason="核对")
    client.post(reverse("people:person_export"), {"full_values": "on"})
    trail = json.dumps([[e.changes, e.detail, e.object_repr] for e in AuditEvent.objects.all()], ensure_ascii=False)
    for clear in (old_id, new_id, "13611112222", "13912345678", "13799998888", "新地址人民路99号", ADDRESS,
                  "010-88886666", "88886666", "0635-7654321", "高血压病史二十年"):
        assert clear not in trail, clear
    assert re.search(r"136\*+2222", trail) and re.search(r"137\*+8888", trail)


@pytest.mark.parametrize("section", ["identity", "career", "party", "living", "talents"])
def test_saving_a_section_as_it_was_read_changes_nothing(world, person, section):
    from yinfa.people.forms import SectionForm

    scope = scope_of(world.county_a_admin)
    person.category, person.joined_revolution_on = "lixiu", datetime.date(1947, 5, 1)
    person.save()
    form = SectionForm(person=person, scope=scope, section=section)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    bound = SectionForm(data, person=person, scope=scope, section=section)
    assert bound.is_valid(), bound.errors
    before = AuditEvent.objects.count()
    person_services.update_person(actor=world.county_a_admin, scope=scope, person=person,
                                  version=bound.cleaned_data["version"], values=bound.section_values(),
                                  section=section)
    person.refresh_from_db()
    assert AuditEvent.objects.count() == before and person.version == 1
    assert person.phone and person.address == ADDRESS
