"""Security baseline (等保 2.0 level 3): lockout, sessions, disabled accounts, second factor, 三员 exclusivity,
login by mobile number, security headers, the production deploy check, and the Chinese pages."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from yinfa.core.middleware import OTP_OK_KEY
from yinfa.core.models import AuditAction, AuditEvent, AuditOutcome, RoleGrant, User
from yinfa.core.permissions import ADMIN_ROLES, BUSINESS_ROLES, Role
from yinfa.core.scope import Scope
from yinfa.core.services import accounts
from yinfa.core.testing import PASSWORD, login, make_user

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("core:login")
HOME_URL = reverse("core:home")
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def log_in(client, identifier, password=PASSWORD):
    """Post the real login form."""
    return client.post(LOGIN_URL, {"username": identifier, "password": password})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def sends_to_login(response):
    return response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


def error_codes(response, field="__all__"):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def templates_of(response):
    return [template.name for template in response.templates]


def audit_rows(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# --- lockout (django-axes) -------------------------------------------------------------------------------------


class TestLockout:
    def test_a_correct_password_logs_in_and_is_audited(self, world):
        client = Client()
        response = log_in(client, "a_admin")
        assert response.status_code == 302 and response["Location"] == HOME_URL
        assert logged_in_user_id(client) == str(world.county_a_admin.pk)
        assert audit_rows(AuditAction.LOGIN, actor=world.county_a_admin).count() == 1

    def test_failed_logins_are_audited_with_the_name_typed(self, world):
        response = log_in(Client(), "a_admin", "wrong-password")
        assert response.status_code == 200
        assert error_codes(response) == ["invalid_login"]
        failed = audit_rows(AuditAction.LOGIN_FAILED).get()
        assert failed.outcome == AuditOutcome.FAILURE
        assert failed.detail["username"] == "a_admin"
        assert "password" not in str(failed.detail).lower().replace("username", "")

    def test_five_failures_lock_the_account_and_the_sixth_attempt_with_the_right_password_is_refused(self, world):
        client = Client()
        for attempt in range(1, 5):
            response = log_in(client, "a_admin", f"wrong-{attempt}")
            assert response.status_code == 200, attempt
        response = log_in(client, "a_admin", "wrong-5")
        assert response.status_code == 429
        assert "core/locked_out.html" in templates_of(response)
        response = log_in(client, "a_admin", PASSWORD)
        assert response.status_code == 429
        assert logged_in_user_id(client) is None
        assert audit_rows(AuditAction.LOGIN, actor=world.county_a_admin).count() == 0
        assert audit_rows(AuditAction.LOGIN_FAILED).count() >= 5

    def test_the_lockout_is_audited(self, world):
        for attempt in range(5):
            log_in(Client(), "a_admin", f"wrong-{attempt}")
        lockout = audit_rows(AuditAction.LOCKOUT).get()
        assert lockout.outcome == AuditOutcome.DENIED
        assert lockout.detail["username"] == "a_admin"
        assert lockout.ip == "127.0.0.1"

    def test_the_lockout_counts_failures_whether_the_username_or_the_mobile_number_was_typed(self, world):
        user = accounts.update_user(actor=None, user=world.county_a_admin, mobile="13800138000")
        for identifier in ["a_admin", "13800138000", "a_admin", "138 0013 8000", "13800138000"]:
            log_in(Client(), identifier, "wrong-password")
        for identifier in ["a_admin", "13800138000"]:
            client = Client()
            assert log_in(client, identifier).status_code == 429, identifier
            assert logged_in_user_id(client) is None
        assert audit_rows(AuditAction.LOCKOUT, detail__username=user.username).exists()

    def test_the_lockout_is_per_account_not_per_address(self, world):
        for attempt in range(5):
            log_in(Client(), "a_admin", f"wrong-{attempt}")
        colleague = Client()  # same office, same IP address
        assert log_in(colleague, "b_admin").status_code == 302
        assert logged_in_user_id(colleague) == str(world.county_b_admin.pk)

    def test_the_lock_holds_for_30_minutes(self, world):
        with time_machine.travel(START, tick=False) as traveller:
            for attempt in range(5):
                log_in(Client(), "a_admin", f"wrong-{attempt}")
            traveller.shift(timedelta(minutes=29))
            assert log_in(Client(), "a_admin").status_code == 429

    def test_the_lock_lifts_after_30_minutes(self, world):
        with time_machine.travel(START, tick=False) as traveller:
            for attempt in range(5):
                log_in(Client(), "a_admin", f"wrong-{attempt}")
            traveller.shift(timedelta(minutes=31))
            client = Client()
            assert log_in(client, "a_admin").status_code == 302
            assert logged_in_user_id(client) == str(world.county_a_admin.pk)


# --- login by username or mobile number ------------------------------------------------------------------------


class TestLoginByMobileNumber:
    @pytest.fixture
    def holder(self, world):
        return accounts.create_user(actor=None, username="wangli", full_name="王丽", password=PASSWORD,
                                    mobile="13912345678", must_change_password=False)

    def test_the_mobile_number_is_stored_encrypted(self, holder):
        with connection.cursor() as cursor:
            cursor.execute("SELECT mobile, mobile_index FROM core_user WHERE id = %s", [holder.pk])
            stored_mobile, stored_index = cursor.fetchone()
        assert stored_mobile and stored_index
        for digits in ("13912345678", "12345678", "1391234"):
            assert digits not in stored_mobile
            assert digits not in stored_index
        assert User.objects.get(pk=holder.pk).mobile == "13912345678"

    @pytest.mark.parametrize("typed", ["wangli", "13912345678", "139 1234 5678", "+86 139 1234 5678"])
    def test_the_holder_logs_in_by_username_or_mobile_number(self, holder, typed):
        client = Client()
        response = log_in(client, typed)
        assert response.status_code == 302, typed
        assert logged_in_user_id(client) == str(holder.pk)

    def test_a_wrong_password_with_the_mobile_number_is_refused(self, holder):
        client = Client()
        assert log_in(client, "13912345678", "Wrong@2026pw").status_code == 200
        assert logged_in_user_id(client) is None


# --- sessions ------------------------------------------------------------------------------------------------


class TestSessionLifetime:
    def test_a_session_idle_for_more_than_30_minutes_ends(self, world):
        with time_machine.travel(START, tick=False) as traveller:
            client = Client()
            log_in(client, "a_admin")
            traveller.shift(timedelta(minutes=29))
            assert client.get(HOME_URL).status_code == 200
            traveller.shift(timedelta(minutes=31))
            assert sends_to_login(client.get(HOME_URL))
            assert logged_in_user_id(client) is None

    def test_the_idle_timeout_holds_even_when_the_session_store_keeps_sessions_longer(self, world, settings):
        settings.SESSION_COOKIE_AGE = 24 * 3600
        with time_machine.travel(START, tick=False) as traveller:
            client = Client()
            log_in(client, "a_admin")
            traveller.shift(timedelta(minutes=31))
            assert sends_to_login(client.get(HOME_URL))
            assert logged_in_user_id(client) is None
        logout = audit_rows(AuditAction.LOGOUT, actor=world.county_a_admin).get()
        assert logout.detail == {"reason": "idle"}

    def test_an_active_session_still_ends_12_hours_after_login(self, world):
        with time_machine.travel(START, tick=False) as traveller:
            client = Client()
            log_in(client, "a_admin")
            for _ in range(28):  # a request every 25 minutes: 11 h 40 min of continuous work
                traveller.shift(timedelta(minutes=25))
                assert client.get(HOME_URL).status_code == 200
            traveller.shift(timedelta(minutes=25))  # 12 h 05 min after login
            assert sends_to_login(client.get(HOME_URL))
            assert logged_in_user_id(client) is None
        logout = audit_rows(AuditAction.LOGOUT, actor=world.county_a_admin).get()
        assert logout.detail == {"reason": "lifetime"}

    def test_logging_out_is_audited(self, world):
        client = Client()
        log_in(client, "a_admin")
        client.post(reverse("core:logout"))
        assert logged_in_user_id(client) is None
        assert audit_rows(AuditAction.LOGOUT, actor=world.county_a_admin).count() == 1


class TestDisabledAccount:
    def test_disabling_an_account_ends_its_open_sessions(self, world):
        client = Client()
        log_in(client, "a_admin")
        assert client.get(HOME_URL).status_code == 200
        accounts.set_active(actor=world.security_admin, user=world.county_a_admin, active=False,
                            reason="Left the bureau")
        assert sends_to_login(client.get(HOME_URL))
        assert sends_to_login(client.get(reverse("core:org_tree")))

    def test_a_disabled_account_cannot_log_in(self, world):
        accounts.set_active(actor=world.security_admin, user=world.county_a_admin, active=False,
                            reason="Left the bureau")
        client = Client()
        assert log_in(client, "a_admin").status_code == 200
        assert logged_in_user_id(client) is None


# --- second factor for the three administrators ---------------------------------------------------------------


def wrong_code(secret):
    """A 6-digit code that the verifier will not accept now (outside its ±1 step window)."""
    totp = pyotp.TOTP(secret)
    now = datetime.now(UTC)
    valid = {totp.at(now + timedelta(seconds=30 * step)) for step in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(123456, 999999) if f"{n:06d}" not in valid)


class TestSecondFactor:
    @pytest.fixture
    def world(self, world):
        # The World's fixed test secret is 80 bits; pyotp >= 2.10 refuses secrets under 112 bits.
        for admin in (world.security_admin, world.audit_admin, world.system_admin):
            admin.totp_secret = pyotp.random_base32()
            admin.save(update_fields=["totp_secret"])
        return world

    @pytest.mark.parametrize("role", sorted(ADMIN_ROLES))
    def test_an_administrator_without_a_second_factor_must_set_one_up(self, world, role):
        make_user(f"new_{role}", role=role, node=world.city)
        client = Client()
        assert log_in(client, f"new_{role}").status_code == 302
        for url in (HOME_URL, reverse("core:org_tree"), reverse("core:audit_list")):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == reverse("core:totp_setup"), url

    def test_setting_up_the_second_factor_with_a_correct_code_lets_the_administrator_in(self, world):
        admin = make_user("new_sys", role=Role.SYSTEM_ADMIN, node=world.city)
        client = Client()
        log_in(client, "new_sys")
        response = client.get(reverse("core:totp_setup"))
        assert response.status_code == 200
        secret = client.session["yinfa_totp_pending"]
        assert secret in response.content.decode()
        response = client.post(reverse("core:totp_setup"), {"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 302 and response["Location"] == HOME_URL
        admin.refresh_from_db()
        assert admin.has_totp and admin.totp_secret == secret
        assert client.get(HOME_URL).status_code == 200
        assert audit_rows(AuditAction.TOTP, actor=admin, detail__enrolled=True).exists()

    def test_a_wrong_code_does_not_set_up_the_second_factor(self, world):
        admin = make_user("new_sec", role=Role.SECURITY_ADMIN, node=world.city)
        client = Client()
        log_in(client, "new_sec")
        client.get(reverse("core:totp_setup"))
        secret = client.session["yinfa_totp_pending"]
        response = client.post(reverse("core:totp_setup"), {"code": wrong_code(secret)})
        assert response.status_code == 200
        admin.refresh_from_db()
        assert not admin.has_totp

    def test_an_enrolled_administrator_must_give_a_code_in_every_new_session(self, world):
        client = Client()
        log_in(client, "aud")
        response = client.get(reverse("core:audit_list"))
        assert response.status_code == 302 and response["Location"] == reverse("core:totp_verify")
        assert client.get(reverse("core:totp_verify")).status_code == 200

    def test_a_correct_code_lets_the_administrator_in(self, world):
        client = Client()
        log_in(client, "aud")
        response = client.post(reverse("core:totp_verify"), {"code": pyotp.TOTP(world.audit_admin.totp_secret).now()})
        assert response.status_code == 302 and response["Location"] == HOME_URL
        assert client.session[OTP_OK_KEY] is True
        assert client.get(HOME_URL).status_code == 200

    def test_a_wrong_code_is_refused_and_audited(self, world):
        client = Client()
        log_in(client, "aud")
        response = client.post(reverse("core:totp_verify"), {"code": wrong_code(world.audit_admin.totp_secret)})
        assert response.status_code == 200
        assert "code" in response.context["form"].errors
        assert not client.session.get(OTP_OK_KEY)
        failure = audit_rows(AuditAction.TOTP, actor=world.audit_admin).get()
        assert failure.outcome == AuditOutcome.FAILURE
        assert sends_to_totp_verify(client.get(HOME_URL))

    def test_an_administrator_can_log_out_before_setting_up_the_second_factor(self, world):
        make_user("new_sys", role=Role.SYSTEM_ADMIN, node=world.city)
        client = Client()
        log_in(client, "new_sys")
        response = client.post(reverse("core:logout"))
        assert sends_to_login(response)
        assert logged_in_user_id(client) is None

    def test_an_enrolled_administrator_cannot_replace_the_second_factor_without_giving_a_code(self, world):
        client = Client()
        log_in(client, "aud")
        for response in (client.get(reverse("core:totp_setup")),
                         client.post(reverse("core:totp_setup"), {"code": "123456"})):
            assert sends_to_totp_verify(response)
        assert "yinfa_totp_pending" not in client.session
        assert sends_to_totp_verify(client.get(HOME_URL))

    def test_a_verified_administrator_may_enrol_a_new_second_factor(self, world):
        client = Client()
        log_in(client, "aud")
        client.post(reverse("core:totp_verify"), {"code": pyotp.TOTP(world.audit_admin.totp_secret).now()})
        assert client.get(reverse("core:totp_setup")).status_code == 200

    @pytest.mark.parametrize(("next_url", "expected"), [
        ("https://evil.example/", HOME_URL),
        ("//evil.example/x", HOME_URL),
        ("/audit/", "/audit/"),
    ])
    def test_after_the_code_only_an_address_on_this_site_is_followed(self, world, next_url, expected):
        client = Client()
        log_in(client, "aud")
        response = client.post(f"{reverse('core:totp_verify')}?next={next_url}",
                               {"code": pyotp.TOTP(world.audit_admin.totp_secret).now()})
        assert response.status_code == 302 and response["Location"] == expected

    def test_five_wrong_codes_lock_the_account_even_across_new_logins(self, world):
        secret = world.audit_admin.totp_secret
        with time_machine.travel(START, tick=False) as traveller:
            client = Client()
            log_in(client, "aud")
            for _ in range(4):
                response = client.post(reverse("core:totp_verify"), {"code": wrong_code(secret)})
                assert response.status_code == 200
            response = client.post(reverse("core:totp_verify"), {"code": wrong_code(secret)})
            assert response.status_code == 429
            assert logged_in_user_id(client) is None
            lockout = audit_rows(AuditAction.LOCKOUT, actor=world.audit_admin).get()
            assert lockout.detail == {"username": "aud", "reason": "totp"}
            # The password alone still logs in, but the second step stays locked, even with the right code.
            client = Client()
            assert log_in(client, "aud").status_code == 302
            response = client.post(reverse("core:totp_verify"), {"code": pyotp.TOTP(secret).now()})
            assert response.status_code == 429
            assert logged_in_user_id(client) is None
            traveller.shift(timedelta(minutes=31))
            client = Client()
            log_in(client, "aud")
            response = client.post(reverse("core:totp_verify"), {"code": pyotp.TOTP(secret).now()})
            assert response.status_code == 302 and response["Location"] == HOME_URL

    def test_a_business_user_needs_no_second_factor(self, world):
        client = Client()
        log_in(client, "a_admin")
        assert client.get(HOME_URL).status_code == 200


def sends_to_totp_verify(response):
    return response.status_code == 302 and response["Location"] == reverse("core:totp_verify")


# --- 三员 exclusivity --------------------------------------------------------------------------------------------


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.active().select_related("node").get(user=user))


class TestThreeAdministratorsExclusivity:
    @pytest.mark.parametrize("held", sorted(ADMIN_ROLES))
    @pytest.mark.parametrize("wanted", sorted(ADMIN_ROLES))
    def test_no_account_holds_two_of_the_administrator_roles(self, held, wanted):
        if held == wanted:
            accounts.check_grant_allowed(user=None, role=wanted, existing_roles={held})  # same role again: fine
            return
        with pytest.raises(ValidationError):
            accounts.check_grant_allowed(user=None, role=wanted, existing_roles={held})

    @pytest.mark.parametrize("admin_role", sorted(ADMIN_ROLES))
    @pytest.mark.parametrize("business_role", sorted(BUSINESS_ROLES))
    def test_an_administrator_role_and_a_business_role_exclude_each_other(self, admin_role, business_role):
        with pytest.raises(ValidationError):
            accounts.check_grant_allowed(user=None, role=admin_role, existing_roles={business_role})
        with pytest.raises(ValidationError):
            accounts.check_grant_allowed(user=None, role=business_role, existing_roles={admin_role})

    def test_business_roles_combine_freely(self):
        accounts.check_grant_allowed(user=None, role=Role.UNIT_ADMIN,
                                     existing_roles={Role.BRANCH_SECRETARY, Role.VOLUNTEER})

    @pytest.mark.parametrize(("holder", "role"), [
        ("system_admin", Role.AUDIT_ADMIN),
        ("audit_admin", Role.SECURITY_ADMIN),
        ("county_a_admin", Role.SYSTEM_ADMIN),
        ("audit_admin", Role.BUREAU_ADMIN),
    ])
    def test_granting_a_clashing_role_is_refused_and_writes_nothing(self, world, holder, role):
        user = getattr(world, holder)
        before = set(RoleGrant.objects.filter(user=user).values_list("pk", flat=True))
        with pytest.raises(ValidationError):
            accounts.grant_role(actor=world.security_admin, actor_scope=scope_of(world.security_admin),
                                user=user, role=role, node=world.city)
        assert set(RoleGrant.objects.filter(user=user).values_list("pk", flat=True)) == before
        assert not audit_rows(AuditAction.GRANT).exists()

    def test_a_revoked_administrator_role_no_longer_blocks_a_business_role(self, world):
        sec_scope = scope_of(world.security_admin)
        grant = RoleGrant.objects.get(user=world.audit_admin)
        accounts.revoke_grant(actor=world.security_admin, actor_scope=sec_scope, grant=grant)
        new = accounts.grant_role(actor=world.security_admin, actor_scope=sec_scope, user=world.audit_admin,
                                  role=Role.UNIT_ADMIN, node=world.unit_a)
        assert new.role == Role.UNIT_ADMIN
        assert audit_rows(AuditAction.GRANT, object_id=str(world.audit_admin.pk)).exists()

    def test_a_bureau_administrator_cannot_grant_administrator_roles(self, world):
        with pytest.raises(ValidationError):
            accounts.grant_role(actor=world.city_admin, actor_scope=scope_of(world.city_admin),
                                user=world.no_role, role=Role.AUDIT_ADMIN, node=world.city)


# --- security headers and the deploy check ---------------------------------------------------------------------


class TestSecurityHeaders:
    def test_every_page_sends_a_strict_content_security_policy(self, world):
        for response in (Client().get(LOGIN_URL), login(world.county_a_admin).get(HOME_URL)):
            csp = response["Content-Security-Policy"]
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
            assert "script-src 'self'" in csp
            assert "style-src 'self'" in csp
            assert "frame-ancestors 'none'" in csp
            assert "default-src 'self'" in csp

    def test_pages_forbid_framing_and_sniffing_and_limit_the_referrer(self, world):
        for response in (Client().get(LOGIN_URL), login(world.county_a_admin).get(HOME_URL)):
            assert response["X-Frame-Options"] == "DENY"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Referrer-Policy"] == "same-origin"

    def test_pages_for_logged_in_users_are_not_stored(self, world):
        client = login(world.county_a_admin)
        for url in (HOME_URL, reverse("core:password_change"), reverse("core:totp_setup")):
            response = client.get(url)
            assert "no-store" in response.get("Cache-Control", ""), url


def test_the_production_settings_pass_the_deploy_check(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "YINFA_", "DATABASE_")) and key not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env.update({
        "DJANGO_SETTINGS_MODULE": "yinfa.settings",
        "YINFA_ENV": "production",
        "SECRET_KEY": "t3st-" + "Qz8vN2kLm4Rp7Xw1Yb5Hc9Jd6Ft0Gs3AeUi" * 2,
        "YINFA_FIELD_KEYS": "k1:" + "0123456789abcdef" * 2,
        "YINFA_BLIND_INDEX_KEY": "fedcba9876543210" * 4,
        "ALLOWED_HOSTS": "yinfa.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "YINFA_VAR_DIR": str(tmp_path / "var"),
    })
    result = subprocess.run([sys.executable, str(settings.BASE_DIR / "manage.py"), "check", "--deploy"],
                            env=env, capture_output=True, text=True, timeout=120, cwd=settings.BASE_DIR)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output.upper(), output


# --- Chinese pages -------------------------------------------------------------------------------------------


def test_the_login_page_and_the_home_page_are_in_chinese(world):
    login_page = Client().get(LOGIN_URL).content.decode()
    assert '<html lang="zh-hans">' in login_page
    assert "登录" in login_page
    assert "用户名或手机号" in login_page
    home_page = login(world.county_a_admin).get(HOME_URL).content.decode()
    assert '<html lang="zh-hans">' in home_page
    assert "首页" in home_page


class TestSecondFactorReplay:
    def test_a_login_code_is_accepted_only_once(self, world):
        import pyotp

        from yinfa.core.services.accounts import use_totp_code

        code = pyotp.TOTP(world.security_admin.totp_secret).now()
        assert use_totp_code(user=world.security_admin, code=code) is True
        assert use_totp_code(user=world.security_admin, code=code) is False

    def test_an_older_code_is_refused_after_a_newer_one_was_used(self, world):
        import pyotp
        from django.utils import timezone

        from yinfa.core.services.accounts import use_totp_code

        totp = pyotp.TOTP(world.audit_admin.totp_secret)
        now = timezone.now()
        newer = totp.at(now)
        older = totp.at(now - timezone.timedelta(seconds=30))
        assert use_totp_code(user=world.audit_admin, code=newer) is True
        assert use_totp_code(user=world.audit_admin, code=older) is False
