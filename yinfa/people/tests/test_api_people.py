"""The JSON API of person files: same scope and filters as the pages, masked values, health only with the
permission, create and update through the services with a version check, exact lookup by POST."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yinfa.core.models import AuditAction, AuditEvent, OrgKind
from yinfa.core.permissions import Role
from yinfa.core.testing import login, make_node, make_user
from yinfa.people import idnumbers
from yinfa.people.models import Contact, Health, LifeEvent, Person, Relation
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db

LIST = "/api/people/"
LOOKUP = "/api/people/lookup/"


def detail_url(person):
    return f"/api/people/{person.pk}/"


def patch(client, person, body):
    return client.patch(detail_url(person), json.dumps(body), content_type="application/json")


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def files(world):
    """Two people in county A (one 离休 with a health record, a contact and a hospital stay) and one in B."""
    wang = make_person(world.unit_a, name="王国华", community=world.community_a, phone="13812345678",
                       address="甲县城关镇东门街12号", born=datetime.date(1950, 3, 8))
    li = make_person(world.unit_a, name="李秀英", category="lixiu", gender="female", born=datetime.date(1930, 5, 1))
    Health.objects.create(person=wang, status="poor", chronic_conditions="高血压、糖尿病")
    Contact.objects.create(person=wang, relation=Relation.CHILD, name="王小明", phone="13700001111", is_emergency=True)
    LifeEvent.objects.create(person=wang, kind="hospital", starts_on=datetime.date(2026, 10, 1), place="甲县人民医院",
                             department="心内科", diagnosis="冠心病")
    zhao = make_person(world.unit_b, name="赵乙县")
    return wang, li, zhao


def names(response):
    return [row["name"] for row in response.json()["results"]]


def test_the_list_shows_the_scope_only_with_masked_id_numbers_and_phones(world, files):
    wang, li, zhao = files
    response = login(world.county_a_admin).get(LIST)
    assert response.status_code == 200
    assert sorted(names(response)) == ["李秀英", "王国华"]
    row = next(r for r in response.json()["results"] if r["name"] == "王国华")
    assert row["id_number_masked"] == wang.id_number[:3] + "*" * 11 + wang.id_number[-4:]
    assert row["phone_masked"] == "138****5678"
    body = response.content.decode()
    for secret in (wang.id_number, "13812345678", li.id_number, "赵乙县"):
        assert secret not in body
    assert names(login(world.county_b_admin).get(LIST)) == ["赵乙县"]


def test_the_list_takes_the_same_filters_as_the_page(world, files):
    client = login(world.county_a_admin)
    assert names(client.get(LIST, {"category": "lixiu"})) == ["李秀英"]
    assert names(client.get(LIST, {"q": "wgh"})) == ["王国华"]
    assert names(client.get(LIST, {"q": "wangguo"})) == ["王国华"]
    assert names(client.get(LIST, {"community": world.community_a.pk})) == ["王国华"]
    assert client.get(LIST, {"category": "nonsense"}).status_code == 400
    # An organisation of another county is not a valid choice (and says nothing about it).
    assert client.get(LIST, {"unit": world.unit_b.pk}).status_code == 400


def test_the_cursor_walks_every_row_once_in_name_order(world):
    for name in ("安一", "白二", "陈三", "邓四", "付五"):
        make_person(world.unit_a, name=name)
    client = login(world.county_a_admin)
    seen, url, params = [], LIST, {"page_size": 2}
    while url:
        page = client.get(url, params).json()
        seen += [row["name"] for row in page["results"]]
        url, params = page["next"], None
        assert len(seen) <= 5
    assert seen == ["安一", "白二", "陈三", "邓四", "付五"]
    assert client.get(LIST, {"cursor": "name.999999"}).status_code == 404
    assert client.get(LIST, {"cursor": "garbage"}).status_code == 404


def test_a_file_outside_the_scope_answers_404(world, files):
    wang, _li, zhao = files
    client = login(world.county_b_admin)
    assert client.get(detail_url(wang)).status_code == 404
    assert patch(client, wang, {"version": wang.version, "hobbies": "书法"}).status_code == 404
    assert client.get("/api/people/999999/").status_code == 404
    assert login(world.county_a_admin).get(detail_url(zhao)).status_code == 404
    wang.refresh_from_db()
    assert wang.hobbies == "" and wang.version == 1


def test_the_detail_is_masked_and_shows_health_only_to_roles_that_may_see_it(world, files):
    wang, _li, _zhao = files
    full = login(world.county_a_admin).get(detail_url(wang)).json()
    assert full["phone_masked"] == "138****5678" and full["address_masked"] == "甲县城关镇东*****"
    assert full["health"]["chronic_conditions"] == "高血压、糖尿病"
    assert full["life_events"][0]["diagnosis"] == "冠心病"
    assert full["contacts"][0]["phone_masked"] == "137****1111"
    assert full["version"] == 1 and full["unit"]["name"] == "甲县财政局"
    limited = login(world.community_a_admin).get(detail_url(wang))
    assert limited.status_code == 200
    data = limited.json()
    assert "health" not in data
    assert "diagnosis" not in data["life_events"][0] and "department" not in data["life_events"][0]
    body = limited.content.decode()
    for secret in ("高血压", "冠心病", "心内科", "13812345678", "13700001111", wang.id_number, "东门街12号"):
        assert secret not in body


def test_a_person_without_a_health_record_shows_an_empty_health_section(world, files):
    _wang, li, _zhao = files
    assert login(world.county_a_admin).get(detail_url(li)).json()["health"] is None


def test_creating_a_file_goes_through_the_service_and_is_audited(world):
    client = login(world.county_a_admin)
    number = idnumbers.make("379921", datetime.date(1952, 6, 9), 35)
    response = post(client, LIST, {"name": "孙建国", "id_number": number, "category": "tuixiu",
                                   "unit": world.unit_a.pk, "community": world.community_a.pk,
                                   "phone": "139 0000 2222", "hobbies": "太极拳"})
    assert response.status_code == 201, response.content
    data = response.json()
    person = Person.objects.get(pk=data["id"])
    assert response["Location"] == detail_url(person)
    assert (person.id_number, person.phone, person.birth_date, person.gender) == (
        number, "13900002222", datetime.date(1952, 6, 9), "male")
    assert data["phone_masked"] == "139****2222" and number not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="people.person",
                                     object_id=str(person.pk)).exists()


def test_creating_refuses_bad_input_and_organisations_outside_the_scope(world, files):
    wang, _li, _zhao = files
    client = login(world.county_a_admin)
    number = idnumbers.make("379921", datetime.date(1952, 6, 9), 37)
    outside = post(client, LIST, {"name": "孙建国", "id_number": number, "category": "tuixiu",
                                  "unit": world.unit_b.pk})
    assert outside.status_code == 400 and "unit" in outside.json()
    bad_check = post(client, LIST, {"name": "孙建国", "id_number": number[:-1] + ("1" if number[-1] != "1" else "2"),
                                    "category": "tuixiu", "unit": world.unit_a.pk})
    assert bad_check.status_code == 400
    missing = post(client, LIST, {"name": "孙建国", "category": "tuixiu", "unit": world.unit_a.pk})
    assert missing.status_code == 400 and "id_number" in missing.json()
    duplicate = post(client, LIST, {"name": "王国华", "id_number": wang.id_number, "category": "tuixiu",
                                    "unit": world.unit_a.pk})
    assert duplicate.status_code == 409 and duplicate.json()["existing"] == wang.pk
    assert Person.objects.count() == 3


def test_a_change_with_the_version_read_is_saved_and_audited(world, files):
    wang, _li, _zhao = files
    response = patch(login(world.county_a_admin), wang, {"version": 1, "phone": "13900003333", "hobbies": "书法"})
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2 and response.json()["hobbies"] == "书法"
    wang.refresh_from_db()
    assert (wang.phone, wang.hobbies, wang.version) == ("13900003333", "书法", 2)
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(wang.pk)).latest("id")
    assert event.changes["phone"] == ["138****5678", "139****3333"]


def test_the_second_of_two_editors_gets_409_and_nothing_is_overwritten(world, files):
    wang, _li, _zhao = files
    first, second = login(world.county_a_admin), login(world.unit_a_admin)
    version = first.get(detail_url(wang)).json()["version"]
    assert second.get(detail_url(wang)).json()["version"] == version
    assert patch(first, wang, {"version": version, "hobbies": "书法"}).status_code == 200
    refused = patch(second, wang, {"version": version, "hobbies": "钓鱼", "phone": "13900004444"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "stale" and "其他人已保存了该档案" in refused.json()["detail"]
    assert refused.json()["current_version"] == version + 1
    wang.refresh_from_db()
    assert (wang.hobbies, wang.phone, wang.version) == ("书法", "13812345678", version + 1)


def test_a_change_without_a_version_or_with_bad_values_is_refused(world, files):
    wang, _li, _zhao = files
    client = login(world.county_a_admin)
    assert patch(client, wang, {"hobbies": "书法"}).status_code == 400
    assert patch(client, wang, {"version": 1, "category": "nonsense"}).status_code == 400
    assert patch(client, wang, {"version": 1, "community": world.community_b.pk}).status_code == 400
    wang.refresh_from_db()
    assert wang.version == 1 and wang.hobbies == ""


def test_writing_needs_the_edit_permission_and_reading_the_view_permission(world, files):
    wang, _li, _zhao = files
    committee = make_node(world.county_a, OrgKind.PARTY_COMMITTEE, "甲县离退休干部工委")
    reader = make_user("gw_a", role=Role.COMMITTEE_ADMIN, node=committee)
    response = patch(login(reader), wang, {"version": 1, "hobbies": "书法"})
    assert response.status_code == 403
    volunteer = make_user("vol_a", role=Role.VOLUNTEER, node=world.community_a)
    assert login(volunteer).get(LIST).status_code == 403
    assert login(world.no_role).get(LIST).status_code == 403


def test_the_exact_lookup_is_posted_and_finds_only_files_in_scope(world, files):
    wang, _li, zhao = files
    client = login(world.county_a_admin)
    spaced = " ".join(wang.id_number[i:i + 6] for i in range(0, 18, 6))
    assert [r["name"] for r in post(client, LOOKUP, {"id_number": spaced}).json()["results"]] == ["王国华"]
    assert [r["name"] for r in post(client, LOOKUP, {"phone": "138 1234 5678"}).json()["results"]] == ["王国华"]
    assert post(client, LOOKUP, {"id_number": zhao.id_number}).json()["results"] == []
    assert post(client, LOOKUP, {"id_number": "12345"}).status_code == 400
    assert post(client, LOOKUP, {}).status_code == 400
    assert client.get(LOOKUP, {"id_number": wang.id_number}).status_code == 405


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_rows(world, files):
    wang, _li, _zhao = files
    client = login(world.county_a_admin)
    client.get(LIST)  # warm up the session
    small_list, small_detail = query_count(client, LIST), query_count(client, detail_url(wang))
    for n in range(12):
        make_person(world.unit_a, name=f"张{n}", community=world.community_a)
        Contact.objects.create(person=wang, relation=Relation.OTHER, name=f"邻居{n}", phone=f"1360000{n:04d}")
        LifeEvent.objects.create(person=wang, kind="away", starts_on=datetime.date(2025, 1, n + 1))
    assert query_count(client, LIST) == small_list
    assert query_count(client, detail_url(wang)) == small_detail


def test_the_schema_documents_the_people_api_and_stays_valid(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/people/{id}/:" in schema and "/api/people/lookup/:" in schema
    assert "PersonDetail" in schema and "'409':" in schema
