"""One open organisational membership per person even when two administrators act at the same moment
(PostgreSQL: real concurrent transactions on two connections)."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from yinfa.core.permissions import Role
from yinfa.core.testing import make_user
from yinfa.partylife.models import LeftBy, Membership, Relation
from yinfa.partylife.services import memberships as services
from yinfa.partylife.tests.factories import make_branch, make_member, scope_of
from yinfa.people.models import PoliticalStatus
from yinfa.people.tests.factories import make_person

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]

DAY = datetime.date(2025, 5, 1)


def together(*calls):
    """Run the calls in two threads released at once; their results (or exceptions)."""
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


@pytest.fixture
def party(world):
    first = make_branch(world.unit_a, "甲县财政局离退休干部党支部")
    second = make_branch(world.unit_a, "甲县财政局第二党支部")
    committee = make_user("gongwei_a", role=Role.COMMITTEE_ADMIN, node=world.county_a)
    return world, first, second, committee


def test_adding_the_same_person_to_two_branches_at_once_keeps_one(party):
    world, first, second, committee = party
    person = make_person(world.unit_a, name="甲县新党员", political_status=PoliticalStatus.PARTY_MEMBER)

    def add(user, branch):
        return lambda: services.add_member(actor=user, scope=scope_of(user), person=person, branch=branch,
                                           started_on=DAY, from_outside="乙省机关党委")

    results = together(add(world.county_a_admin, first), add(committee, second))
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and len([r for r in results if isinstance(r, Membership)]) == 1, results
    assert Membership.objects.filter(person=person, ended_on__isnull=True).count() == 1


def test_two_transfers_of_one_membership_at_once_move_it_once(party):
    world, first, second, committee = party
    third = make_branch(world.unit_a, "甲县财政局第三党支部")
    person = make_member(first, name="甲县转接党员")
    membership = Membership.objects.get(person=person)

    def transfer(user, target):
        return lambda: services.transfer_out(actor=user, scope=scope_of(user), membership=membership, on_date=DAY,
                                             how=LeftBy.TRANSFER, to_branch=target)

    results = together(transfer(world.county_a_admin, second), transfer(committee, third))
    assert len([r for r in results if isinstance(r, ValidationError)]) == 1, results
    open_rows = Membership.objects.filter(person=person, relation=Relation.ORGANISATIONAL, ended_on__isnull=True)
    assert open_rows.count() == 1
    assert Membership.objects.filter(person=person).count() == 2
