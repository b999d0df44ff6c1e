"""Password rules (等保 2.0): length, three of four character classes, no username, not recently used."""

import re

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    re.compile(r"[a-z]"),
    re.compile(r"[A-Z]"),
    re.compile(r"[0-9]"),
    re.compile(r"[^a-zA-Z0-9]"),
)


def character_classes(password: str) -> int:
    return sum(1 for pattern in CLASSES if pattern.search(password))


class ComplexityValidator:
    def __init__(self, min_length=8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("The password must be at least %(n)d characters long.") % {"n": self.min_length},
                code="password_too_short",
            )
        if character_classes(password) < 3:
            raise ValidationError(
                _("The password must contain three of: lower-case letters, upper-case letters, digits, symbols."),
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "At least %(n)d characters, with three of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"n": self.min_length}


class NotContainingUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") if user else ""
        if username and username.lower() in password.lower():
            raise ValidationError(_("The password must not contain the user name."), code="password_has_username")

    def get_help_text(self):
        return _("It must not contain your user name.")


class HistoryValidator:
    def __init__(self, remember=5):
        self.remember = remember

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        recent = list(user.password_history.values_list("password", flat=True)[: self.remember])
        if user.password and user.password not in recent:
            recent = [user.password, *recent][: self.remember]
        if any(check_password(password, encoded) for encoded in recent):
            raise ValidationError(
                _("The password must differ from your last %(n)d passwords.") % {"n": self.remember},
                code="password_reused",
            )

    def get_help_text(self):
        return _("It must differ from your last %(n)d passwords.") % {"n": self.remember}
