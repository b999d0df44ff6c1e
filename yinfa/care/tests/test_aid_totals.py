"""Hardship aid, the yearly totals of a scope: per kind (applications, approved, amounts asked, granted, paid) and
per organisation one level below the scope, in a constant number of queries, on a page and in an Excel file."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yinfa.care.exports_aid import aid_totals
from yinfa.care.models import AidKind, AidStatus
from yinfa.care.tests.test_aid_helpers import Aid, apply, in_state, scope_of, today
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
S = AidStatus
TOTALS = reverse("care:aid_totals")


@pytest.fixture
def aid(world):
    return Aid(world)


@pytest.fixture
def year_of_aid(aid, world):
    """This year: a medical aid paid (2000 asked, 1500 granted and paid), a temporary aid approved (2000 asked,
    1500 granted), a widow's allowance rejected, a medical aid submitted for a person of the education bureau
    (800 asked); last year: one more, which does not count."""
    day = today()
    in_state(aid, S.PAID, applied_on=day)
    in_state(aid, S.APPROVED, kind=AidKind.TEMPORARY, applied_on=day)
    in_state(aid, S.REJECTED, kind=AidKind.WIDOW, reason="遗孀", applied_on=day)
    education = aid.other_unit.grants.get().node
    teacher = make_person(education, name="王老师")
    apply(aid, by=aid.bureau, person=teacher, amount="800.00", applied_on=day)
    apply(aid, kind=AidKind.EXTREME_HARDSHIP, applied_on=datetime.date(today().year - 1, 3, 1))
    return aid


def test_the_totals_per_kind_count_the_years_applications_and_their_amounts(year_of_aid):
    totals = aid_totals(scope_of(year_of_aid.bureau), today().year)
    by_kind = {f.key: f for f in totals.by_kind}
    assert [f.key for f in totals.by_kind] == list(AidKind.values)
    medical = by_kind[AidKind.MEDICAL]
    assert (medical.applications, medical.approved, medical.asked, medical.granted, medical.paid) == (
        2, 1, Decimal("2800.00"), Decimal("1500.00"), Decimal("1500.00"))
    temporary = by_kind[AidKind.TEMPORARY]
    assert (temporary.applications, temporary.approved, temporary.granted, temporary.paid) == (
        1, 1, Decimal("1500.00"), Decimal("0.00"))
    widow = by_kind[AidKind.WIDOW]
    assert (widow.applications, widow.approved, widow.granted) == (1, 0, Decimal("0.00"))
    assert by_kind[AidKind.EXTREME_HARDSHIP].applications == 0
    total = totals.total
    assert (total.applications, total.approved, total.asked, total.granted, total.paid) == (
        4, 2, Decimal("6800.00"), Decimal("3000.00"), Decimal("1500.00"))
    assert aid_totals(scope_of(year_of_aid.bureau), today().year - 1).total.applications == 1


def test_the_totals_per_organisation_split_the_scope_one_level_down(year_of_aid, world):
    totals = aid_totals(scope_of(year_of_aid.bureau), today().year)
    by_org = {f.label: f for f in totals.by_org}
    assert by_org["甲县财政局"].applications == 3 and by_org["甲县财政局"].paid == Decimal("1500.00")
    assert by_org["甲县教育局"].applications == 1 and by_org["甲县教育局"].asked == Decimal("800.00")
    assert by_org["城关镇"].applications == 0  # the people of the street count for their former unit first
    city = aid_totals(scope_of(year_of_aid.city), today().year)
    assert {(f.label, f.applications) for f in city.by_org} == {("甲县", 4), ("乙县", 0)}


def test_a_unit_sees_the_totals_of_its_own_retirees_and_the_sibling_county_none(year_of_aid):
    unit = aid_totals(scope_of(year_of_aid.unit), today().year)
    assert unit.total.applications == 3 and unit.by_org == []
    assert aid_totals(scope_of(year_of_aid.sibling), today().year).total.applications == 0


def test_the_totals_cost_three_queries_whatever_the_number_of_applications(aid, world):
    scope = scope_of(aid.bureau)
    apply(aid, applied_on=today())
    with CaptureQueriesContext(connection) as few:
        aid_totals(scope, today().year)
    for n in range(12):
        apply(aid, person=make_person(world.unit_a, name=f"老同志{n}"), kind=AidKind.TEMPORARY, applied_on=today(),
              by=aid.bureau)
    with CaptureQueriesContext(connection) as lots:
        aid_totals(scope, today().year)
    assert len(few) == len(lots) == 3


def test_the_totals_page_shows_the_year_and_exports_it(year_of_aid):
    client = login(year_of_aid.bureau)
    page = client.get(TOTALS)
    assert page.status_code == 200 and page.context["year"] == today().year
    body = page.content.decode()
    assert "¥6,800.00" in body and "甲县教育局" in body
    assert client.get(TOTALS, {"year": today().year - 1}).context["totals"].total.applications == 1
    assert client.get(TOTALS, {"year": "zz"}).context["year"] == today().year
    response = client.get(reverse("care:aid_totals_export"), {"year": today().year})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert ("Kind of aid", "Total", 4, 2, 6800, 3000, 1500) in rows
    assert ("Organisation", "甲县教育局", 1, 0, 800, 0, 0) in rows
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__filters={"year": today().year}).exists()


def test_the_sibling_countys_totals_page_shows_nothing_of_county_a(year_of_aid):
    body = login(year_of_aid.sibling).get(TOTALS).content.decode()
    assert "甲县财政局" not in body and "甲县教育局" not in body and 'data-testid="aid-totals-empty"' in body
