"""The compliance API: the stored rows in scope (filters, detail with the periods decoded), the tree summary, and
404 outside the scope."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from yinfa.core.testing import login
from yinfa.partylife.models import BranchCompliance, ComplianceRule, MeetingKind
from yinfa.partylife.periods import Frequency
from yinfa.partylife.services import compliance
from yinfa.partylife.tests.compliance_factories import make_branch, make_meeting

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 7, 15, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
                             tick=False):
        yield


@pytest.fixture
def rows(world):
    ComplianceRule.objects.update(active=False)
    ComplianceRule.objects.create(name="支委会每月", meeting_kind=MeetingKind.COMMITTEE, frequency=Frequency.MONTH)
    finance = make_branch(world.unit_a, "甲县财政局离退休第一支部")
    east = make_branch(world.community_a, "东门社区第一支部")
    other = make_branch(world.unit_b, "乙县教育局支部")
    for month in (1, 2, 3):
        make_meeting(finance, MeetingKind.COMMITTEE, D(2026, month, 10))
    make_meeting(east, MeetingKind.COMMITTEE, D(2026, 2, 3), counts_month=1)
    make_meeting(finance, MeetingKind.COMMITTEE, D(2025, 5, 10))
    compliance.refresh(year=2026)
    compliance.refresh(year=2025)
    return {"finance": finance, "east": east, "other": other}


def test_the_list_holds_the_rows_in_scope_with_their_figures(world, rows):
    response = login(world.county_a_admin).get(reverse("party-compliance-list"), {"year": 2026})
    assert response.status_code == 200
    results = {row["branch_name"]: row for row in response.json()["results"]}
    assert set(results) == {"甲县财政局离退休第一支部", "东门社区第一支部"}
    finance = results["甲县财政局离退休第一支部"]
    assert (finance["held"], finance["expected"], finance["missing"], finance["rate"], finance["band"]) == (
        3, 6, 3, 50, "poor")
    assert finance["branch"] == rows["finance"].pk and finance["year"] == 2026


def test_the_list_filters_by_branch_and_year(world, rows):
    client = login(world.county_a_admin)
    response = client.get(reverse("party-compliance-list"), {"branch": rows["finance"].pk})
    assert sorted(row["year"] for row in response.json()["results"]) == [2025, 2026]
    assert client.get(reverse("party-compliance-list"), {"year": "abc"}).status_code == 400


def test_the_detail_decodes_the_periods_of_each_rule(world, rows):
    row = BranchCompliance.objects.get(branch=rows["east"], year=2026)
    response = login(world.county_a_admin).get(reverse("party-compliance-detail", args=[row.pk]))
    assert response.status_code == 200
    rule, = response.json()["rules"]
    assert rule["name"] == "支委会每月" and rule["frequency"] == "month"
    states = [period["state"] for period in rule["periods"]]
    assert states == ["late"] + ["missing"] * 5 + ["not_due"] * 6
    assert rule["periods"][0]["label"] == "2026年1月"


def test_a_row_outside_the_scope_answers_404(world, rows):
    row = BranchCompliance.objects.get(branch=rows["finance"], year=2026)
    response = login(world.county_b_admin).get(reverse("party-compliance-detail", args=[row.pk]))
    assert response.status_code == 404
    listed = login(world.county_b_admin).get(reverse("party-compliance-list")).json()["results"]
    assert {item["branch_name"] for item in listed} == {"乙县教育局支部"}  # 2025 and 2026


def test_the_summary_aggregates_the_children_of_a_node(world, rows):
    client = login(world.county_a_admin)
    response = client.get(reverse("party-compliance-summary"), {"node": world.county_a.pk, "year": 2026})
    assert response.status_code == 200
    data = response.json()
    children = {child["name"]: child for child in data["children"]}
    assert set(children) == {"甲县财政局", "城关镇"}
    assert (children["城关镇"]["held"], children["城关镇"]["on_time"], children["城关镇"]["expected"]) == (1, 0, 6)
    assert data["total"]["held"] == 4 and data["total"]["expected"] == 12 and data["total"]["rate"] == 33
    default = client.get(reverse("party-compliance-summary")).json()  # the scope's node, the current year
    assert default["node"] == world.county_a.pk and default["year"] == 2026


def test_the_summary_of_a_node_outside_the_scope_answers_404(world, rows):
    response = login(world.county_a_admin).get(reverse("party-compliance-summary"), {"node": world.county_b.pk})
    assert response.status_code == 404


def test_the_api_needs_the_party_view(world, rows):
    assert login(world.security_admin).get(reverse("party-compliance-list")).status_code == 403


def test_the_list_pages_through_every_row_in_tree_order(world, rows):
    client = login(world.city_admin)
    seen, url = [], reverse("party-compliance-list") + "?page_size=1"
    while url:
        page = client.get(url).json()
        seen += [(row["branch_name"], row["year"]) for row in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == BranchCompliance.objects.count() == 6
