"""Two approvals of one application at the same moment: exactly one passes (PostgreSQL: real concurrent
transactions on two connections; the application row is locked while a step is taken)."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from yinfa.care.models import AidStatus, AidStep
from yinfa.care.services import aid as services
from yinfa.care.tests.test_aid_helpers import Aid, in_state, scope_of

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_bureau_administrators_approving_at_once_give_one_approval(world, monkeypatch):
    aid = Aid(world)
    application = in_state(aid, AidStatus.UNIT_REVIEWED)
    guard = services._guard

    def slow_guard(*args, **kwargs):
        guard(*args, **kwargs)
        time.sleep(0.5)  # the first holds the row while the second tries to take the same step

    monkeypatch.setattr(services, "_guard", slow_guard)
    start, results = threading.Barrier(2, timeout=20), []

    def run(user, amount):
        try:
            start.wait()
            copy = type(application).objects.get(pk=application.pk)
            results.append(services.approve(actor=user, scope=scope_of(user), application=copy,
                                            amount_granted=Decimal(amount)))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(aid.bureau, "1000.00")),
               threading.Thread(target=run, args=(aid.city, "2000.00"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) == 2 and len(errors) == 1, results
    assert isinstance(errors[0], ValidationError)
    application.refresh_from_db()
    assert application.status == AidStatus.APPROVED
    assert AidStep.objects.filter(application=application, to_status=AidStatus.APPROVED).count() == 1
    winner = next(r for r in results if not isinstance(r, Exception))
    assert application.amount_granted == winner.amount_granted
