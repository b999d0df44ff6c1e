"""Login, logout, lockout, password change and the second factor."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.access import OWN_ACCOUNT, PUBLIC, own_account
from yinfa.core.forms import LoginForm, PasswordChangeForm, TotpForm
from yinfa.core.middleware import OTP_OK_KEY
from yinfa.core.models import AuditAction, AuditEvent, AuditOutcome
from yinfa.core.services import accounts

TOTP_PENDING_KEY = "yinfa_totp_pending"


class LoginView(auth_views.LoginView):
    yinfa_access = PUBLIC
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def lockout_response(request, credentials, *args, **kwargs):
    return render(request, "core/locked_out.html", status=429)


class LogoutView(auth_views.LogoutView):
    yinfa_access = OWN_ACCOUNT
    yinfa_gate_exempt = True


def gate_exempt(view):
    view.yinfa_gate_exempt = True
    return view


@gate_exempt
@own_account
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.change_password(actor=request.user, user=request.user,
                                     new_password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(request, "core/password_change.html", {"form": form})


def _qr_svg(uri):
    return segno.make(uri, error="m").svg_inline(scale=5)


@gate_exempt
@own_account
def totp_setup(request):
    if request.user.has_totp and not request.session.get(OTP_OK_KEY):
        # Enrolling a new secret must not bypass the one already set up: prove it first.
        return redirect("core:totp_verify")
    secret = request.session.get(TOTP_PENDING_KEY)
    if not secret:
        secret = accounts.new_totp_secret()
        request.session[TOTP_PENDING_KEY] = secret
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accounts.confirm_totp(actor=request.user, user=request.user, secret=secret,
                                  code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc.message_dict.get("code", exc.messages))
        else:
            request.session.pop(TOTP_PENDING_KEY, None)
            request.session[OTP_OK_KEY] = True
            messages.success(request, _("The second factor is set up."))
            return redirect("core:home")
    uri = accounts.totp_uri(request.user, secret)
    return render(request, "core/totp_setup.html", {"form": form, "secret": secret, "qr_svg": _qr_svg(uri)})


@gate_exempt
@own_account
def totp_verify(request):
    if not request.user.has_totp:
        return redirect("core:totp_setup")
    if _recent_totp_failures(request.user) >= settings.AXES_FAILURE_LIMIT:
        return _totp_locked_out(request)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if accounts.use_totp_code(user=request.user, code=form.cleaned_data["code"]):
            request.session.cycle_key()
            request.session[OTP_OK_KEY] = True
            target = request.GET.get("next")
            if not (target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())):
                target = "core:home"
            return redirect(target)
        audit.record(AuditAction.TOTP, actor=request.user, outcome=AuditOutcome.FAILURE,
                     detail={"verified": False})
        if _recent_totp_failures(request.user) >= settings.AXES_FAILURE_LIMIT:
            audit.record(AuditAction.LOCKOUT, actor=request.user, outcome=AuditOutcome.DENIED, scope_path="",
                         detail={"username": request.user.get_username(), "reason": "totp"})
            return _totp_locked_out(request)
        form.add_error("code", _("The code is wrong or has expired. Try the current code."))
    return render(request, "core/totp_verify.html", {"form": form})


def _recent_totp_failures(user):
    """Wrong codes within the lockout period; a password login does not reset this count."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AuditEvent.objects.filter(actor=user, action=AuditAction.TOTP, outcome=AuditOutcome.FAILURE,
                                     at__gte=since).count()


def _totp_locked_out(request):
    logout(request)
    return render(request, "core/locked_out.html", status=429)
