"""The audit trail is append-only: the model, the database triggers, and the retention purge."""

import importlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from yinfa.core import audit
from yinfa.core.models import AuditAction, AuditEvent

guard_migration = importlib.import_module("yinfa.core.migrations.0002_audit_append_only")

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="needs SQLite")


def event_made_days_ago(days, action=AuditAction.LOGIN):
    """An audit event whose time lies ``days`` in the past (``at`` is set once, at insert)."""
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        return audit.record(action, detail={"username": f"made {days} days ago"})


def raw(sql, params=()):
    """Run one statement in its own savepoint, so that a refused statement does not break the test."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
class TestTheModelRefusesChanges:
    def test_saving_an_existing_event_again_raises(self):
        event = audit.record(AuditAction.LOGIN)
        event.outcome = "failure"
        with pytest.raises(PermissionError):
            event.save()
        assert AuditEvent.objects.get(pk=event.pk).outcome == "success"

    def test_deleting_an_event_through_the_model_raises(self):
        event = audit.record(AuditAction.LOGIN)
        with pytest.raises(PermissionError):
            event.delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
class TestTheDatabaseRefusesChanges:
    """Both SQLite and PostgreSQL carry triggers that refuse what bypasses the model."""

    def test_a_raw_sql_update_is_refused(self):
        event = audit.record(AuditAction.LOGIN)
        with pytest.raises(DatabaseError, match="append-only"):
            raw("UPDATE core_auditevent SET outcome = 'failure' WHERE id = %s", [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).outcome == "success"

    def test_an_orm_bulk_update_is_refused(self):
        audit.record(AuditAction.LOGIN)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.update(actor_name="someone else")
        assert not AuditEvent.objects.filter(actor_name="someone else").exists()

    def test_updating_an_old_event_is_refused_too(self):
        event = event_made_days_ago(400)
        with pytest.raises(DatabaseError, match="append-only"):
            raw("UPDATE core_auditevent SET detail = '{}' WHERE id = %s", [event.pk])

    def test_a_raw_sql_delete_of_a_recent_event_is_refused(self):
        event = audit.record(AuditAction.LOGIN)
        with pytest.raises(DatabaseError, match="append-only"):
            raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_an_orm_bulk_delete_is_refused(self):
        event = audit.record(AuditAction.LOGIN)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_an_event_179_days_old_cannot_be_deleted(self):
        event = event_made_days_ago(179)
        with pytest.raises(DatabaseError, match="append-only"):
            raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])


@sqlite_only
@pytest.mark.django_db
class TestTheSqliteTriggers:
    def test_an_event_older_than_the_minimum_retention_may_be_deleted(self):
        old = event_made_days_ago(181)
        recent = audit.record(AuditAction.LOGIN)
        raw("DELETE FROM core_auditevent WHERE id = %s", [old.pk])
        assert not AuditEvent.objects.filter(pk=old.pk).exists()
        assert AuditEvent.objects.filter(pk=recent.pk).exists()


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db
class TestThePostgresTriggers:
    def test_a_raw_sql_update_raises(self):
        event = audit.record(AuditAction.LOGIN)
        with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
            raw("UPDATE core_auditevent SET actor_name = 'x' WHERE id = %s", [event.pk])

    def test_even_an_old_event_cannot_be_deleted_without_the_purge_setting(self):
        event = event_made_days_ago(4 * 365)
        with pytest.raises(DatabaseError, match="may not be deleted"):
            raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])

    def test_the_purge_setting_lets_only_events_older_than_it_go(self):
        old = event_made_days_ago(200)
        recent = event_made_days_ago(100)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL yinfa.audit_purge_days = 180")
            cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [old.pk])
            with pytest.raises(DatabaseError, match="may not be deleted"), transaction.atomic():
                cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [recent.pk])
        assert not AuditEvent.objects.filter(pk=old.pk).exists()
        assert AuditEvent.objects.filter(pk=recent.pk).exists()

    def test_a_purge_setting_below_180_days_is_ignored(self):
        event = event_made_days_ago(100)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL yinfa.audit_purge_days = 30")
            with pytest.raises(DatabaseError, match="may not be deleted"), transaction.atomic():
                cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_an_event_younger_than_a_longer_purge_setting_stays(self):
        event = event_made_days_ago(200)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL yinfa.audit_purge_days = 365")
            with pytest.raises(DatabaseError, match="may not be deleted"), transaction.atomic():
                cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])

    def test_a_malformed_purge_setting_is_refused(self):
        event = event_made_days_ago(400)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL yinfa.audit_purge_days = 'all'")
            with pytest.raises(DatabaseError, match="may not be deleted"), transaction.atomic():
                cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])

    def test_truncate_is_refused(self):
        audit.record(AuditAction.LOGIN)
        with pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"):
            raw("TRUNCATE core_auditevent")
        assert AuditEvent.objects.exists()


@pytest.mark.django_db
class TestPurgeAudit:
    def purge(self, *args):
        out = StringIO()
        call_command("purge_audit", *args, stdout=out)
        return out.getvalue()

    def test_it_removes_only_events_older_than_the_retention_and_says_how_many(self, settings):
        settings.YINFA_AUDIT_RETENTION_DAYS = 3 * 365
        very_old = event_made_days_ago(4 * 365)
        kept = [event_made_days_ago(2 * 365), event_made_days_ago(200), event_made_days_ago(10)]
        output = self.purge()
        assert "Removed 1 audit events older than 1095 days." in output
        assert not AuditEvent.objects.filter(pk=very_old.pk).exists()
        assert set(AuditEvent.objects.filter(pk__in=[e.pk for e in kept]).values_list("pk", flat=True)) == {
            e.pk for e in kept
        }

    def test_it_records_one_system_event_with_the_count(self, settings):
        settings.YINFA_AUDIT_RETENTION_DAYS = 365
        event_made_days_ago(500)
        event_made_days_ago(400)
        self.purge()
        system = list(AuditEvent.objects.filter(action=AuditAction.SYSTEM))
        assert len(system) == 1
        assert system[0].detail == {"purge_audit": True, "removed": 2, "retention_days": 365}

    def test_it_works_in_batches(self, settings):
        settings.YINFA_AUDIT_RETENTION_DAYS = 180
        for days in (190, 200, 300, 400, 500):
            event_made_days_ago(days)
        recent = event_made_days_ago(5)
        output = self.purge("--batch-size", "2")
        assert "Removed 5 audit events" in output
        assert list(AuditEvent.objects.exclude(action=AuditAction.SYSTEM).values_list("pk", flat=True)) == [
            recent.pk
        ]

    def test_it_removes_nothing_when_nothing_is_old_enough(self, settings):
        settings.YINFA_AUDIT_RETENTION_DAYS = 180
        event_made_days_ago(179)
        assert "Removed 0 audit events" in self.purge()
        assert AuditEvent.objects.filter(action=AuditAction.LOGIN).count() == 1

    def test_it_refuses_a_retention_below_180_days(self, settings):
        settings.YINFA_AUDIT_RETENTION_DAYS = 90
        event_made_days_ago(100)
        with pytest.raises(CommandError, match="at least 180 days"):
            self.purge()
        assert AuditEvent.objects.count() == 1


class TestTheMigration:
    @pytest.mark.django_db
    def test_it_can_be_reversed_and_applied_again(self):
        guard_migration.suspend_guard(connection)
        event = audit.record(AuditAction.LOGIN)
        raw("UPDATE core_auditevent SET actor_name = 'changed' WHERE id = %s", [event.pk])
        guard_migration.install_guard(connection)
        with pytest.raises(DatabaseError, match="append-only"):
            raw("UPDATE core_auditevent SET actor_name = 'again' WHERE id = %s", [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).actor_name == "changed"


@pytest.mark.django_db
class TestFlush:
    """Test flushes (after transactional tests) lift the guard for the flush only; elsewhere flush fails."""

    def test_in_the_test_suite_a_flush_empties_the_trail_and_the_guard_comes_back(self):
        audit.record(AuditAction.LOGIN)
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        assert not AuditEvent.objects.exists()
        event = audit.record(AuditAction.LOGIN)
        with pytest.raises(DatabaseError, match="append-only"):
            raw("DELETE FROM core_auditevent WHERE id = %s", [event.pk])

    def test_outside_the_test_suite_a_flush_is_refused_and_the_trail_stays(self, settings):
        settings.YINFA_ENV = "production"
        event = audit.record(AuditAction.LOGIN)
        with pytest.raises(CommandError):
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
        assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_write_audit_events_and_still_be_flushed_afterwards():
    # The flush at the end of this test would fail on the audit triggers without the flush command override.
    audit.record(AuditAction.LOGIN)
    assert AuditEvent.objects.count() == 1
