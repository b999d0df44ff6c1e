"""Sending notifications: in-app rows, plus SMS through the configured gateway backend."""

from django.db import transaction
from django.utils import timezone

from yinfa.core import sms
from yinfa.core.models import Notification


def _rows(*, recipients, title, body="", url="", obj=None):
    """The notification rows of one message, one per distinct recipient (accounts or account ids)."""
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(obj.pk) if obj is not None else ""
    return [Notification(recipient_id=rid, title=title[:200], body=body, url=url[:300], object_type=object_type,
                         object_id=object_id)
            for rid in sorted({getattr(r, "pk", r) for r in recipients if r is not None})]


def notify(*, recipients, title, body="", url="", obj=None, send_sms=False):
    """Notify accounts once the current transaction commits. Returns nothing; safe inside services."""
    rows = _rows(recipients=recipients, title=title, body=body, url=url, obj=obj)

    def deliver():
        Notification.objects.bulk_create(rows)
        if send_sms:
            sms.send_to_accounts([row.recipient_id for row in rows], f"{title} {body}".strip())

    transaction.on_commit(deliver)


def notify_many(messages):
    """Many notifications at once (a periodic job's batch): ``messages`` are dicts with the arguments of ``notify``
    (``recipients``, ``title``, optional ``body``, ``url``, ``obj``). One bulk insert once the transaction commits,
    instead of one transaction per message."""
    rows = [row for message in messages for row in _rows(**message)]
    if rows:
        transaction.on_commit(lambda: Notification.objects.bulk_create(rows, batch_size=1000))


@transaction.atomic
def mark_read(*, actor, notification_ids=None):
    """Mark the actor's own notifications read (all unread ones when no ids are given)."""
    rows = Notification.objects.for_user(actor).unread()
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())
