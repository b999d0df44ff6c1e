"""Delete audit events older than the retention (YINFA_AUDIT_RETENTION_DAYS, never below 180 days).

The audit table refuses deletes by trigger; on PostgreSQL this command opens each batch's transaction with
``SET LOCAL yinfa.audit_purge_days = N`` so that the trigger lets rows older than N days go, and nothing else.
On SQLite the trigger lets only rows older than 180 days go, and this command enforces the configured retention.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models.functions import Now

from yinfa.core import audit
from yinfa.core.models import AuditAction, AuditEvent

MINIMUM_RETENTION_DAYS = 180


class Command(BaseCommand):
    help = "Delete audit events older than the retention (YINFA_AUDIT_RETENTION_DAYS), in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="rows deleted per transaction")

    def handle(self, *args, batch_size, **options):
        days = int(settings.YINFA_AUDIT_RETENTION_DAYS)
        if days < MINIMUM_RETENTION_DAYS:
            raise CommandError(
                f"YINFA_AUDIT_RETENTION_DAYS is {days}; audit events are kept at least {MINIMUM_RETENTION_DAYS} days"
            )
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        # The database's clock decides what is old enough, as the trigger does.
        expired = AuditEvent.objects.filter(at__lt=Now() - timedelta(days=days))
        removed = 0
        while True:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT set_config('yinfa.audit_purge_days', %s, true)", [str(days)])
                batch = list(expired.order_by("id").values_list("id", flat=True)[:batch_size])
                if not batch:
                    break
                deleted, _ = AuditEvent.objects.filter(id__in=batch).delete()
                removed += deleted
            if len(batch) < batch_size:
                break
        audit.record(AuditAction.SYSTEM, scope_path="",
                     detail={"purge_audit": True, "removed": removed, "retention_days": days})
        self.stdout.write(f"Removed {removed} audit events older than {days} days.")
        return None
