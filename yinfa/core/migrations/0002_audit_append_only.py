"""Make the audit trail append-only in the database itself.

PostgreSQL: a trigger refuses every UPDATE, every TRUNCATE, and every DELETE except of rows older than the
retention, and only inside a transaction that declared the retention with
``SET LOCAL yinfa.audit_purge_days = N`` (N >= 180; see the ``purge_audit`` command).

SQLite has no session settings: its triggers refuse every UPDATE, and every DELETE of a row younger than the
minimum retention of 180 days; the ``purge_audit`` command enforces the configured (longer) retention.

The SQL lives in this module on purpose (a migration must not change when application code does). Test code
that flushes the database (TransactionTestCase, pytest-django ``transactional_db``/``live_server``) uses
``suspend_guard``/``install_guard`` from here, because a flush deletes or truncates audit rows.
"""

from django.db import migrations

MINIMUM_RETENTION_DAYS = 180
TABLE = "core_auditevent"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION yinfa_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        purge_setting text;
        purge_days integer;
    BEGIN
        IF TG_OP = 'DELETE' THEN
            purge_setting := current_setting('yinfa.audit_purge_days', true);
            IF purge_setting ~ '^[0-9]{{1,6}}$' THEN
                purge_days := purge_setting::integer;
                IF purge_days >= {MINIMUM_RETENTION_DAYS}
                   AND OLD.at < now() - make_interval(days => purge_days) THEN
                    RETURN OLD;
                END IF;
            END IF;
            RAISE EXCEPTION 'audit events are append-only: event % may not be deleted', OLD.id;
        END IF;
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP;
    END;
    $$;
    """,
    f"""
    CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION yinfa_audit_append_only();
    """,
    f"""
    CREATE TRIGGER core_auditevent_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION yinfa_audit_append_only();
    """,
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON {TABLE};",
    f"DROP TRIGGER IF EXISTS core_auditevent_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS yinfa_audit_append_only();",
]

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER core_auditevent_no_update
    BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');
    END;
    """,
    f"""
    CREATE TRIGGER core_auditevent_no_delete
    BEFORE DELETE ON {TABLE}
    WHEN OLD.at >= strftime('%Y-%m-%d %H:%M:%f', 'now', '-{MINIMUM_RETENTION_DAYS} days')
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused within the retention');
    END;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete;",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update;",
]


def _statements(vendor, install):
    if vendor == "postgresql":
        return POSTGRES_INSTALL if install else POSTGRES_DROP
    if vendor == "sqlite":
        return SQLITE_INSTALL if install else SQLITE_DROP
    return []  # other databases: the model's save()/delete() guard only


def install_guard(connection):
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=True):
            cursor.execute(sql)


def suspend_guard(connection):
    """Drop the triggers (test flushes only; ``install_guard`` puts them back)."""
    with connection.cursor() as cursor:
        for sql in _statements(connection.vendor, install=False):
            cursor.execute(sql)


def forwards(apps, schema_editor):
    install_guard(schema_editor.connection)


def backwards(apps, schema_editor):
    suspend_guard(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
