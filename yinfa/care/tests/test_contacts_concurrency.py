"""Care contacts under concurrency (PostgreSQL: real concurrent transactions on two connections): two people
assigning the same person at once leave one open assignment; two "no answer" logged at once count twice and open
one escalation; two openers of the same escalation get one row."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from yinfa.care.models import CareAssignment, Escalation, EscalationReason, EscalationStatus
from yinfa.care.services import contacts as services
from yinfa.care.services.escalations import open_escalation
from yinfa.care.tests.test_contacts_helpers import assign, care_fixture, scope_of  # noqa: F401

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def together(*calls):
    """Run the calls in threads released at once; their results (or exceptions)."""
    results, start = [], threading.Barrier(len(calls), timeout=20)

    def run(call):
        try:
            start.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_assigning_the_same_person_at_once_leave_one_open_assignment(care):
    def assign_to(actor, carer):
        return lambda: services.assign(actor=actor, scope=scope_of(actor), person=care.alone, carer=carer)

    results = together(assign_to(care.staff, care.volunteer), assign_to(care.world.county_a_admin,
                                                                       care.other_volunteer))
    assert len([r for r in results if isinstance(r, CareAssignment)]) == 1, results
    assert len([r for r in results if isinstance(r, ValidationError)]) == 1, results
    assert CareAssignment.objects.filter(person=care.alone, ended_on__isnull=True).count() == 1


def test_two_no_answers_logged_at_once_count_twice_and_escalate_once(care):
    assignment = assign(care)

    def no_answer(actor):
        return lambda: services.log_contact(actor=actor, scope=scope_of(actor), assignment=assignment,
                                            method="phone", outcome="no_answer")

    results = together(no_answer(care.volunteer), no_answer(care.staff))
    assert not [r for r in results if isinstance(r, Exception)], results
    assignment.refresh_from_db()
    assert assignment.unanswered_in_a_row == 2
    assert Escalation.objects.filter(reason=EscalationReason.NO_ANSWER, status=EscalationStatus.OPEN).count() == 1


def test_two_openers_of_the_same_escalation_get_one_row(care):
    assignment = assign(care)
    opener = lambda: open_escalation(assignment=assignment, reason=EscalationReason.OVERDUE)  # noqa: E731
    results = together(opener, opener, opener)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _escalation, created in results) == [False, False, True]
    assert Escalation.objects.filter(reason=EscalationReason.OVERDUE).count() == 1
