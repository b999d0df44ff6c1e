"""The compliance pages: the tree one level at a time (sums, colours with percentages, drill-down, breadcrumb),
the branch's periods and missing meetings, scope (404 outside), the Excel export, and constant query counts."""

import datetime
import html
import io
import zoneinfo
from types import SimpleNamespace

import openpyxl
import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from yinfa.core.models import AuditAction, AuditEvent, Job, OrgKind
from yinfa.core.permissions import Role
from yinfa.core.testing import login, make_node, make_user
from yinfa.partylife.models import ComplianceRule, MeetingKind
from yinfa.partylife.periods import Frequency
from yinfa.partylife.services import compliance
from yinfa.partylife.tests.compliance_factories import make_branch, make_meeting

pytestmark = pytest.mark.django_db

D = datetime.date
NOW = datetime.datetime(2026, 7, 15, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tree(world):
    """Two rules (monthly committee, quarterly lecture); in county A a unit branch and two community branches,
    in county B one branch. By 15 July: 6 months and 2 quarters are due."""
    ComplianceRule.objects.update(active=False)
    ComplianceRule.objects.create(name="支委会每月", meeting_kind=MeetingKind.COMMITTEE, frequency=Frequency.MONTH)
    ComplianceRule.objects.create(name="党课每季度", meeting_kind=MeetingKind.LECTURE, frequency=Frequency.QUARTER)
    finance = make_branch(world.unit_a, "甲县财政局离退休第一支部")
    east_1 = make_branch(world.community_a, "东门社区第一支部")
    east_2 = make_branch(world.community_a, "东门社区第二支部")
    other = make_branch(world.unit_b, "乙县教育局离退休支部")
    for month in range(1, 7):  # finance: every committee meeting, both lectures: 8 / 8
        make_meeting(finance, MeetingKind.COMMITTEE, D(2026, month, 10))
    make_meeting(finance, MeetingKind.LECTURE, D(2026, 2, 10))
    make_meeting(finance, MeetingKind.LECTURE, D(2026, 5, 10))
    for month in (1, 2, 4):  # east_1: 3 committee meetings, one of them late: 3 / 8
        make_meeting(east_1, MeetingKind.COMMITTEE, D(2026, month, 10))
    make_meeting(east_1, MeetingKind.COMMITTEE, D(2026, 6, 3), counts_month=5)
    make_meeting(east_2, MeetingKind.COMMITTEE, D(2026, 3, 9), qualifies=False)  # east_2: 0 / 8
    make_meeting(other, MeetingKind.COMMITTEE, D(2026, 1, 9))
    compliance.refresh(year=2026)
    return SimpleNamespace(world=world, finance=finance, east_1=east_1, east_2=east_2, other=other)


def zh(msgid, **values):
    """The message as the (Chinese) pages show it."""
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(msgid)
    return text % values if values else text


def tree_url(node, year=2026):
    return f"{reverse('partylife:compliance')}?node={node.pk}&year={year}"


def rows_of(response):
    return {row.node.name: row for row in response.context["summary"].rows}


def test_the_county_shows_each_child_holding_branches_with_its_sums(tree):
    response = login(tree.world.county_a_admin).get(tree_url(tree.world.county_a))
    assert response.status_code == 200
    rows = rows_of(response)
    assert set(rows) == {"甲县财政局", "城关镇"}
    finance, town = rows["甲县财政局"], rows["城关镇"]
    assert (finance.branches, finance.held, finance.expected, finance.on_time) == (1, 8, 8, 8)
    assert (town.branches, town.held, town.expected, town.on_time) == (2, 4, 16, 3)
    assert (finance.rate, finance.band, town.rate, town.band) == (100, "good", 25, "poor")
    total = response.context["summary"].total
    assert (total.branches, total.held, total.expected) == (3, 12, 24)
    body = response.content.decode()
    assert "100%" in body and "25%" in body and "50%" in body  # the rate is printed, not only coloured
    assert 'data-testid="legend"' in body
    assert "乙县教育局" not in body


def test_drilling_down_reaches_the_branches_with_links_to_their_periods(tree):
    client = login(tree.world.county_a_admin)
    town = client.get(tree_url(tree.world.street_a))
    assert list(rows_of(town)) == ["东门社区"]
    community = client.get(tree_url(tree.world.community_a))
    rows = rows_of(community)
    assert set(rows) == {"东门社区第一支部", "东门社区第二支部"}
    assert all(row.is_branch for row in rows.values())
    body = community.content.decode()
    assert reverse("partylife:compliance_branch", args=[tree.east_1.pk]) in body
    crumbs = [node.name for node, _url in community.context["crumbs"]]
    assert crumbs == ["甲县", "城关镇", "东门社区"]


def test_the_breadcrumb_starts_at_the_scope_not_above_it(tree):
    response = login(tree.world.community_a_admin).get(reverse("partylife:compliance"))
    assert [node.name for node, _url in response.context["crumbs"]] == ["东门社区"]
    assert "测试市委老干部局" not in response.content.decode()


def test_ordering_by_rate_puts_the_lowest_first(tree):
    response = login(tree.world.county_a_admin).get(tree_url(tree.world.county_a) + "&order=rate")
    assert [row.node.name for row in response.context["summary"].rows] == ["城关镇", "甲县财政局"]


def test_a_node_outside_the_scope_answers_404(tree):
    client = login(tree.world.county_a_admin)
    assert client.get(tree_url(tree.world.county_b)).status_code == 404
    assert client.get(tree_url(tree.world.unit_b)).status_code == 404
    assert client.get(f"{reverse('partylife:compliance')}?node=999999").status_code == 404
    assert client.get(f"{reverse('partylife:compliance')}?node=abc").status_code == 404


def test_a_sibling_county_gets_404_for_a_branch_page(tree):
    response = login(tree.world.county_b_admin).get(reverse("partylife:compliance_branch", args=[tree.finance.pk]))
    assert response.status_code == 404
    assert "甲县财政局" not in response.content.decode()


def test_a_branch_secretary_is_taken_to_their_branch(tree):
    secretary = make_user("east_secretary", role=Role.BRANCH_SECRETARY, node=tree.east_1.node)
    client = login(secretary)
    response = client.get(reverse("partylife:compliance"))
    assert response.status_code == 302
    assert response["Location"] == reverse("partylife:compliance_branch", args=[tree.east_1.pk]) + "?year=2026"
    assert client.get(reverse("partylife:compliance_branch", args=[tree.east_2.pk])).status_code == 404


def test_the_branch_page_shows_each_period_and_lists_the_missing_ones_in_words(tree):
    response = login(tree.world.county_a_admin).get(reverse("partylife:compliance_branch", args=[tree.east_1.pk]))
    assert response.status_code == 200
    rows = {row.rule.name: row for row in response.context["rows"]}
    states = [cell.state for cell in rows["支委会每月"].cells]
    assert states == ["on_time", "on_time", "missing", "on_time", "late", "missing"] + ["not_due"] * 6
    assert [cell.state for cell in rows["党课每季度"].cells] == ["missing", "missing", "not_due", "not_due"]
    body = html.unescape(response.content.decode())
    committee, lecture = zh(MeetingKind.COMMITTEE.label), zh(MeetingKind.LECTURE.label)
    for words in (f"2026年3月 {committee}", f"2026年6月 {committee}", f"2026年第1季度 {lecture}"):
        assert words in body
    assert f"2026年7月 {committee}" not in body  # not due yet
    totals = response.context["totals"]
    assert (totals.held, totals.expected, totals.on_time) == (4, 8, 3)
    try:
        record = reverse("partylife:meeting_create")
    except NoReverseMatch:
        record = None
    if record:
        assert f"{record}?branch={tree.east_1.pk}" in body


def test_a_meeting_recorded_without_attendance_or_minutes_is_shown_as_not_counted(tree):
    response = login(tree.world.county_a_admin).get(reverse("partylife:compliance_branch", args=[tree.east_2.pk]))
    march = response.context["rows"][0].cells[2]
    assert march.state == "missing" and len(march.unqualified) == 1
    assert zh("recorded, but attendance or minutes are missing") in html.unescape(response.content.decode())


def test_a_branch_opened_later_shows_its_earlier_periods_as_not_open(tree):
    late = make_branch(tree.world.community_a, "东门社区新支部", opened_on=D(2026, 5, 20))
    response = login(tree.world.county_a_admin).get(reverse("partylife:compliance_branch", args=[late.pk]))
    states = [cell.state for cell in response.context["rows"][0].cells]
    assert states[:6] == ["closed"] * 4 + ["missing", "missing"]


def test_a_branch_not_open_in_the_year_says_so(tree):
    old = make_branch(tree.world.community_a, "东门社区旧支部", closed_on=D(2025, 6, 1))
    response = login(tree.world.county_a_admin).get(reverse("partylife:compliance_branch", args=[old.pk]))
    assert response.context["not_open"]
    assert 'data-testid="branch-not-open"' in response.content.decode()


def test_an_empty_year_says_what_to_do(tree):
    response = login(tree.world.county_a_admin).get(tree_url(tree.world.county_a, year=2024))
    assert 'data-testid="compliance-empty"' in response.content.decode()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_tree_page_runs_the_same_queries_for_2_and_20_children(tree):
    world = tree.world
    client = login(world.county_a_admin)
    county = make_node(world.city, OrgKind.DISTRICT, "甲县新区")
    make_user("new_admin", role=Role.BUREAU_ADMIN, node=county)
    for n in range(2):
        make_branch(make_node(county, OrgKind.UNIT, f"新区单位{n}"), f"新区支部{n}")
    compliance.refresh(year=2026)
    admin = login(world.city_admin)
    few = count_queries(admin, tree_url(county))
    for n in range(2, 20):
        unit = make_node(county, OrgKind.UNIT, f"新区单位{n}")
        branch = make_branch(unit, f"新区支部{n}")
        make_meeting(branch, MeetingKind.COMMITTEE, D(2026, 3, 3))
    compliance.refresh(year=2026)
    many = count_queries(admin, tree_url(county))
    assert len(admin.get(tree_url(county)).context["summary"].rows) == 20
    assert many == few
    assert count_queries(client, tree_url(world.county_a)) == few


def test_the_branch_page_runs_the_same_queries_for_2_and_20_meetings(tree):
    client = login(tree.world.county_a_admin)
    url = reverse("partylife:compliance_branch", args=[tree.east_2.pk])
    make_meeting(tree.east_2, MeetingKind.LECTURE, D(2026, 1, 5))
    few = count_queries(client, url)
    for day in range(1, 19):
        make_meeting(tree.east_2, MeetingKind.COMMITTEE, D(2026, 1 + day % 6, day))
    assert count_queries(client, url) == few


# --- export -----------------------------------------------------------------------------------------------------

def workbook_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_export_has_one_row_per_branch_of_the_subtree_and_is_audited(tree):
    response = login(tree.world.county_a_admin).post(reverse("partylife:compliance_export"),
                                                     {"node": tree.world.county_a.pk, "year": 2026})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(response)
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[:2] == [zh("Branch"), zh("Organisations above the branch")]
    assert zh("%(rule)s: held", rule="支委会每月") in header and zh("%(rule)s: expected", rule="党课每季度") in header
    by_name = {row[0]: row for row in body}
    assert set(by_name) == {"甲县财政局离退休第一支部", "东门社区第一支部", "东门社区第二支部"}
    east = by_name["东门社区第一支部"]
    assert east[1] == "城关镇 / 东门社区"
    assert east[2:6] == [4, 6, 0, 2]  # committee held/expected, lecture held/expected
    assert east[6:10] == [4, 8, 4, 3]
    assert total[-6:-2] == [12, 24, 12, 11]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["filters"] == {"node": tree.world.county_a.pk, "year": 2026}


def test_a_large_export_runs_as_a_job(tree, monkeypatch):
    monkeypatch.setattr("yinfa.partylife.views.compliance.DIRECT_EXPORT_LIMIT", 1)
    client = login(tree.world.county_a_admin)
    response = client.post(reverse("partylife:compliance_export"), {"node": tree.world.county_a.pk, "year": 2026})
    job = Job.objects.get(kind="compliance_export")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.uid])
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, detail__job=str(job.uid)).exists()
    from yinfa.partylife.tasks_compliance import export_compliance

    export_compliance.call(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["rows"] == 3


def test_the_export_of_a_node_outside_the_scope_answers_404(tree):
    response = login(tree.world.county_a_admin).post(reverse("partylife:compliance_export"),
                                                     {"node": tree.world.county_b.pk, "year": 2026})
    assert response.status_code == 404

