"""The care contact pages: the carer's own list (made for a phone) and logging a contact; the scope's assignments
with the unassigned first, the Excel export, assigning and ending; the escalation dashboard and the follow-up; the
policy page. In scope and out of scope, with a constant number of queries."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from yinfa.care.models import CareAssignment, CareContact, CarePolicy, Condition, Escalation, EscalationStatus
from yinfa.care.services import contacts as contacts_services
from yinfa.care.services import escalations
from yinfa.care.tests.test_contacts_helpers import assign, care_fixture, log, moved_carer, scope_of  # noqa: F401
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.people.models import LivingStatus
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def url(name, *args):
    return reverse(f"care:{name}", args=args)


def text(response):
    return response.content.decode()


# --- the carer ------------------------------------------------------------------------------------------------

def test_the_carer_sees_their_own_people_most_overdue_first(care):
    first = assign(care)
    second = assign(care, care.dependent)
    assign(care, care.aged, carer=care.other_volunteer)
    CareAssignment.objects.filter(pk=second.pk).update(next_due_on=timezone.localdate() - 3 * DAY)
    response = login(care.volunteer).get(url("my_care"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["assignments"]] == [second.pk, first.pk]
    html = text(response)
    assert "高龄老人" not in html and "3 days overdue" in html
    assert html.count('data-testid="log-contact"') == 2 and "btn-lg w-100" in html


def test_a_carer_logs_a_contact_from_the_phone_page(care):
    assignment = assign(care)
    client = login(care.volunteer)
    page = client.get(url("contact_create", assignment.pk))
    assert page.status_code == 200 and 'name="outcome"' in text(page)
    response = client.post(url("contact_create", assignment.pk), {"method": "phone", "outcome": "well",
                                                                  "note": "一切安好"})
    assert response.status_code == 302 and response["Location"] == url("my_care")
    assignment.refresh_from_db()
    assert assignment.last_contact_on == timezone.localdate()
    assert CareContact.objects.get().note == "一切安好"


def test_the_second_no_answer_on_the_page_says_it_escalated(care):
    assignment = assign(care)
    client = login(care.volunteer)
    client.post(url("contact_create", assignment.pk), {"method": "phone", "outcome": "no_answer"})
    response = client.post(url("contact_create", assignment.pk), {"method": "phone", "outcome": "no_answer"},
                           follow=True)
    assert "Escalated (No answer twice in a row)" in text(response)
    assert Escalation.objects.filter(status=EscalationStatus.OPEN).count() == 1


def test_a_mistake_keeps_what_was_typed(care):
    assignment = assign(care)
    response = login(care.volunteer).post(url("contact_create", assignment.pk), {
        "method": "visit", "outcome": "needs_help", "note": ""})
    assert response.status_code == 200 and "Say what help is needed." in text(response)
    response = login(care.volunteer).post(url("contact_create", assignment.pk), {"method": "visit", "note": "留言"})
    assert response.status_code == 200 and "留言" in text(response) and not CareContact.objects.exists()


def test_the_carer_shows_the_number_to_call_with_a_button_and_it_is_audited(care):
    assignment = assign(care)
    client = login(care.volunteer)
    page = text(client.get(url("contact_create", assignment.pk)))
    assert 'data-testid="reveal-form"' in page and 'name="reveal_phone"' in page and "tel:" not in page
    response = client.post(url("contact_create", assignment.pk), {"reveal_phone": "1"})
    assert response.status_code == 200 and f'href="tel:{care.alone.phone}"' in text(response)
    assert "no-store" in response["Cache-Control"] and 'data-testid="contact-form"' in text(response)
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.detail["field"] == "phone" and event.actor == care.volunteer
    assert not CareContact.objects.exists()  # showing the number logs no contact


def test_a_get_never_reveals_the_number(care):
    """A link or an image on another site can make the browser GET the page: it shows the masked number only."""
    assignment = assign(care)
    response = login(care.volunteer).get(url("contact_create", assignment.pk), {"phone": "1"})
    assert response.status_code == 200 and care.alone.phone not in text(response) and "tel:" not in text(response)
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_the_reveal_needs_the_csrf_token(care):
    assignment = assign(care)
    client = login(care.volunteer)
    client.handler.enforce_csrf_checks = True
    response = client.post(url("contact_create", assignment.pk), {"reveal_phone": "1"})
    assert response.status_code == 403 and care.alone.phone not in text(response)
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_community_staff_without_the_reveal_permission_see_the_masked_number_only(care):
    assignment = assign(care)
    client = login(care.staff)
    assert 'name="reveal_phone"' not in text(client.get(url("contact_create", assignment.pk)))
    assert client.post(url("contact_create", assignment.pk), {"reveal_phone": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def end(care, assignment):
    contacts_services.end_assignment(actor=care.staff, scope=care.staff_scope, assignment=assignment)


def test_the_carer_reaches_the_contact_page_only_while_the_assignment_is_open(care):
    carer, client = moved_carer(care)
    assignment = assign(care, carer=carer)
    log(care, assignment, "well", note="老人说最近睡得好")
    assert not CareAssignment.objects.visible_to(scope_of(carer)).exists()  # reached as the carer only
    assert client.get(url("contact_create", assignment.pk)).status_code == 200
    end(care, assignment)
    page = client.get(url("contact_create", assignment.pk), {"phone": "1"})
    assert page.status_code == 404 and "老人说最近睡得好" not in text(page)
    assert client.post(url("contact_create", assignment.pk), {"reveal_phone": "1"}).status_code == 404
    assert client.post(url("contact_create", assignment.pk), {"method": "phone", "outcome": "well"}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_a_former_carer_of_the_same_community_is_refused_too(care):
    """The volunteer's community sees the assignment, but once it has ended they are not its carer any more."""
    assignment = assign(care)
    log(care, assignment, "well", note="老人说最近睡得好")
    end(care, assignment)
    client = login(care.volunteer)
    page = client.get(url("contact_create", assignment.pk))
    assert page.status_code == 403 and "老人说最近睡得好" not in text(page)
    assert client.post(url("contact_create", assignment.pk), {"reveal_phone": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_a_former_carer_who_is_community_staff_no_longer_reveals_the_number(care):
    """Community staff see the scope's assignments, but only the current carer reveals without PEOPLE_REVEAL."""
    assignment = assign(care, carer=care.staff)
    assert 'name="reveal_phone"' in text(login(care.staff).get(url("contact_create", assignment.pk)))
    assign(care, carer=care.volunteer, replace=True)
    client = login(care.staff)
    page = client.get(url("contact_create", assignment.pk))
    assert page.status_code == 200 and 'name="reveal_phone"' not in text(page)
    assert client.post(url("contact_create", assignment.pk), {"reveal_phone": "1"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_another_volunteer_may_not_log_for_someone_elses_person(care):
    assignment = assign(care)
    assert login(care.other_volunteer).get(url("contact_create", assignment.pk)).status_code == 403
    assert login(care.west_volunteer).get(url("contact_create", assignment.pk)).status_code == 404


# --- the scope's assignments ----------------------------------------------------------------------------------

def test_the_list_shows_the_unassigned_first_then_the_assignments_with_the_overdue_in_red(care):
    assignment = assign(care)
    CareAssignment.objects.filter(pk=assignment.pk).update(next_due_on=timezone.localdate() - 2 * DAY)
    response = login(care.staff).get(url("assignment_list"))
    html = text(response)
    assert html.index('data-testid="unassigned"') < html.index('data-testid="assignments"')
    unassigned = {p.name for p in response.context["unassigned"]}
    assert unassigned == {"失能老人", "高龄老人", "空巢老人"}  # 东门社区's residents (西门, 无社区 are not in scope)
    assert html.count('data-testid="assign"') == 3
    assert 'class="table-danger"' in html and "2 days overdue" in html


def test_the_list_is_scoped(care):
    assign(care)
    html = text(login(care.world.county_b_admin).get(url("assignment_list")))
    assert "独居老人" not in html and "失能老人" not in html and "乙县独居" in html


def test_the_list_filters_by_name_and_overdue(care):
    late = assign(care)
    assign(care, care.dependent)
    CareAssignment.objects.filter(pk=late.pk).update(next_due_on=timezone.localdate() - DAY)
    client = login(care.staff)
    assert [a.pk for a in client.get(url("assignment_list"), {"due": "overdue"}).context["assignments"]] == [late.pk]
    response = client.get(url("assignment_list"), {"q": "失能"})
    assert [a.person.name for a in response.context["assignments"]] == ["失能老人"]
    assert response.context["unassigned"] == []


def test_the_export_holds_the_unassigned_and_the_assignments_and_is_audited(care):
    assign(care)
    response = login(care.staff).get(url("assignment_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {(row[0], row[1]) for row in rows} == {("Unassigned", "失能老人"), ("Unassigned", "高龄老人"),
                                                   ("Unassigned", "空巢老人"), ("Assigned", "独居老人")}
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail["rows"] == 4 and event.personal_data


def test_assigning_from_the_page(care):
    client = login(care.staff)
    page = client.get(url("assignment_create"), {"person": care.alone.pk})
    assert page.status_code == 200 and "东门志愿者" in text(page) and "西门志愿者" not in text(page)
    response = client.post(url("assignment_create"), {"person": care.alone.pk, "carer": care.volunteer.pk,
                                                      "started_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert CareAssignment.objects.get().carer == care.volunteer


def test_reassigning_from_the_page_asks_to_confirm(care):
    assign(care)
    client = login(care.staff)
    values = {"person": care.alone.pk, "carer": care.other_volunteer.pk,
              "started_on": timezone.localdate().isoformat()}
    response = client.post(url("assignment_create"), values)
    assert response.status_code == 200 and CareAssignment.objects.count() == 1
    assert client.post(url("assignment_create"), {**values, "confirm_reassign": "on"}).status_code == 302
    assert CareAssignment.objects.get(ended_on__isnull=True).carer == care.other_volunteer


def test_a_person_out_of_scope_cannot_be_assigned(care):
    assert login(care.staff).get(url("assignment_create"), {"person": care.b_person.pk}).status_code == 404
    assert login(care.volunteer).get(url("assignment_create"), {"person": care.alone.pk}).status_code == 403


def test_ending_an_assignment_asks_to_confirm(care):
    assignment = assign(care)
    client = login(care.staff)
    page = client.get(url("assignment_end", assignment.pk))
    assert page.status_code == 200 and "will be listed as unassigned" in text(page)
    assignment.refresh_from_db()
    assert assignment.ended_on is None
    assert client.post(url("assignment_end", assignment.pk), {"confirm": "True"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.ended_on == timezone.localdate()


# --- escalations ----------------------------------------------------------------------------------------------

def open_one(care):
    assignment = assign(care)
    log(care, assignment, "no_answer")
    return log(care, assignment, "no_answer")[1][0]


def test_the_dashboard_lists_the_open_escalations_and_the_follow_up_closes_one(care):
    escalation = open_one(care)
    client = login(care.world.unit_a_admin)
    dashboard = client.get(url("escalation_list"))
    assert [e.pk for e in dashboard.context["escalations"]] == [escalation.pk]
    assert "No answer twice in a row" in text(dashboard)
    refused = client.post(url("escalation_resolve", escalation.pk), {"follow_up": "  "})
    assert refused.status_code == 200 and 'data-testid="resolve-form"' in text(refused)
    done = client.post(url("escalation_resolve", escalation.pk), {"follow_up": "单位已派人上门"})
    assert done.status_code == 302
    after = client.get(url("escalation_list"))
    assert after.context["escalations"] == [] and [e.pk for e in after.context["recent"]] == [escalation.pk]
    assert "单位已派人上门" in text(after)


def test_a_former_carer_no_longer_opens_the_escalations_of_the_person(care):
    carer, client = moved_carer(care)
    assignment = assign(care, carer=carer)
    log(care, assignment, "no_answer")
    escalation = log(care, assignment, "no_answer")[1][0]
    assert client.get(url("escalation_resolve", escalation.pk)).status_code == 200
    end(care, assignment)
    assert client.get(url("escalation_resolve", escalation.pk)).status_code == 404


def test_a_former_carer_of_the_same_community_no_longer_opens_the_escalation(care):
    escalation = open_one(care)
    end(care, escalation.assignment)
    assert login(care.volunteer).get(url("escalation_resolve", escalation.pk)).status_code == 403


def test_the_overdue_escalation_page_says_when_it_escalates_again(care):
    assignment = assign(care)
    CareAssignment.objects.filter(pk=assignment.pk).update(next_due_on=timezone.localdate() - 3 * DAY)
    [escalation] = escalations.escalate_overdue(today=timezone.localdate())
    page = text(login(care.staff).get(url("escalation_resolve", escalation.pk)))
    again = (timezone.localdate() + 7 * DAY).isoformat()
    assert 'data-testid="grace-help"' in page and again in page


def test_the_carer_opens_the_escalation_from_the_notification_but_cannot_close_it(care):
    escalation = open_one(care)
    client = login(care.volunteer)
    page = client.get(url("escalation_resolve", escalation.pk))
    assert page.status_code == 200 and 'data-testid="resolve-form"' not in text(page)
    assert client.post(url("escalation_resolve", escalation.pk), {"follow_up": "我来关闭"}).status_code == 403
    assert login(care.volunteer).get(url("escalation_list")).status_code == 403


@pytest.mark.parametrize("name", ["contact_create", "assignment_end", "escalation_resolve"])
def test_county_b_gets_404_for_county_a_objects(care, name):
    escalation = open_one(care)
    pk = escalation.pk if name == "escalation_resolve" else escalation.assignment_id
    client = login(care.world.county_b_admin)
    assert client.get(url(name, pk)).status_code == 404
    assert client.post(url(name, pk), {"follow_up": "x", "outcome": "well", "method": "phone"}).status_code == 404


def test_county_b_sees_nothing_of_county_a_on_the_lists(care):
    open_one(care)
    escalations.escalate_overdue(today=timezone.localdate() + 30 * DAY)
    client = login(care.world.county_b_admin)
    for name in ("my_care", "assignment_list", "assignment_export", "escalation_list", "policy_list"):
        response = client.get(url(name))
        assert response.status_code == 200
        if response["Content-Type"].startswith("application/vnd"):
            book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
            body = " ".join(str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row)
        else:
            body = text(response)
        for marker in ("独居老人", "东门社区", "东门志愿者"):
            assert marker not in body, (name, marker)


# --- policies -------------------------------------------------------------------------------------------------

def test_the_policy_page_shows_where_each_rule_comes_from(care):
    CarePolicy.objects.create(node=care.world.county_a, node_path=care.world.county_a.path,
                              condition=Condition.EMPTY_NEST, interval_days=10)
    response = login(care.staff).get(url("policy_list"))
    rows = {entry["rule"].condition: entry for entry in response.context["entries"]}
    assert rows[Condition.EMPTY_NEST]["rule"].source_name == "甲县" and rows[Condition.ALONE]["rule"].is_default
    html = text(response)
    assert "Default (7 days)" in html and 'data-testid="policy-form-alone"' in html


def test_a_community_administrator_edits_the_policy_and_a_unit_administrator_only_reads(care):
    client = login(care.staff)
    response = client.post(url("policy_list"), {"condition": "alone", "interval_days": "5", "action": "save"})
    assert response.status_code == 302
    row = CarePolicy.objects.get()
    assert (row.node, row.interval_days, row.active) == (care.world.community_a, 5, False)  # box not ticked: off
    client.post(url("policy_list"), {"condition": "alone", "interval_days": "5", "active": "on"})
    row.refresh_from_db()
    assert row.active
    wrong = client.post(url("policy_list"), {"condition": "alone", "interval_days": "90", "active": "on"})
    assert wrong.status_code == 200 and 'value="90"' in text(wrong)
    client.post(url("policy_list"), {"condition": "alone", "action": "inherit"})
    assert not CarePolicy.objects.exists()
    unit = login(care.world.unit_a_admin)
    assert unit.get(url("policy_list")).status_code == 200
    assert 'data-testid="policy-form-alone"' not in text(unit.get(url("policy_list")))
    assert unit.post(url("policy_list"), {"condition": "alone", "interval_days": "5"}).status_code == 403


# --- a constant number of queries -----------------------------------------------------------------------------

def grow(care, count):
    for n in range(count):
        person = make_person(care.world.unit_a, name=f"独居{n}", community=care.world.community_a,
                             living_status=LivingStatus.ALONE)
        make_person(care.world.unit_a, name=f"空巢{n}", community=care.world.community_a,
                    living_status=LivingStatus.EMPTY_NEST)
        assignment = assign(care, person)
        log(care, assignment, "no_answer")
        log(care, assignment, "no_answer")


@pytest.mark.parametrize("name,user", [("assignment_list", "staff"), ("escalation_list", "staff"),
                                       ("my_care", "volunteer"), ("policy_list", "staff")])
def test_the_pages_run_a_constant_number_of_queries(care, name, user, django_assert_max_num_queries):
    def load(count):
        Escalation.objects.all().delete()
        CareContact.objects.all().delete()
        CareAssignment.objects.all().delete()
        grow(care, count)
        client = login(getattr(care, user))
        client.get(url(name))
        with django_assert_max_num_queries(20) as captured:
            response = client.get(url(name))
        assert response.status_code == 200
        return len(captured)

    assert load(2) == load(20)
