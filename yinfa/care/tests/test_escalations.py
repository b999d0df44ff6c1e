"""Escalations: on the second "no answer" in a row (not the first; an answer in between resets), on "needs help",
and for overdue contacts (the periodic job: once per missed due date, idempotent, not for ended assignments); the
community head, the person's unit and the carer are notified; the follow-up needs a text and closes it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yinfa.care.models import CareAssignment, Escalation, EscalationReason, EscalationStatus
from yinfa.care.services import escalations as services
from yinfa.care.tasks_contacts import escalate_overdue_contacts
from yinfa.care.tests.test_contacts_helpers import assign, care_fixture, log, scope_of  # noqa: F401
from yinfa.core.models import AuditAction, AuditEvent, Notification
from yinfa.core.permissions import Role
from yinfa.core.scheduling import REGISTRY
from yinfa.core.testing import make_user

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def recipients_of(escalation):
    return set(Notification.objects.filter(object_type="care.escalation", object_id=str(escalation.pk))
               .values_list("recipient_id", flat=True))


def overdue(assignment, days=1):
    CareAssignment.objects.filter(pk=assignment.pk).update(next_due_on=timezone.localdate() - days * DAY)


# --- two unanswered in a row ------------------------------------------------------------------------------------

def test_the_second_no_answer_in_a_row_escalates_and_notifies_the_right_people(care,
                                                                              django_capture_on_commit_callbacks):
    unit_head = care.world.unit_a_admin
    b_unit = make_user("b_unit_head", role=Role.UNIT_ADMIN, node=care.world.unit_b)
    assignment = assign(care)
    with django_capture_on_commit_callbacks(execute=True):
        _contact, opened = log(care, assignment, "no_answer")
    assert opened == [] and not Escalation.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        _contact, opened = log(care, assignment, "no_answer")
    escalation = opened[0]
    assert (escalation.reason, escalation.status, escalation.person) == (
        EscalationReason.NO_ANSWER, EscalationStatus.OPEN, care.alone)
    assert recipients_of(escalation) == {care.staff.pk, unit_head.pk, care.volunteer.pk}
    assert b_unit.pk not in recipients_of(escalation) and care.street_admin.pk not in recipients_of(escalation)
    note = Notification.objects.get(recipient=care.staff, object_type="care.escalation")
    assert "独居老人" in note.title and note.url == f"/care/escalations/{escalation.pk}/"
    assert AuditEvent.objects.filter(object_type="care.escalation", action=AuditAction.CREATE).count() == 1


def test_an_answer_in_between_resets_the_streak(care):
    assignment = assign(care)
    log(care, assignment, "no_answer")
    log(care, assignment, "well")
    log(care, assignment, "no_answer")
    assert assignment.unanswered_in_a_row == 1 and not Escalation.objects.exists()


def test_while_one_is_open_further_no_answers_do_not_open_another(care):
    assignment = assign(care)
    for _ in range(4):
        log(care, assignment, "no_answer")
    assert Escalation.objects.filter(reason=EscalationReason.NO_ANSWER).count() == 1
    assert assignment.unanswered_in_a_row == 4


def test_opening_twice_gives_the_open_one(care):
    assignment = assign(care)
    first, created = services.open_escalation(assignment=assignment, reason=EscalationReason.OVERDUE)
    again, created_again = services.open_escalation(assignment=assignment, reason=EscalationReason.OVERDUE)
    assert created and not created_again and first == again


# --- needs help -------------------------------------------------------------------------------------------------

def test_needs_help_escalates_at_once_with_what_is_needed(care, django_capture_on_commit_callbacks):
    assignment = assign(care)
    with django_capture_on_commit_callbacks(execute=True):
        _contact, opened = log(care, assignment, "needs_help", note="家里水管坏了")
    assert [e.reason for e in opened] == [EscalationReason.NEEDS_HELP]
    assert recipients_of(opened[0]) == {care.staff.pk, care.world.unit_a_admin.pk, care.volunteer.pk}
    assert "家里水管坏了" in Notification.objects.get(recipient=care.staff).body
    assert assignment.unanswered_in_a_row == 0 and assignment.last_contact_on == timezone.localdate()


# --- overdue: the periodic job ----------------------------------------------------------------------------------

def test_the_overdue_job_opens_one_escalation_and_a_second_run_adds_nothing(care,
                                                                           django_capture_on_commit_callbacks):
    late = assign(care)
    on_time = assign(care, care.dependent)
    due_today = assign(care, care.aged)
    overdue(late)
    CareAssignment.objects.filter(pk=due_today.pk).update(next_due_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        opened = services.escalate_overdue(today=timezone.localdate())
    assert [(e.assignment_id, e.reason) for e in opened] == [(late.pk, EscalationReason.OVERDUE)]
    assert recipients_of(opened[0]) == {care.staff.pk, care.world.unit_a_admin.pk, care.volunteer.pk}
    assert services.escalate_overdue(today=timezone.localdate()) == []
    assert Escalation.objects.count() == 1 and on_time.pk not in {e.assignment_id for e in opened}
    tomorrow = services.escalate_overdue(today=timezone.localdate() + DAY)  # due today: overdue tomorrow
    assert [e.assignment_id for e in tomorrow] == [due_today.pk]
    runs = AuditEvent.objects.filter(action=AuditAction.SYSTEM, object_type="care.escalation").order_by("pk")
    assert [event.detail["opened"] for event in runs] == [1, 1]  # the runs that opened nothing left no trace


def test_ended_assignments_and_the_deceased_are_not_escalated(care):
    ended = assign(care)
    overdue(ended)
    CareAssignment.objects.filter(pk=ended.pk).update(ended_on=timezone.localdate())
    died = assign(care, care.dependent)
    overdue(died)
    care.dependent.deceased_on = timezone.localdate()
    care.dependent.save()
    assert services.escalate_overdue(today=timezone.localdate()) == []


def overdue_followed_up(care, *, days_ago=0):
    """An assignment 3 days overdue, escalated, and followed up ``days_ago`` days ago with no contact logged."""
    assignment = assign(care)
    overdue(assignment, days=3)
    [escalation] = services.escalate_overdue(today=timezone.localdate())
    services.resolve_escalation(actor=care.staff, scope=care.staff_scope, escalation=escalation, follow_up="已上门")
    Escalation.objects.filter(pk=escalation.pk).update(resolved_at=timezone.now() - days_ago * DAY)
    return assignment, escalation


def test_after_the_follow_up_the_carer_has_a_new_interval_before_it_escalates_again(care):
    assignment, first = overdue_followed_up(care)
    today = timezone.localdate()
    assert assignment.interval_days == 7
    for day in range(8):  # the follow-up day and the 7 days after it: the grace
        assert services.escalate_overdue(today=today + day * DAY) == [], day
    [second] = services.escalate_overdue(today=today + 8 * DAY)  # still no contact: escalated again
    assert second.pk != first.pk and second.reason == EscalationReason.OVERDUE
    assert services.escalate_overdue(today=today + 9 * DAY) == []  # open: once


def test_a_followed_up_overdue_escalation_is_not_forgotten_however_long_ago(care):
    """Before, the follow-up silenced the job until a contact was logged: the person could be forgotten."""
    _assignment, first = overdue_followed_up(care, days_ago=30)
    [second] = services.escalate_overdue(today=timezone.localdate())
    assert second.pk != first.pk


@pytest.mark.parametrize("contact", [False, True])
def test_a_contact_logged_after_the_follow_up_keeps_it_from_escalating_again(care, contact):
    assignment, _first = overdue_followed_up(care, days_ago=3)  # the grace ends in 4 days
    if contact:
        log(care, assignment, "well")  # next due in 7 days
    opened = services.escalate_overdue(today=timezone.localdate() + 5 * DAY)
    assert len(opened) == (0 if contact else 1)
    if contact:  # the contact's own due date still counts
        assert len(services.escalate_overdue(today=timezone.localdate() + 8 * DAY)) == 1


def test_an_unanswered_call_after_the_follow_up_is_no_contact(care):
    assignment, _first = overdue_followed_up(care, days_ago=3)
    log(care, assignment, "no_answer")
    assert len(services.escalate_overdue(today=timezone.localdate() + 5 * DAY)) == 1


def test_the_grace_follows_the_latest_overdue_follow_up(care):
    assignment, first = overdue_followed_up(care, days_ago=20)
    [second] = services.escalate_overdue(today=timezone.localdate())
    services.resolve_escalation(actor=care.staff, scope=care.staff_scope, escalation=second, follow_up="又上门")
    assert services.escalate_overdue(today=timezone.localdate() + 7 * DAY) == []
    assert len(services.escalate_overdue(today=timezone.localdate() + 8 * DAY)) == 1


def test_a_followed_up_no_answer_escalation_gives_no_grace(care):
    assignment = assign(care)
    log(care, assignment, "no_answer")
    [no_answer] = log(care, assignment, "no_answer")[1]
    services.resolve_escalation(actor=care.staff, scope=care.staff_scope, escalation=no_answer, follow_up="已联系")
    overdue(assignment)
    assert [e.reason for e in services.escalate_overdue(today=timezone.localdate())] == [EscalationReason.OVERDUE]


def test_the_job_runs_every_six_hours_through_the_task(care):
    job = REGISTRY["care_escalations"]
    assert job.every == datetime.timedelta(hours=6) and job.task.module_path.endswith("escalate_overdue_contacts")
    overdue(assign(care))
    assert escalate_overdue_contacts.call() == 1
    assert escalate_overdue_contacts.call() == 0


def test_the_open_overdue_escalation_is_the_only_one(care):
    assignment = assign(care)
    overdue(assignment)
    services.open_escalation(assignment=assignment, reason=EscalationReason.OVERDUE)
    assert services.escalate_overdue(today=timezone.localdate()) == []
    assert Escalation.objects.count() == 1


# --- follow-up --------------------------------------------------------------------------------------------------

def escalation_of(care):
    assignment = assign(care)
    log(care, assignment, "no_answer")
    return log(care, assignment, "no_answer")[1][0]


@pytest.mark.parametrize("text", ["", "   "])
def test_the_follow_up_needs_a_text(care, text):
    escalation = escalation_of(care)
    with pytest.raises(ValidationError) as caught:
        services.resolve_escalation(actor=care.staff, scope=care.staff_scope, escalation=escalation, follow_up=text)
    assert "follow_up" in caught.value.message_dict
    escalation.refresh_from_db()
    assert escalation.status == EscalationStatus.OPEN


def test_recording_the_follow_up_keeps_who_and_when_and_is_audited(care, django_capture_on_commit_callbacks):
    escalation = escalation_of(care)
    with django_capture_on_commit_callbacks(execute=True):
        services.resolve_escalation(actor=care.world.unit_a_admin, scope=care.unit_scope, escalation=escalation,
                                    follow_up="单位派人上门，老人外出就医，已联系子女。")
    escalation.refresh_from_db()
    assert (escalation.status, escalation.resolved_by) == (EscalationStatus.RESOLVED, care.world.unit_a_admin)
    assert escalation.resolved_at is not None and escalation.follow_up.startswith("单位派人上门")
    event = AuditEvent.objects.get(object_type="care.escalation", action=AuditAction.UPDATE)
    assert event.changes["status"] == ["open", "resolved"] and event.personal_data
    assert Notification.objects.filter(recipient=care.volunteer, title__startswith="Followed up").exists()
    with pytest.raises(ValidationError):
        services.resolve_escalation(actor=care.staff, scope=care.staff_scope, escalation=escalation,
                                    follow_up="again")


def test_a_new_escalation_may_open_after_the_follow_up(care):
    escalation = escalation_of(care)
    services.resolve_escalation(actor=care.staff, scope=care.staff_scope, escalation=escalation, follow_up="已处理")
    assignment = escalation.assignment
    _contact, opened = log(care, assignment, "no_answer")  # the third in a row
    assert [e.reason for e in opened] == [EscalationReason.NO_ANSWER]


@pytest.mark.parametrize("who", ["volunteer", "county_b"])
def test_a_volunteer_or_someone_out_of_scope_cannot_record_the_follow_up(care, who):
    escalation = escalation_of(care)
    user = care.volunteer if who == "volunteer" else care.world.county_b_admin
    with pytest.raises(PermissionDenied):
        services.resolve_escalation(actor=user, scope=scope_of(user), escalation=escalation, follow_up="看过了")
