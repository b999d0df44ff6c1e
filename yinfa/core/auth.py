"""Login by username or mobile number, and the lockout key for django-axes."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from yinfa.core.fields import lookup_index

_MOBILE = re.compile(r"^\+?[0-9０-９ \-]{11,16}$")


def find_account(identifier):
    """The account whose username, or else mobile number, is ``identifier`` (or None)."""
    if not identifier:
        return None
    User = get_user_model()
    user = User.objects.filter(username=identifier).first()
    if user is None and _MOBILE.match(identifier):
        index = lookup_index(User, "mobile_index", identifier)
        if index:
            user = User.objects.filter(mobile_index=index).first()
    return user


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_account(username)
        if user is None:
            get_user_model()().set_password(password)  # same cost as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request, credentials):
    """Lock out the account, whichever of its identifiers was typed."""
    identifier = (credentials or {}).get("username") or request.POST.get("username", "")
    user = find_account(identifier.strip())
    return user.get_username() if user else identifier.strip()
