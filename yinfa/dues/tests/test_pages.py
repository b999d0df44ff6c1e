"""The dues pages: who sees what (a secretary only their branch, a sibling county 404), the branch grid in a
constant number of queries, the batch screen, members' pages, the statement, reports and exports."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.dues.models import DuesDecision, DuesPayment, PensionBase
from yinfa.dues.tests.helpers import TODAY, build, on
from yinfa.partylife.tests.factories import make_branch

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def dues(world):
    with on(TODAY):
        built = build(world, members=2)
        yield built


@pytest.fixture(autouse=True)
def _today():
    with on(TODAY):
        yield


def paid(person, branch, *months, amount="20.00"):
    for month in months:
        DuesPayment.objects.create(person=person, month=datetime.date(2026, month, 1), branch=branch,
                                   branch_path=branch.path, base=D("4000.00"), amount_due=D("20.00"),
                                   amount_paid=D(amount), paid_on=datetime.date(2026, month, 15))


def workbook_rows(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()


# --- who sees what ----------------------------------------------------------------------------------------------

def test_a_secretary_goes_straight_to_their_branch(dues):
    response = login(dues.secretary).get(reverse("dues:home"))
    assert response.status_code == 302 and response.url == reverse("dues:branch", args=[dues.branch.pk])


def test_a_secretary_sees_only_their_branch(dues):
    neighbour = make_branch(dues.world.unit_a, name="甲县财政局第二党支部")
    client = login(dues.secretary)
    assert client.get(reverse("dues:branch", args=[dues.branch.pk])).status_code == 200
    assert client.get(reverse("dues:branch", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("dues:batch", args=[neighbour.pk])).status_code == 404
    assert client.get(reverse("dues:branch", args=[dues.branch_b.pk])).status_code == 404


def test_the_sibling_county_gets_404_for_branches_members_and_payments(dues):
    paid(dues.members[0], dues.branch, 1)
    client = login(dues.world.county_b_admin)
    payment = DuesPayment.objects.get()
    for url in (reverse("dues:branch", args=[dues.branch.pk]), reverse("dues:member", args=[dues.members[0].pk]),
                reverse("dues:statement", args=[dues.members[0].pk]),
                reverse("dues:payment_void", args=[payment.pk]), reverse("dues:branch_export", args=[dues.branch.pk])):
        assert client.get(url).status_code == 404, url
    home = client.get(reverse("dues:home"))
    assert "甲县财政局" not in home.content.decode()
    assert "乙县教育局" in home.content.decode()


def test_a_role_without_the_dues_permission_is_refused(dues):
    assert login(dues.world.unit_a_admin).get(reverse("dues:home")).status_code == 403


def test_the_county_overview_lists_its_branches_with_this_years_figures(dues):
    late, punctual = dues.members
    paid(punctual, dues.branch, *range(1, 12))
    paid(late, dues.branch, 1, 2, 3, 4, 5, 6)
    response = login(dues.world.county_a_admin).get(reverse("dues:home"))
    branch = response.context["page"].object_list[0]
    assert branch.figures.members == 2
    assert branch.figures.due == D("440.00")  # 2 members × 11 months × 20.00
    assert branch.figures.paid == D("340.00")
    assert branch.figures.arrears_warning == 1 and branch.figures.arrears_escalated == 0
    assert "乙县" not in response.content.decode()


def test_the_overview_costs_the_same_queries_for_2_or_20_branches(dues, django_assert_max_num_queries):
    client = login(dues.world.county_a_admin)
    client.get(reverse("dues:home"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("dues:home"))
    for n in range(19):
        branch = make_branch(dues.world.unit_a, name=f"甲县财政局第{n + 3}党支部")
        dues.add_member(f"甲县老同志分{n}", branch=branch)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("dues:home"))
    assert len(response.context["page"].object_list) == 20


# --- the branch grid ----------------------------------------------------------------------------------------------

def test_the_grid_shows_paid_unpaid_waived_and_the_arrears_warnings(dues):
    late, punctual = dues.members
    very_late = dues.add_member("甲县老同志迟")
    paid(punctual, dues.branch, *range(1, 11))
    paid(late, dues.branch, *range(1, 8))
    paid(very_late, dues.branch, 1, 2, 3, 4, 5)
    DuesDecision.objects.create(person=punctual, branch=dues.branch, branch_path=dues.branch.path, kind="waive",
                                from_month=datetime.date(2026, 12, 1), decided_on=datetime.date(2026, 11, 1),
                                decision="支部委员会决定")
    response = login(dues.secretary).get(reverse("dues:branch", args=[dues.branch.pk]))
    rows = {row.person_id: row for row in response.context["grid"].rows}
    assert [cell.status for cell in rows[punctual.pk].cells[9:]] == ["paid", "open", "waived"]
    assert rows[late.pk].arrears.count == 3 and rows[very_late.pk].arrears.count == 5
    html = response.content.decode()
    assert 'data-level="warning"' in html and 'data-level="escalation"' in html
    assert "escalated to the work committee" in html
    grid = response.context["grid"]
    assert grid.month_paid[0] == D("60.00") and grid.month_due[10] == D("60.00")


def test_a_member_who_left_shows_not_a_member_after_leaving(dues):
    person = dues.members[0]
    person.memberships.update(ended_on=datetime.date(2026, 6, 1), left_by="transfer_out")
    response = login(dues.secretary).get(reverse("dues:branch", args=[dues.branch.pk]))
    row = next(r for r in response.context["grid"].rows if r.person_id == person.pk)
    assert row.arrears is None
    assert [cell.status for cell in row.cells[4:7]] == ["unpaid", "outside", "outside"]


def test_the_grid_costs_the_same_queries_for_2_or_20_members(dues, django_assert_max_num_queries):
    client = login(dues.secretary)
    url = reverse("dues:branch", args=[dues.branch.pk])
    for person in dues.members:
        paid(person, dues.branch, 1, 2)
    client.get(url)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for n in range(18):
        person = dues.add_member(f"甲县老同志{n + 10}")
        paid(person, dues.branch, 1, 2, 3)
        DuesDecision.objects.create(person=person, branch=dues.branch, branch_path=dues.branch.path, kind="reduce",
                                    monthly_amount=D("1.00"), from_month=datetime.date(2026, 4, 1),
                                    decided_on=datetime.date(2026, 3, 1), decision="支部委员会决定")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["grid"].rows) == 20


def test_the_grid_export_is_a_workbook_and_is_audited(dues):
    paid(dues.members[0], dues.branch, 1)
    response = login(dues.secretary).get(reverse("dues:branch_export", args=[dues.branch.pk]) + "?year=2026")
    rows = workbook_rows(response)
    assert rows[0][0] == "Name" and len(rows) == 1 + 2 + 2
    assert rows[1][1] == 20.0 or rows[2][1] == 20.0
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["filters"] == {"branch": dues.branch.pk, "year": 2026} and event.personal_data


# --- the batch screen -----------------------------------------------------------------------------------------------

def batch_url(dues, month="2026-11", months=1):
    return reverse("dues:batch", args=[dues.branch.pk]) + f"?month={month}&months={months}"


def test_the_batch_screen_ticks_the_unpaid_members_and_records_them(dues):
    first, second = dues.members
    paid(first, dues.branch, 11)
    client = login(dues.secretary)
    response = client.get(batch_url(dues))
    html = response.content.decode()
    assert f'name="pay_{second.pk}"' in html and f'name="pay_{first.pk}"' not in html
    assert f'name="amount_{second.pk}"' in html and 'value="20.00"' in html
    done = client.post(batch_url(dues), {"paid_on": "2026-11-20", f"pay_{second.pk}": "on",
                                         f"amount_{second.pk}": "20.00", f"method_{second.pk}": "transfer"},
                       follow=True)
    assert done.redirect_chain[-1][0].startswith(reverse("dues:branch", args=[dues.branch.pk]))
    payment = DuesPayment.objects.get(person=second)
    assert payment.method == "transfer" and payment.paid_on == datetime.date(2026, 11, 20)
    assert "1 payment recorded" in done.content.decode()


def test_the_batch_screen_refuses_a_different_amount_without_a_note(dues):
    person = dues.members[0]
    client = login(dues.secretary)
    response = client.post(batch_url(dues, months=3), {"paid_on": "2026-11-20", f"pay_{person.pk}": "on",
                                                         f"amount_{person.pk}": "50.00", f"method_{person.pk}": "cash"})
    assert response.status_code == 200
    assert "say why in the note" in response.content.decode()
    assert not DuesPayment.objects.exists()


def test_the_batch_screen_enforces_the_six_month_limits(dues):
    client = login(dues.secretary)
    for query in ("month=2026-11&months=7", "month=2027-06&months=1"):
        response = client.get(reverse("dues:batch", args=[dues.branch.pk]) + "?" + query)
        assert response.status_code == 200
        assert response.context["form"] is None
    assert "at most 6 months ahead" in client.get(batch_url(dues, "2027-06")).content.decode()


def test_the_batch_screen_costs_the_same_queries_for_2_or_20_members(dues, django_assert_max_num_queries):
    client = login(dues.secretary)
    client.get(batch_url(dues, months=3))
    with django_assert_max_num_queries(15) as few:
        client.get(batch_url(dues, months=3))
    for n in range(18):
        dues.add_member(f"甲县老同志{n + 10}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(batch_url(dues, months=3)).context["members"]) == 20


# --- members --------------------------------------------------------------------------------------------------------

def test_a_base_is_entered_on_the_members_page(dues):
    person = dues.members[0]
    client = login(dues.secretary)
    response = client.post(reverse("dues:base_create", args=[person.pk]),
                           {"effective_month": "2026-06", "amount": "5000.01", "note": "调整"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dues:member", args=[person.pk])
    assert PensionBase.objects.get(person=person, effective_month=datetime.date(2026, 6, 1)).amount == D("5000.01")
    assert "¥50.00" in response.content.decode()  # the monthly dues of the new base
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="dues.pensionbase").exists()


def test_a_decision_needs_its_text_and_shows_on_the_members_page(dues):
    person = dues.members[0]
    client = login(dues.secretary)
    url = reverse("dues:decision_create", args=[person.pk])
    response = client.post(url, {"kind": "waive", "from_month": "2026-09", "decided_on": "2026-08-30",
                                 "decision": ""})
    assert response.status_code == 200 and not DuesDecision.objects.exists()
    response = client.post(url, {"kind": "reduce", "from_month": "2026-09", "to_month": "2026-12",
                                 "decided_on": "2026-08-30", "decision": "支部委员会2026-08-30决定减交"}, follow=True)
    assert response.status_code == 200 and not DuesDecision.objects.exists()  # a reduction needs its amount
    client.post(url, {"kind": "reduce", "monthly_amount": "5", "from_month": "2026-09", "to_month": "2026-12",
                      "decided_on": "2026-08-30", "decision": "支部委员会2026-08-30决定减交"})
    decision = DuesDecision.objects.get()
    assert decision.branch == dues.branch and decision.monthly_amount == D("5.00")
    page = client.get(reverse("dues:member", args=[person.pk])).content.decode()
    assert "支部委员会2026-08-30决定减交" in page


def test_the_statement_lists_the_year_month_by_month_with_totals(dues):
    person = dues.members[0]
    PensionBase.objects.create(person=person, effective_month=datetime.date(2026, 6, 1), amount=D("5200.00"))
    paid(person, dues.branch, 1, 2, 3)
    response = login(dues.secretary).get(reverse("dues:statement", args=[person.pk]) + "?year=2026")
    rows = response.context["rows"]
    assert [row.due for row in rows[:5]] == [D("20.00")] * 5 and rows[5].due == D("52.00")
    assert response.context["total_paid"] == D("60.00")
    assert response.context["total_due"] == D("20.00") * 5 + D("52.00") * 7
    assert response.context["unpaid"] == 7  # April to October
    assert "statement-print.css" in response.content.decode()


def test_a_payment_is_voided_with_a_reason(dues):
    paid(dues.members[0], dues.branch, 1)
    payment = DuesPayment.objects.get()
    client = login(dues.secretary)
    url = reverse("dues:payment_void", args=[payment.pk])
    assert client.post(url, {"reason": ""}).status_code == 200
    response = client.post(url, {"reason": "重复录入"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dues:member", args=[payment.person_id])
    assert not DuesPayment.objects.exists()


# --- arrears and reports ----------------------------------------------------------------------------------------------

def test_the_arrears_list_shows_members_three_months_behind_and_exports_them(dues):
    late, punctual = dues.members
    paid(punctual, dues.branch, *range(1, 11))
    paid(late, dues.branch, *range(1, 6))
    client = login(dues.world.county_a_admin)
    response = client.get(reverse("dues:arrears"))
    assert [row.person_id for row in response.context["rows"]] == [late.pk]
    assert response.context["rows"][0].count == 5
    assert client.get(reverse("dues:arrears") + "?min=5").context["rows"][0].count == 5
    rows = workbook_rows(client.get(reverse("dues:arrears_export")))
    assert rows[1][0] == late.name and rows[1][2] == 5
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="dues.arrears").exists()


def test_the_scope_report_sums_payments_by_month_and_drills_down(dues):
    paid(dues.members[0], dues.branch, 1, 2)
    paid(dues.members[1], dues.branch, 1)
    client = login(dues.world.county_a_admin)
    response = client.get(reverse("dues:report") + "?year=2026")
    rows = response.context["report"].rows
    assert [row.name for row in rows] == ["甲县财政局"]
    assert rows[0].months[:3] == [D("40.00"), D("20.00"), D("0.00")] and rows[0].total == D("60.00")
    drilled = client.get(reverse("dues:report") + f"?year=2026&node={dues.world.unit_a.pk}")
    assert [row.pk for row in drilled.context["report"].rows] == [dues.branch.pk]
    assert drilled.context["report"].rows[0].in_arrears == 2
    sheet = workbook_rows(client.get(reverse("dues:report_export") + "?year=2026"))
    assert sheet[1][0] == "甲县财政局" and sheet[1][3] == 40.0
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="dues.duespayment").exists()
    assert client.get(reverse("dues:report") + f"?node={dues.world.county_b.pk}").status_code == 404


def test_the_scope_report_costs_the_same_queries_for_2_or_20_branches(dues, django_assert_max_num_queries):
    client = login(dues.world.county_a_admin)
    url = reverse("dues:report") + f"?year=2026&node={dues.world.unit_a.pk}"
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for n in range(19):
        branch = make_branch(dues.world.unit_a, name=f"甲县财政局第{n + 3}党支部")
        person = dues.add_member(f"甲县老同志分{n}", branch=branch)
        paid(person, branch, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["report"].rows) == 20
