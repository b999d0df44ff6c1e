"""Hospital stays: recording an admission and a discharge through the person file's services (version checked,
audited, the unit and the community told), the list of people in hospital now and recently discharged with their
visits, and the department and diagnosis shown, offered and sent by the API only to roles with health data."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yinfa.care.models import VisitKind
from yinfa.care.services.hospital import admit, discharge
from yinfa.care.services.visits import create_visit
from yinfa.core.models import AuditEvent, Notification, RoleGrant
from yinfa.core.scope import Scope
from yinfa.core.testing import login
from yinfa.people.models import LifeEvent, LifeEventKind
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
LIST = reverse("care:hospital_list")
NEW = reverse("care:hospital_create")
API = "/api/care/hospital-stays/"


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def person(world):
    return make_person(world.unit_a, name="张德明", community=world.community_a)


def admitted(world, person, user=None, **values):
    user = user or world.unit_a_admin
    person.refresh_from_db()
    values = {"place": "县人民医院", "starts_on": days_ago(5), **values}
    return admit(actor=user, scope=scope_of(user), person=person, version=person.version, values=values)


def errors_of(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- services ------------------------------------------------------------------------------------------------------

def test_an_admission_is_a_hospital_event_on_the_file_audited_and_told_to_the_unit_and_community(
        world, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stay = admitted(world, person, user=world.county_a_admin, department="心内科", diagnosis="冠心病")
    assert (stay.kind, stay.place, stay.department, stay.diagnosis, stay.ends_on) == (
        LifeEventKind.HOSPITAL, "县人民医院", "心内科", "冠心病", None)
    event = AuditEvent.objects.get(object_type="people.person", object_id=str(person.pk))
    assert event.detail["row"] == "life_event" and event.changes["life_event.diagnosis"] != [None, "冠心病"]
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {world.unit_a_admin.pk, world.community_a_admin.pk}
    assert all("冠心病" not in n.body and "心内科" not in n.body for n in Notification.objects.all())


def test_an_admission_needs_a_hospital_and_a_day_not_in_the_future_and_one_stay_at_a_time(world, person):
    assert "place" in errors_of(lambda: admitted(world, person, place=" "))
    assert "starts_on" in errors_of(lambda: admitted(world, person, starts_on=days_ago(-1)))
    assert "starts_on" in errors_of(lambda: admitted(world, person, starts_on=None))
    admitted(world, person)
    assert "starts_on" in errors_of(lambda: admitted(world, person, place="市中心医院"))
    assert LifeEvent.objects.count() == 1


def test_an_admission_from_a_form_read_before_another_change_is_refused(world, person):
    stale = person.version
    admitted(world, person)
    with pytest.raises(ValidationError):
        admit(actor=world.unit_a_admin, scope=scope_of(world.unit_a_admin), person=person, version=stale,
              values={"place": "另一医院", "starts_on": days_ago(1)})


def test_a_role_without_health_data_cannot_write_a_diagnosis_or_department(world, person):
    with pytest.raises(PermissionDenied):
        admitted(world, person, user=world.community_a_admin, diagnosis="冠心病")
    with pytest.raises(PermissionDenied):
        admitted(world, person, user=world.community_a_admin, department="心内科")
    stay = admitted(world, person, user=world.community_a_admin)
    person.refresh_from_db()
    with pytest.raises(PermissionDenied):
        discharge(actor=world.community_a_admin, scope=scope_of(world.community_a_admin), stay=stay,
                  version=person.version, ends_on=days_ago(0), diagnosis="肺炎")


def test_a_discharge_is_on_or_after_the_admission_not_in_the_future_and_only_once(world, person):
    stay = admitted(world, person)
    scope = scope_of(world.unit_a_admin)

    def out(day, **kwargs):
        person.refresh_from_db()
        return discharge(actor=world.unit_a_admin, scope=scope, stay=stay, version=person.version, ends_on=day,
                         **kwargs)

    assert "ends_on" in errors_of(lambda: out(days_ago(6)))
    assert "ends_on" in errors_of(lambda: out(days_ago(-1)))
    assert "ends_on" in errors_of(lambda: out(None))
    out(days_ago(5), diagnosis="肺炎")
    stay.refresh_from_db()
    assert stay.ends_on == days_ago(5) and stay.diagnosis == "肺炎"
    assert "ends_on" in errors_of(lambda: out(days_ago(1)))


def test_a_person_outside_the_scope_cannot_be_admitted(world):
    stranger = make_person(world.unit_b, name="乙县老同志")
    with pytest.raises(PermissionDenied):
        admitted(world, stranger)


# --- pages ---------------------------------------------------------------------------------------------------------

def test_the_list_shows_who_is_in_hospital_with_days_visits_and_a_record_a_visit_button(world, person):
    stay = admitted(world, person, department="心内科", diagnosis="冠心病")
    seen = create_visit(actor=world.unit_a_admin, scope=scope_of(world.unit_a_admin), person=person, values={
        "kind": VisitKind.HOSPITAL, "visited_on": days_ago(2), "visitors": "王科长", "hospital_stay": stay})
    left = make_person(world.unit_a, name="李秀英", community=world.community_a)
    LifeEvent.objects.create(person=left, kind=LifeEventKind.HOSPITAL, starts_on=days_ago(20), ends_on=days_ago(10),
                             place="市中心医院")
    long_ago = make_person(world.unit_a, name="王早出院")
    LifeEvent.objects.create(person=long_ago, kind=LifeEventKind.HOSPITAL, starts_on=days_ago(90),
                             ends_on=days_ago(60), place="市中心医院")
    make_person(world.unit_b, name="乙县老同志").life_events.create(kind=LifeEventKind.HOSPITAL, place="乙县医院",
                                                                 starts_on=days_ago(1))
    page = login(world.community_a_admin).get(LIST)
    body = page.content.decode()
    current = page.context["current"]
    assert [s.pk for s in current] == [stay.pk] and current[0].days == 5 and current[0].last_visit == days_ago(2)
    assert reverse("care:visit_detail", args=[seen.pk]) in body
    assert f"?person={person.pk}&amp;kind=hospital&amp;stay={stay.pk}" in body
    assert [s.person.name for s in page.context["recent"]] == ["李秀英"]
    assert "王早出院" not in body and "乙县老同志" not in body and "乙县医院" not in body


def test_the_department_and_diagnosis_are_shown_only_to_roles_with_health_data(world, person):
    admitted(world, person, department="心内科", diagnosis="冠心病")
    unit = login(world.unit_a_admin).get(LIST).content.decode()
    community = login(world.community_a_admin).get(LIST).content.decode()
    assert "心内科" in unit and "冠心病" in unit
    assert "心内科" not in community and "冠心病" not in community and "县人民医院" in community
    assert 'data-testid="health-restricted"' in community


def test_the_admission_form_offers_the_diagnosis_only_to_roles_with_health_data(world, person):
    unit_form = login(world.unit_a_admin).get(NEW, {"person": person.pk}).context["form"]
    community_form = login(world.community_a_admin).get(NEW, {"person": person.pk}).context["form"]
    assert {"diagnosis", "department"} <= set(unit_form.fields)
    assert not {"diagnosis", "department"} & set(community_form.fields)
    response = login(world.community_a_admin).post(f"{NEW}?person={person.pk}", {
        "place": "县人民医院", "starts_on": days_ago(1).isoformat(), "diagnosis": "偷偷写的诊断",
        "version": person.version})
    assert response.status_code == 302
    assert LifeEvent.objects.get().diagnosis == ""


def test_an_admission_and_a_discharge_are_recorded_from_the_pages(world, person):
    client = login(world.unit_a_admin)
    assert 'data-testid="person-query"' in client.get(NEW).content.decode()
    response = client.post(f"{NEW}?person={person.pk}", {
        "place": "县人民医院", "department": "骨科", "starts_on": days_ago(4).isoformat(), "diagnosis": "骨折",
        "version": person.version})
    assert response.status_code == 302 and response["Location"] == LIST
    stay = LifeEvent.objects.get()
    person.refresh_from_db()
    url = reverse("care:hospital_discharge", args=[stay.pk])
    form = client.get(url).context["form"]
    assert form.initial["diagnosis"] == "骨折" and form.initial["version"] == person.version
    refused = client.post(url, {"ends_on": days_ago(6).isoformat(), "diagnosis": "骨折", "version": person.version})
    assert refused.status_code == 200 and "ends_on" in refused.context["form"].errors
    done = client.post(url, {"ends_on": days_ago(0).isoformat(), "diagnosis": "骨折，已手术",
                             "version": person.version})
    assert done.status_code == 302
    stay.refresh_from_db()
    assert stay.ends_on == days_ago(0) and stay.diagnosis == "骨折，已手术"
    assert 'data-testid="already-discharged"' in client.get(url).content.decode()


def test_an_admission_form_read_before_another_change_keeps_what_was_typed(world, person):
    client = login(world.unit_a_admin)
    stale = person.version
    admitted(world, person)
    LifeEvent.objects.update(ends_on=days_ago(0))
    response = client.post(f"{NEW}?person={person.pk}", {"place": "另一家医院", "starts_on": days_ago(0).isoformat(),
                                                         "version": stale})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert "另一家医院" in response.content.decode()


def test_a_stay_outside_the_scope_is_not_found(world, person):
    stay = admitted(world, person)
    url = reverse("care:hospital_discharge", args=[stay.pk])
    assert login(world.county_b_admin).get(url).status_code == 404
    assert login(world.county_b_admin).get(NEW, {"person": person.pk}).status_code == 404


def test_the_list_costs_the_same_queries_for_2_or_20_stays(world):
    client = login(world.unit_a_admin)

    def add(n):
        for i in range(n):
            someone = make_person(world.unit_a, name=f"老同志{i}", community=world.community_a)
            stay = LifeEvent.objects.create(person=someone, kind=LifeEventKind.HOSPITAL, place="医院",
                                            starts_on=days_ago(3))
            create_visit(actor=world.unit_a_admin, scope=scope_of(world.unit_a_admin), person=someone, values={
                "kind": VisitKind.HOSPITAL, "visited_on": days_ago(1), "visitors": "王", "hospital_stay": stay})
            LifeEvent.objects.create(person=someone, kind=LifeEventKind.HOSPITAL, place="医院",
                                     starts_on=days_ago(30), ends_on=days_ago(20))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    add(2)
    few = count()
    add(18)
    assert count() == few


# --- API -----------------------------------------------------------------------------------------------------------

def test_the_api_lists_the_stays_of_the_scope_with_the_diagnosis_only_for_health_roles(world, person):
    stay = admitted(world, person, department="心内科", diagnosis="冠心病")
    other = make_person(world.unit_a, name="李秀英", community=world.community_a)
    LifeEvent.objects.create(person=other, kind=LifeEventKind.HOSPITAL, starts_on=days_ago(20),
                             ends_on=days_ago(10), place="市中心医院")
    LifeEvent.objects.create(person=other, kind=LifeEventKind.AWAY, starts_on=days_ago(20), place="北京")
    unit = login(world.unit_a_admin).get(API).json()["results"]
    assert {row["hospital"] for row in unit} == {"县人民医院", "市中心医院"}
    mine = next(row for row in unit if row["id"] == stay.pk)
    assert (mine["diagnosis"], mine["department"], mine["discharged_on"]) == ("冠心病", "心内科", None)
    open_only = login(world.unit_a_admin).get(API, {"open": "1"}).json()["results"]
    assert [row["id"] for row in open_only] == [stay.pk]
    community = login(world.community_a_admin).get(API).json()["results"]
    assert community and all("diagnosis" not in row and "department" not in row for row in community)
    detail = login(world.community_a_admin).get(f"{API}{stay.pk}/")
    assert detail.status_code == 200 and "冠心病" not in detail.content.decode()
    assert login(world.county_b_admin).get(f"{API}{stay.pk}/").status_code == 404
    assert login(world.county_b_admin).get(API).json()["results"] == []
