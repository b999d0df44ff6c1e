"""Periodic jobs of micro-wishes: every six hours, claims not fulfilled by their day expire and their wishes go back
to the wall (the claimant and the collector are told). Idempotent: a second run finds nothing more to do."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from yinfa.core.scheduling import periodic


@periodic("wish_claim_expiry", every=timedelta(hours=6))
@task()
def expire_wish_claims():
    from yinfa.needs.services.wish_claims import expire_claims

    with translation.override(settings.LANGUAGE_CODE):
        return expire_claims(today=timezone.localdate())
