"""The round-birthdays page: the living people of the scope with a round birthday in the next 7/30/60/90 days, solar or
lunar, with their last birthday visit and a "record a birthday visit" button; the Excel export; constant queries."""

import datetime
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yinfa.care.models import Visit, VisitKind
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
PAGE = reverse("care:birthdays")
EXPORT = reverse("care:birthday_export")
D = datetime.date
NOW = datetime.datetime(2026, 1, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def on_25_january_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(world):
    def make(name, born, lunar=False, unit=None, **values):
        values.setdefault("community", world.community_a if unit is None else None)
        return make_person(unit or world.unit_a, name=name, born=born, birthday_is_lunar=lunar, **values)

    return {
        "eighty": make("八十寿星", D(1946, 2, 10)),  # 80 on 2026-02-10: 16 days
        "lunar": make("农历寿星", D(1946, 1, 20), lunar=True),  # lunar 80 on 2026-02-05: 11 days
        "hundred": make("百岁老人", D(1925, 4, 1)),  # 101 on 2026-04-01: 66 days
        "not_round": make("八十一", D(1945, 2, 1)),
        "dead": make("已故", D(1946, 2, 1), deceased_on=D(2025, 5, 1)),
        "elsewhere": make("乙县寿星", D(1946, 2, 2), unit=world.unit_b),
    }


def names(response):
    return [row.person.name for row in response.context["rows"]]


def test_the_page_lists_the_round_birthdays_of_the_next_30_days_soonest_first(world, people):
    response = login(world.community_a_admin).get(PAGE)
    assert response.status_code == 200 and names(response) == ["农历寿星", "八十寿星"]
    body = response.content.decode()
    lunar = response.context["rows"][0].birthday
    assert (lunar.on, lunar.age, lunar.lunar, lunar.days_to_go) == (D(2026, 2, 5), 80, True, 11)
    assert body.count('data-testid="birthday-lunar"') == 1
    assert f"?person={people['eighty'].pk}&amp;kind=birthday" in body
    assert "已故" not in body and "乙县寿星" not in body and "八十一" not in body


def test_a_longer_window_reaches_further(world, people):
    assert names(login(world.unit_a_admin).get(PAGE, {"days": 90})) == ["农历寿星", "八十寿星", "百岁老人"]
    assert names(login(world.unit_a_admin).get(PAGE, {"days": 7})) == []
    assert names(login(world.unit_a_admin).get(PAGE, {"days": 12345})) == ["农历寿星", "八十寿星"]  # the default


def test_the_last_birthday_visit_is_shown(world, people):
    Visit.objects.create(person=people["eighty"], kind=VisitKind.BIRTHDAY, visited_on=D(2021, 2, 10), visitors="王")
    Visit.objects.create(person=people["eighty"], kind=VisitKind.ROUTINE, visited_on=D(2025, 6, 1), visitors="王")
    rows = login(world.unit_a_admin).get(PAGE).context["rows"]
    assert {row.person.name: row.last_visit for row in rows} == {"农历寿星": None, "八十寿星": D(2021, 2, 10)}


def test_the_page_costs_the_same_queries_for_2_or_20_people(world, people):
    client = login(world.unit_a_admin)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    few = count()
    for n in range(18):
        someone = make_person(world.unit_a, name=f"寿星{n}", born=D(1936, 2, 1 + n))
        Visit.objects.create(person=someone, kind=VisitKind.BIRTHDAY, visited_on=D(2016, 2, 1), visitors="王")
    assert len(client.get(PAGE).context["rows"]) == 20
    assert count() == few


def test_the_export_lists_the_round_birthdays_and_is_audited(world, people):
    response = login(world.unit_a_admin).get(EXPORT, {"days": 90})
    assert response.status_code == 200
    data = [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert [row[0] for row in data[1:]] == ["农历寿星", "八十寿星", "百岁老人"]
    assert data[1][3] == 80 and data[1][5] == "Lunar" and data[3][3] == 101
    cells = " ".join(str(c) for row in data for c in row)
    assert people["eighty"].id_number not in cells and people["eighty"].phone not in cells
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.personal_data and event.detail["rows"] == 3 and event.detail["filters"] == {"days": 90}
