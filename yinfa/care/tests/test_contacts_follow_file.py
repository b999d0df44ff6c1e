"""A care assignment follows the person file: a death ends it, a new living situation re-reads its interval."""

import datetime

import pytest

from yinfa.care.models import CareAssignment
from yinfa.care.services import contacts as services
from yinfa.care.tests.test_contacts_helpers import care_fixture, scope_of  # noqa: F401
from yinfa.core.models import AuditEvent, Notification
from yinfa.people.models import LivingStatus
from yinfa.people.services import file as file_services
from yinfa.people.services import person as person_services

pytestmark = pytest.mark.django_db


def _assigned(care, person):
    admin = care.world.community_a_admin
    return services.assign(actor=admin, scope=scope_of(admin), person=person, carer=care.volunteer)


def test_recording_a_death_ends_the_open_assignment_and_tells_the_carer(care, django_capture_on_commit_callbacks):
    assignment = _assigned(care, care.alone)
    person = care.alone
    person.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        file_services.record_death(actor=care.world.county_a_admin, person=person, version=person.version,
                                   died_on=datetime.date.today())
    assignment.refresh_from_db()
    assert assignment.ended_on == datetime.date.today()
    assert Notification.objects.filter(recipient=care.volunteer, object_id=str(assignment.pk)).count() >= 1
    assert AuditEvent.objects.filter(object_type="care.careassignment", object_id=str(assignment.pk),
                                     changes__has_key="ended_on").exists()


def test_a_person_who_no_longer_lives_alone_is_contacted_at_the_interval_of_what_still_applies(care):
    assignment = _assigned(care, care.alone)
    assert assignment.interval_days == 7
    person = care.alone
    person.refresh_from_db()
    person_services.update_person(actor=care.world.county_a_admin, scope=scope_of(care.world.county_a_admin),
                                  person=person, version=person.version,
                                  values={"living_status": LivingStatus.EMPTY_NEST}, section="living")
    assignment.refresh_from_db()
    assert assignment.ended_on is None
    assert assignment.interval_days == 14
    assert assignment.next_due_on == assignment.started_on + datetime.timedelta(days=14)


def test_a_change_the_policy_does_not_read_leaves_the_assignment_alone(care):
    assignment = _assigned(care, care.alone)
    person = care.alone
    person.refresh_from_db()
    person_services.update_person(actor=care.world.county_a_admin, scope=scope_of(care.world.county_a_admin),
                                  person=person, version=person.version, values={"hobbies": "书法"},
                                  section="talents")
    assert CareAssignment.objects.get(pk=assignment.pk).interval_days == 7
