"""Background jobs of visit campaigns: the daily reminder to the organisations that still have people to visit
when a campaign's due date is seven days away or less (once per campaign)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from yinfa.core.scheduling import periodic


@periodic("care_campaign_reminders", every=timedelta(days=1))
@task()
def send_campaign_reminders():
    from yinfa.care.services.campaigns import send_reminders

    with translation.override(settings.LANGUAGE_CODE):
        return send_reminders(today=timezone.localdate())
