"""Two writes at the same moment, PostgreSQL only (real concurrent transactions on two connections): two approvals
of one application give one approval (the application row is locked while a step is taken); two applications of the
same kind for one person give one application (the person row is locked before the "already under way" check);
two batches of attachments to one application never pass the ten (the application row is locked before counting)."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from yinfa.care.models import AidApplication, AidAttachment, AidKind, AidStatus, AidStep
from yinfa.care.services import aid as services
from yinfa.care.tests.test_aid_helpers import PDF, Aid, apply, in_state, scope_of

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


def at_once(*calls):
    """Run the calls in two threads released together by a barrier; each result or the exception it raised."""
    start, results = threading.Barrier(len(calls), timeout=20), []

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


def slow_saving(monkeypatch):
    """Hold the first transaction open after its checks (while it stores the files), so the second one runs its
    checks while the first has not committed yet."""
    save = services._save_attachments

    def slow_save(*args, **kwargs):
        count = save(*args, **kwargs)
        time.sleep(0.5)
        return count

    monkeypatch.setattr(services, "_save_attachments", slow_save)


def test_two_applications_of_the_same_kind_for_one_person_at_once_give_one(world, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    aid = Aid(world)
    slow_saving(monkeypatch)
    results = at_once(lambda: apply(aid, by=aid.community, amount="2000.00"),
                      lambda: apply(aid, by=aid.unit, amount="3000.00"))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) == 2 and len(errors) == 1, results
    assert isinstance(errors[0], ValidationError) and list(errors[0].message_dict) == ["kind"]  # already under way
    assert AidApplication.objects.filter(person=aid.person, kind=AidKind.MEDICAL).count() == 1
    assert AidStep.objects.filter(to_status=AidStatus.SUBMITTED).count() == 1


def test_applications_of_different_kinds_for_one_person_at_once_both_pass(world, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    aid = Aid(world)
    slow_saving(monkeypatch)
    results = at_once(lambda: apply(aid, kind=AidKind.MEDICAL), lambda: apply(aid, kind=AidKind.WIDOW))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert AidApplication.objects.filter(person=aid.person).count() == 2


def test_two_batches_of_attachments_at_once_never_pass_ten(world, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    aid = Aid(world)
    application = apply(aid)

    def add(user):
        def call():
            copy = AidApplication.objects.select_related("person").get(pk=application.pk)
            files = [SimpleUploadedFile(f"{user.username}-{n}.pdf", PDF) for n in range(6)]
            return services.add_attachments(actor=user, scope=scope_of(user), application=copy, files=files)
        return call

    slow_saving(monkeypatch)
    results = at_once(add(aid.unit), add(aid.community))
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) == 2 and len(errors) == 1, results
    assert isinstance(errors[0], ValidationError) and list(errors[0].message_dict) == ["attachments"]
    assert AidAttachment.objects.filter(application=application).count() == 6
