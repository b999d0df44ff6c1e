"""One payment per member per month even when two secretaries submit the same batch at the same moment
(PostgreSQL: real concurrent transactions on two connections)."""

import datetime
import threading

import pytest
from django.db import connection

from yinfa.dues.models import DuesPayment
from yinfa.dues.rules import months_after
from yinfa.dues.services.payments import PaymentEntry, record_batch
from yinfa.dues.tests.helpers import TODAY, build, on, scope_of

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]

NOV = datetime.date(2026, 11, 1)


def submit_together(dues, months=1):
    """Two threads submit the same batch; returns their results (or exceptions), in finishing order."""
    entries = [PaymentEntry(person_id=person.pk) for person in dues.members]
    users = [dues.secretary, dues.committee_admin]
    results, start = [], threading.Barrier(2, timeout=20)

    def run(user):
        try:
            start.wait()
            results.append(record_batch(actor=user, scope=scope_of(user), branch=dues.branch, first_month=NOV,
                                        months=months, paid_on=TODAY, entries=entries))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def dues(world):
    with on(TODAY):
        yield build(world, members=4)


def test_both_past_the_check_at_once_the_second_insert_skips_and_says_so(dues, monkeypatch):
    """Both submissions read "nothing paid yet" before either inserts: the unique constraint decides."""
    inserting = threading.Barrier(2, timeout=20)
    original = DuesPayment.objects.bulk_create

    def bulk_create_together(*args, **kwargs):
        inserting.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(DuesPayment.objects, "bulk_create", bulk_create_together)
    results = submit_together(dues, months=3)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert DuesPayment.objects.count() == 4 * 3
    assert set(DuesPayment.objects.values_list("person_id", "month")) == {
        (person.pk, month) for person in dues.members for month in months_after(NOV, 3)}
    first, second = sorted(results, key=lambda r: len(r.created), reverse=True)
    assert len(first.created) == 12 and first.skipped == []
    assert second.created == [] and len(second.skipped) == 12
    assert {(pk, month) for pk, _name, month in second.skipped} == {
        (pk, month) for pk, _name, month, _paid in first.created}
    assert len(set(DuesPayment.objects.values_list("batch", flat=True))) == 1


def test_simply_submitted_at_once_each_member_month_is_recorded_once(dues):
    results = submit_together(dues)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert DuesPayment.objects.count() == 4
    assert sorted(len(r.created) for r in results) == [0, 4]
    assert sorted(len(r.skipped) for r in results) == [0, 4]

