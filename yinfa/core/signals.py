"""Audit of logins, logouts, failures and lockouts."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from yinfa.core import audit
from yinfa.core.middleware import AUTH_AT_KEY, SEEN_AT_KEY
from yinfa.core.models import AuditAction, AuditOutcome


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    now = timezone.now().timestamp()
    request.session[AUTH_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now
    audit.record(AuditAction.LOGIN, actor=user, scope_path="")


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None and not getattr(request, "yinfa_logout_audited", False):
        audit.record(AuditAction.LOGOUT, actor=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    audit.record(AuditAction.LOGIN_FAILED, outcome=AuditOutcome.FAILURE, scope_path="",
                 detail={"username": str(username)[:150]})


@receiver(user_locked_out)
def on_lockout(sender, request, username, ip_address, **kwargs):
    audit.record(AuditAction.LOCKOUT, outcome=AuditOutcome.DENIED, scope_path="",
                 detail={"username": str(username or "")[:150]})
