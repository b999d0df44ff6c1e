"""Background work of care contacts: every six hours, open an escalation for each overdue contact (idempotent:
one per missed due date; the service does the set-based work and the notifications)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from yinfa.core.scheduling import periodic


@periodic("care_escalations", every=timedelta(hours=6))
@task()
def escalate_overdue_contacts():
    from yinfa.care.services.escalations import escalate_overdue

    with translation.override(settings.LANGUAGE_CODE):
        return len(escalate_overdue(today=timezone.localdate()))
