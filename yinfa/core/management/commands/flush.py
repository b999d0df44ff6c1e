"""Django's ``flush``, aware of the append-only audit trail.

The audit table's triggers refuse the DELETE (SQLite) or TRUNCATE (PostgreSQL) a flush issues, so outside the
test suite ``flush`` fails and the audit trail survives. The test suite flushes the database after every
transactional test (TransactionTestCase, pytest-django ``transactional_db`` and ``live_server``): there, and only
there (YINFA_ENV=test), the triggers are lifted for the flush and put back right after it.
"""

import importlib

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections

guard = importlib.import_module("yinfa.core.migrations.0002_audit_append_only")


class Command(DjangoFlushCommand):
    def handle(self, **options):
        if settings.YINFA_ENV != "test":
            return super().handle(**options)
        connection = connections[options["database"]]
        guard.suspend_guard(connection)
        try:
            return super().handle(**options)
        finally:
            guard.install_guard(connection)
