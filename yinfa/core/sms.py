"""The SMS gateway slot. A deployment sets YINFA_SMS_BACKEND to its provider's backend class.

A backend has one method, ``send(numbers: list[str], text: str) -> None``.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("yinfa.sms")


class LogSmsBackend:
    """Writes messages to the log (masked numbers) instead of sending them."""

    def send(self, numbers, text):
        from yinfa.core.masking import mask_phone

        for number in numbers:
            log.info("SMS to %s: %s", mask_phone(number), text)


def backend():
    return import_string(settings.YINFA_SMS_BACKEND)()


def send_to_accounts(user_ids, text):
    from yinfa.core.models import User

    numbers = [u.mobile for u in User.objects.filter(pk__in=user_ids, is_active=True) if u.mobile]
    if numbers:
        backend().send(numbers, text)
