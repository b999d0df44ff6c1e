"""Background tasks of party dues: the daily arrears alerts (3 months → the branch secretaries, 5 months → the
work committee above the branch; each once per run of unpaid months)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from yinfa.core.scheduling import periodic


@periodic("dues_arrears_alerts", every=timedelta(days=1))
@task()
def send_dues_arrears_alerts():
    from yinfa.dues.services.alerts import send_arrears_alerts

    with translation.override(settings.LANGUAGE_CODE):
        return send_arrears_alerts(today=timezone.localdate())
