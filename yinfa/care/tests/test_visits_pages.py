"""The visit pages: the list of the scope (filters, load more, constant queries, Excel export), recording a visit
(choosing the person, pre-filled from the link, errors kept, photos), the detail page and its photos; out of
scope → 404."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from yinfa.care.models import CampaignStatus, CampaignTask, TaskStatus, Visit, VisitCampaign, VisitKind
from yinfa.care.services.visits import create_visit
from yinfa.care.tests.scope_routes_visits import PNG
from yinfa.core.models import AuditAction, AuditEvent, RoleGrant
from yinfa.core.scope import Scope
from yinfa.core.testing import login
from yinfa.people.models import LifeEvent, LifeEventKind
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
LIST = reverse("care:visit_list")
NEW = reverse("care:visit_create")


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def person(world):
    return make_person(world.unit_a, name="张德明", community=world.community_a, phone="13912345678")


def visit(world, person, *, user=None, photos=(), **values):
    user = user or world.unit_a_admin
    values = {"kind": VisitKind.ROUTINE, "visited_on": today(), "visitors": "王科长", **values}
    return create_visit(actor=user, scope=scope_of(user), person=person, values=values, photos=list(photos))


def rows(response):
    return response.content.decode().count('data-testid="visit-row"')


# --- list ----------------------------------------------------------------------------------------------------------

def test_the_list_shows_the_visits_of_the_scope_and_never_those_of_the_sibling_county(world, person):
    visit(world, person, gift="米和油", money=Decimal("300"), needs="想要助浴服务")
    other = make_person(world.unit_b, name="乙县老同志")
    visit(world, other, user=world.county_b_admin, visitors="乙县干部")
    page = login(world.community_a_admin).get(LIST)
    body = page.content.decode()
    assert page.status_code == 200 and rows(page) == 1
    assert "张德明" in body and "米和油" in body and "¥300.00" in body and "想要助浴服务" in body
    assert "乙县老同志" not in body
    assert "乙县老同志" in login(world.county_b_admin).get(LIST).content.decode()


def test_the_filters_narrow_the_list(world, person):
    other = make_person(world.unit_a, name="李秀英")
    visit(world, person, kind=VisitKind.BIRTHDAY, visited_on=days_ago(40))
    visit(world, person, kind=VisitKind.ROUTINE, visited_on=days_ago(10), user=world.community_a_admin)
    visit(world, other, kind=VisitKind.FESTIVAL, visited_on=days_ago(2))
    client = login(world.county_a_admin)
    assert rows(client.get(LIST, {"kind": "birthday"})) == 1
    assert rows(client.get(LIST, {"date_from": days_ago(15).isoformat(), "date_to": today().isoformat()})) == 2
    assert rows(client.get(LIST, {"name": "李秀"})) == 1
    assert rows(client.get(LIST, {"name": "zdm"})) == 2  # initials
    assert rows(client.get(LIST, {"organisation": world.community_a.pk})) == 2  # visited by it, or its resident
    assert rows(client.get(LIST, {"person": other.pk})) == 1
    refused = client.get(LIST, {"organisation": world.unit_b.pk})
    assert rows(refused) == 0 and 'data-testid="filter-errors"' in refused.content.decode()
    assert 'data-testid="filter-errors"' in client.get(LIST, {"date_from": "2026-05-01",
                                                              "date_to": "2026-04-01"}).content.decode()


def test_the_list_loads_more_page_by_page(world, person, monkeypatch):
    from yinfa.care.views import visits as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        visit(world, person, visited_on=days_ago(n), visitors=f"走访人{n}")
    client = login(world.unit_a_admin)
    first = client.get(LIST)
    assert rows(first) == 2 and first.context["next_url"]
    second = client.get(first.context["next_url"], headers={"HX-Request": "true"})
    assert rows(second) == 2 and "<html" not in second.content.decode() and "走访人2" in second.content.decode()
    assert "HX-Request" in second["Vary"]


def test_the_list_costs_the_same_queries_for_2_or_20_visits(world, person):
    client = login(world.unit_a_admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    for n in range(2):
        visit(world, person, visited_on=days_ago(n))
    few = count()
    for n in range(18):
        visit(world, make_person(world.unit_a, name=f"老同志{n}", community=world.community_a), visited_on=days_ago(n))
    assert count() == few


def test_the_export_holds_the_filtered_visits_without_id_numbers_or_phones_and_is_audited(world, person):
    visit(world, person, kind=VisitKind.BIRTHDAY, gift="蛋糕", money=Decimal("800"), feedback="身体很好")
    visit(world, person, kind=VisitKind.ROUTINE)
    response = login(world.unit_a_admin).get(reverse("care:visit_export"), {"kind": "birthday"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    data = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(data) == 2 and data[1][1] == "张德明" and data[1][7] == "蛋糕" and data[1][8] == 800
    cells = " ".join(str(cell) for row in data for cell in row)
    assert person.id_number not in cells and "13912345678" not in cells
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.personal_data and event.detail["rows"] == 1 and event.detail["filters"] == {"kind": "birthday"}


# --- record a visit ------------------------------------------------------------------------------------------------

def test_recording_starts_by_finding_the_person_in_the_scope(world, person):
    make_person(world.unit_b, name="张乙县")
    client = login(world.unit_a_admin)
    assert 'data-testid="person-query"' in client.get(NEW).content.decode()
    found = client.get(NEW, {"q": "张", "kind": "birthday"}).content.decode()
    assert found.count('data-testid="person-row"') == 1 and "张乙县" not in found
    assert f"?person={person.pk}&amp;kind=birthday" in found


def test_the_form_is_prefilled_from_the_link_and_a_person_outside_the_scope_is_not_found(world, person):
    stay = LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, starts_on=days_ago(3), place="县医院")
    client = login(world.community_a_admin)
    form = client.get(NEW, {"person": person.pk, "kind": "hospital", "stay": stay.pk}).context["form"]
    assert (form.initial["kind"], form.initial["hospital_stay"], form.initial["organisation"]) == (
        "hospital", stay.pk, world.community_a.pk)
    assert form.initial["visited_on"] == today()
    assert [o.pk for o in form.fields["organisation"].queryset] == [world.community_a.pk]
    assert client.get(NEW, {"person": make_person(world.unit_b, name="乙").pk}).status_code == 404
    assert client.get(NEW, {"person": "x"}).status_code == 404


def test_a_county_can_name_itself_the_street_the_unit_or_the_community_as_the_visitor(world, person):
    form = login(world.county_a_admin).get(NEW, {"person": person.pk}).context["form"]
    assert {o.pk for o in form.fields["organisation"].queryset} == {
        world.county_a.pk, world.unit_a.pk, world.street_a.pk, world.community_a.pk}


def test_a_visit_is_saved_with_its_photos_and_the_detail_shows_it(world, person, media):
    client = login(world.unit_a_admin)
    response = client.post(f"{NEW}?person={person.pk}", {
        "kind": "routine", "visited_on": today().isoformat(), "visitors": "王科长", "leaders": "县委书记",
        "gift": "米和油", "money": "500.00", "feedback": "感谢组织", "needs": "需要理发上门",
        "organisation": world.unit_a.pk,
        "photos": [SimpleUploadedFile("一.png", PNG, content_type="image/png"),
                   SimpleUploadedFile("二.png", PNG, content_type="image/png")]})
    saved = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("care:visit_detail", args=[saved.pk])
    assert saved.photos.count() == 2 and saved.money == Decimal("500.00")
    page = client.get(response["Location"]).content.decode()
    for text in ("王科长", "县委书记", "米和油", "¥500.00", "感谢组织", "需要理发上门", "甲县财政局"):
        assert text in page
    photo = saved.photos.first()
    assert reverse("care:visit_photo", args=[photo.pk]) in page
    served = client.get(reverse("care:visit_photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG and served["X-Content-Type-Options"] == "nosniff"
    assert login(world.county_b_admin).get(reverse("care:visit_photo", args=[photo.pk])).status_code == 404


def test_a_refused_visit_shows_the_errors_and_keeps_what_was_typed(world, person):
    response = login(world.unit_a_admin).post(f"{NEW}?person={person.pk}", {
        "kind": "routine", "visited_on": (today() + datetime.timedelta(days=2)).isoformat(), "visitors": "王科长",
        "feedback": "一大段反馈", "organisation": world.unit_a.pk,
        "photos": [SimpleUploadedFile("a.png", b"not an image", content_type="image/png")]})
    assert response.status_code == 200 and not Visit.objects.exists()
    form = response.context["form"]
    assert "visited_on" in form.errors and "photos" in form.errors
    assert "一大段反馈" in response.content.decode()


def test_a_visit_from_a_campaign_task_is_prefilled_and_ticks_the_task_off(world, person):
    campaign = VisitCampaign.objects.create(title="2026年春节慰问", year=2026, node=world.county_a,
                                            due_on=today(), scope_path=world.county_a.path,
                                            status=CampaignStatus.OPEN)
    task = CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.community_a,
                                       assignee_path=world.community_a.path)
    client = login(world.community_a_admin)
    page = client.get(NEW, {"task": task.pk})
    assert page.context["person"] == person and page.context["form"].initial["kind"] == VisitKind.FESTIVAL
    assert "2026年春节慰问" in page.content.decode()
    response = client.post(f"{NEW}?person={person.pk}&task={task.pk}", {
        "kind": "festival", "visited_on": today().isoformat(), "visitors": "社区主任",
        "organisation": world.community_a.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and Visit.objects.get().task == task
    assert login(world.county_b_admin).get(NEW, {"task": task.pk}).status_code == 404


# --- detail --------------------------------------------------------------------------------------------------------

def test_the_detail_offers_to_turn_needs_into_an_order_or_a_wish(world, person):
    with_needs = visit(world, person, needs="需要轮椅")
    without = visit(world, person, needs="", feedback="")
    client = login(world.unit_a_admin)
    page = client.get(reverse("care:visit_detail", args=[with_needs.pk])).content.decode()
    plain = client.get(reverse("care:visit_detail", args=[without.pk])).content.decode()
    for name, testid in (("needs:order_create", "turn-order"), ("needs:wish_create", "turn-wish")):
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # that part is not built yet: the page works without the button
        assert f'href="{url}?visit={with_needs.pk}"' in page and testid in page
        assert testid not in plain


def test_a_visit_outside_the_scope_is_not_found(world, person):
    visited = visit(world, person)
    assert login(world.county_b_admin).get(reverse("care:visit_detail", args=[visited.pk])).status_code == 404
    assert login(world.community_a_admin).get(reverse("care:visit_detail", args=[visited.pk])).status_code == 200


def test_the_detail_of_a_hospital_visit_shows_the_diagnosis_only_to_roles_with_health_data(world, person):
    stay = LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, starts_on=days_ago(3),
                                    place="县人民医院", department="心内科", diagnosis="冠心病")
    visited = visit(world, person, kind=VisitKind.HOSPITAL, hospital_stay=stay)
    url = reverse("care:visit_detail", args=[visited.pk])
    unit = login(world.unit_a_admin).get(url).content.decode()
    community = login(world.community_a_admin).get(url).content.decode()
    assert "县人民医院" in unit and "冠心病" in unit and "心内科" in unit
    assert "县人民医院" in community and "冠心病" not in community and "心内科" not in community
