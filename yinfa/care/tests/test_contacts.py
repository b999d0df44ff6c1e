"""Assigning vulnerable people to carers (who may care, one open assignment each, handing over, ending) and
logging contacts (the cached last contact, next due date and no-answer streak)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from yinfa.care import policies
from yinfa.care.models import CareAssignment, CareContact
from yinfa.care.services import contacts as services
from yinfa.care.tests.test_contacts_helpers import assign, care_fixture, log, scope_of  # noqa: F401
from yinfa.core.models import AuditAction, AuditEvent, Notification, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.testing import make_user

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def unassigned_names(scope):
    return set(policies.unassigned(scope, timezone.localdate()).values_list("name", flat=True))


# --- who may care ---------------------------------------------------------------------------------------------

def test_the_candidates_are_community_staff_and_volunteers_at_the_persons_community_or_above(care):
    county = {user_id for user_id, _label in services.carer_choices(care.county_scope, care.alone)}
    assert county == {care.staff.pk, care.volunteer.pk, care.other_volunteer.pk, care.street_admin.pk}
    labels = dict(services.carer_choices(care.county_scope, care.alone))
    assert labels[care.volunteer.pk] == "东门志愿者 · Volunteer · 东门社区"


def test_a_community_picks_among_its_own_carers_only(care):
    mine = {user_id for user_id, _label in services.carer_choices(care.staff_scope, care.alone)}
    assert mine == {care.staff.pk, care.volunteer.pk, care.other_volunteer.pk}


def test_a_unit_picks_within_the_organisation_it_shares_with_the_community(care):
    unit = {user_id for user_id, _label in services.carer_choices(care.unit_scope, care.alone)}
    assert unit == {care.staff.pk, care.volunteer.pk, care.other_volunteer.pk, care.street_admin.pk}


def test_disabled_accounts_and_ended_roles_cannot_care(care):
    care.other_volunteer.is_active = False
    care.other_volunteer.save()
    RoleGrant.objects.filter(user=care.street_admin).update(revoked_at=timezone.now())
    county = {user_id for user_id, _label in services.carer_choices(care.county_scope, care.alone)}
    assert county == {care.staff.pk, care.volunteer.pk}


@pytest.mark.parametrize("who", ["west_volunteer", "b_volunteer", "unit_admin"])
def test_someone_of_another_community_or_without_a_carer_role_is_refused(care, who):
    carer = care.world.unit_a_admin if who == "unit_admin" else getattr(care, who)
    with pytest.raises(ValidationError) as caught:
        assign(care, carer=carer, actor=care.world.county_a_admin)
    assert "carer" in caught.value.message_dict


# --- assigning ------------------------------------------------------------------------------------------------

def test_assigning_sets_the_first_due_date_notifies_the_carer_and_is_audited(care, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assignment = assign(care)
    today = timezone.localdate()
    assert (assignment.carer, assignment.interval_days, assignment.started_on, assignment.next_due_on) == (
        care.volunteer, 7, today, today + 7 * DAY)
    assert assignment.last_contact_on is None and assignment.unanswered_in_a_row == 0
    note = Notification.objects.get(recipient=care.volunteer)
    assert "独居老人" in note.title and note.url == "/care/my-care/"
    event = AuditEvent.objects.get(object_type="care.careassignment", action=AuditAction.CREATE)
    assert event.personal_data and event.actor == care.staff


def test_an_assigned_person_leaves_the_unassigned_list(care):
    assert "独居老人" in unassigned_names(care.staff_scope)
    assign(care)
    assert "独居老人" not in unassigned_names(care.staff_scope)
    assert "乙县独居" not in unassigned_names(care.staff_scope)  # another county
    assert "乙县独居" in unassigned_names(scope_of(care.world.county_b_admin))


def test_the_unassigned_list_is_one_query(care, django_assert_num_queries):
    policy_set = policies.PolicySet([])
    with django_assert_num_queries(1):
        rows = list(policies.unassigned(care.county_scope, timezone.localdate(), policy_set))
    assert {p.name for p in rows} == {"独居老人", "失能老人", "高龄老人", "空巢老人", "西门空巢", "无社区独居"}


def test_a_person_has_one_open_assignment_and_the_database_holds_to_it(care):
    first = assign(care)
    with pytest.raises(ValidationError):
        assign(care)  # the same carer again
    with pytest.raises(IntegrityError), transaction.atomic():
        CareAssignment.objects.create(person=care.alone, carer=care.staff, interval_days=7,
                                      started_on=first.started_on, next_due_on=first.next_due_on)


def test_handing_over_ends_the_old_assignment_and_keeps_the_last_contact(care):
    first = assign(care)
    log(care, first, "well")
    with pytest.raises(ValidationError) as caught:
        assign(care, carer=care.other_volunteer)  # not confirmed: refused
    assert "person" in caught.value.message_dict
    second = assign(care, carer=care.other_volunteer, replace=True)
    first.refresh_from_db()
    assert first.ended_on == timezone.localdate()
    assert second.ended_on is None and second.last_contact_on == first.last_contact_on
    assert second.next_due_on == first.last_contact_on + 7 * DAY
    assert CareAssignment.objects.filter(person=care.alone, ended_on__isnull=True).get() == second


def test_the_new_assignment_cannot_start_before_the_current_one(care):
    assign(care)
    with pytest.raises(ValidationError) as caught:
        assign(care, carer=care.other_volunteer, started_on=timezone.localdate() - DAY, replace=True)
    assert "started_on" in caught.value.message_dict


@pytest.mark.parametrize("who", ["ordinary", "dead", "no_community"])
def test_nobody_is_assigned_who_matches_no_policy_has_died_or_has_no_community(care, who):
    with pytest.raises(ValidationError) as caught:
        assign(care, getattr(care, who), actor=care.world.county_a_admin)
    assert "person" in caught.value.message_dict


def test_only_care_managers_who_see_the_person_assign(care):
    with pytest.raises(PermissionDenied):
        assign(care, actor=care.volunteer)
    with pytest.raises(PermissionDenied):
        assign(care, actor=care.world.county_b_admin)


def test_ending_an_assignment_lists_the_person_as_unassigned_again(care, django_capture_on_commit_callbacks):
    assignment = assign(care)
    with django_capture_on_commit_callbacks(execute=True):
        services.end_assignment(actor=care.staff, scope=care.staff_scope, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.ended_on == timezone.localdate()
    assert "独居老人" in unassigned_names(care.staff_scope)
    assert Notification.objects.filter(recipient=care.volunteer, title__contains="no longer").exists()
    with pytest.raises(ValidationError):
        services.end_assignment(actor=care.staff, scope=care.staff_scope, assignment=assignment)


# --- logging contacts -----------------------------------------------------------------------------------------

def test_an_answered_contact_moves_the_next_due_date_and_resets_the_streak(care):
    assignment = assign(care)
    log(care, assignment, "no_answer")
    assert assignment.unanswered_in_a_row == 1
    contact, _opened = log(care, assignment, "well", method="visit", note="身体很好")
    today = timezone.localdate()
    assert (assignment.last_contact_on, assignment.next_due_on, assignment.unanswered_in_a_row) == (
        today, today + 7 * DAY, 0)
    assert (contact.person, contact.carer, contact.method, contact.note) == (care.alone, care.volunteer, "visit",
                                                                           "身体很好")
    assert AuditEvent.objects.filter(object_type="care.carecontact", action=AuditAction.CREATE).count() == 2


def test_a_no_answer_does_not_move_the_next_due_date(care):
    assignment = assign(care)
    due = assignment.next_due_on
    log(care, assignment, "no_answer")
    assert (assignment.last_contact_on, assignment.next_due_on, assignment.unanswered_in_a_row) == (None, due, 1)


def test_a_contact_logged_late_does_not_move_the_last_contact_back(care):
    assignment = assign(care, started_on=timezone.localdate() - 10 * DAY)
    log(care, assignment, "well")
    log(care, assignment, "well", contacted_at=timezone.now() - 3 * DAY)
    assert assignment.last_contact_on == timezone.localdate()


def test_staff_of_the_scope_may_log_and_are_recorded_as_themselves(care):
    assignment = assign(care)
    contact, _opened = log(care, assignment, "well", actor=care.world.unit_a_admin)
    assert contact.carer == care.world.unit_a_admin and assignment.carer == care.volunteer


def test_another_volunteer_may_not_log(care):
    assignment = assign(care)
    with pytest.raises(PermissionDenied):
        log(care, assignment, "well", actor=care.other_volunteer)
    assert not CareContact.objects.exists()


def test_an_ended_assignment_takes_no_contact(care):
    assignment = assign(care)
    services.end_assignment(actor=care.staff, scope=care.staff_scope, assignment=assignment)
    with pytest.raises(ValidationError):
        log(care, assignment, "well", actor=care.staff)


def test_the_former_carer_is_no_longer_the_carer(care):
    assignment = assign(care)
    assert services.is_carer(care.volunteer, assignment) and services.may_log(care.volunteer, None, assignment)
    services.end_assignment(actor=care.staff, scope=care.staff_scope, assignment=assignment)
    assert not services.is_carer(care.volunteer, assignment)
    assert not services.may_log(care.volunteer, scope_of(care.volunteer), assignment)
    with pytest.raises(PermissionDenied):
        log(care, assignment, "well")
    with pytest.raises(PermissionDenied):
        services.reveal_phone(actor=care.volunteer, scope=scope_of(care.volunteer), assignment=assignment)


def test_needs_help_says_what_help(care):
    assignment = assign(care)
    with pytest.raises(ValidationError) as caught:
        log(care, assignment, "needs_help")
    assert "note" in caught.value.message_dict


def test_a_contact_cannot_be_in_the_future_nor_before_the_assignment(care):
    assignment = assign(care)
    with pytest.raises(ValidationError) as caught:
        log(care, assignment, "well", contacted_at=timezone.now() + datetime.timedelta(hours=2))
    assert "contacted_at" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        log(care, assignment, "well", contacted_at=timezone.now() - 2 * DAY)
    assert "contacted_at" in caught.value.message_dict


def test_a_volunteer_elsewhere_is_not_a_carer_here_even_with_the_right_role(care):
    newcomer = make_user("late_vol", role=Role.VOLUNTEER, node=care.west)
    assert newcomer.pk not in dict(services.carer_choices(care.county_scope, care.alone))
