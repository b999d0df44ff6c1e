"""Accounts, passwords, second factor and role grants."""

import pyotp
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, PasswordHistory, RoleGrant, User
from yinfa.core.permissions import ADMIN_ROLES, Role, roles_grantable_with

USER_AUDIT_FIELDS = ["username", "full_name", "mobile", "email", "is_active", "disabled_reason", "large_font"]
PROTECTED = {"mobile"}


def _remember_password(user):
    PasswordHistory.objects.create(user=user, password=user.password)


def _check_mobile_free(mobile, user=None):
    from yinfa.core.fields import lookup_index

    index = lookup_index(User, "mobile_index", mobile)
    taken = User.objects.filter(mobile_index=index) if index else User.objects.none()
    if user is not None and user.pk:
        taken = taken.exclude(pk=user.pk)
    if taken.exists():
        raise ValidationError({"mobile": _("This mobile number is already used by another account.")})


@transaction.atomic
def create_user(*, actor, username, full_name, password, mobile="", email="", must_change_password=True):
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This user name is already taken.")})
    _check_mobile_free(mobile)
    user = User(username=username, full_name=full_name, mobile=mobile, email=email,
                must_change_password=must_change_password)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    _remember_password(user)
    audit.record(AuditAction.CREATE, actor=actor, obj=user,
                 changes=audit.diff({}, audit.snapshot(user, USER_AUDIT_FIELDS, PROTECTED)))
    return user


@transaction.atomic
def create_account(*, actor, actor_scope, username, full_name, password, mobile="", email="", role=None,
                   node=None):
    """A new account and its first role together, or neither (below the top of the tree an account
    without a role would be invisible to the one who created it)."""
    user = create_user(actor=actor, username=username, full_name=full_name, password=password, mobile=mobile,
                       email=email, must_change_password=True)
    if role:
        grant_role(actor=actor, actor_scope=actor_scope, user=user, role=role, node=node)
    return user


@transaction.atomic
def update_user(*, actor, user, **values):
    allowed = {"full_name", "mobile", "email", "large_font"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if "mobile" in values:
        _check_mobile_free(values["mobile"], user)
    before = audit.snapshot(user, USER_AUDIT_FIELDS, PROTECTED)
    for name, value in values.items():
        setattr(user, name, value)
    user.save()
    changes = audit.diff(before, audit.snapshot(user, USER_AUDIT_FIELDS, PROTECTED))
    if changes:
        audit.record(AuditAction.UPDATE, actor=actor, obj=user, changes=changes)
    return user


@transaction.atomic
def set_large_font(*, actor, user, enabled):
    User.objects.filter(pk=user.pk).update(large_font=bool(enabled))
    user.large_font = bool(enabled)
    return user


@transaction.atomic
def set_active(*, actor, user, active, reason=""):
    """Enable or disable an account. A disabled account's sessions stop working at once."""
    if actor is not None and actor.pk == user.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    if not active and not reason.strip():
        raise ValidationError({"reason": _("Give a reason for disabling the account.")})
    before = audit.snapshot(user, USER_AUDIT_FIELDS, PROTECTED)
    user.is_active = bool(active)
    user.disabled_reason = "" if active else reason.strip()
    user.save(update_fields=["is_active", "disabled_reason"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=user,
                 changes=audit.diff(before, audit.snapshot(user, USER_AUDIT_FIELDS, PROTECTED)))
    return user


@transaction.atomic
def change_password(*, actor, user, new_password):
    """The account holder sets a new password (checked against the rules and the history)."""
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    audit.record(AuditAction.PASSWORD_CHANGE, actor=actor, obj=user)
    return user


@transaction.atomic
def reset_password(*, actor, user, new_password):
    """An administrator sets a temporary password; the holder must change it at next login."""
    password_validation.validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    _remember_password(user)
    audit.record(AuditAction.PASSWORD_CHANGE, actor=actor, obj=user, detail={"reset_by_admin": True})
    return user


def new_totp_secret():
    return pyotp.random_base32()


def totp_uri(user, secret, issuer="Yinfa"):
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=issuer)


def _matching_step(secret, code, now=None):
    """The time step (within one step of now) whose code equals ``code``, or None."""
    code = "".join(ch for ch in str(code) if ch.isdigit())
    if not secret or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = now or timezone.now()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def verify_totp(secret, code):
    """Whether ``code`` is a current code of ``secret`` (used at enrolment, where nothing is replayed yet)."""
    return _matching_step(secret, code) is not None


@transaction.atomic
def use_totp_code(*, user, code):
    """Accept a login code once: a code (or an older one) already used is refused, so it cannot be replayed."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    step = _matching_step(locked.totp_secret, code)
    if step is None or step <= locked.totp_last_step:
        return False
    User.objects.filter(pk=user.pk).update(totp_last_step=step)
    user.totp_last_step = step
    return True


@transaction.atomic
def confirm_totp(*, actor, user, secret, code):
    if not verify_totp(secret, code):
        raise ValidationError({"code": _("The code is wrong or has expired. Try the current code.")})
    user.totp_secret = secret
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = _matching_step(secret, code)
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    audit.record(AuditAction.TOTP, actor=actor, obj=user, detail={"enrolled": True})
    return user


@transaction.atomic
def clear_totp(*, actor, user):
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    audit.record(AuditAction.TOTP, actor=actor, obj=user, detail={"cleared": True})
    return user


def check_grant_allowed(*, user, role, existing_roles):
    """三员分立: the three administrator roles exclude each other and every business role."""
    role = Role(role)
    others = set(existing_roles)
    if role in ADMIN_ROLES:
        clash = others - {role}
        if clash:
            raise ValidationError(
                _("An administrator role (system, security, audit) cannot be combined with any other role.")
            )
    elif others & ADMIN_ROLES:
        raise ValidationError(
            _("This account holds an administrator role (system, security, audit) and cannot hold other roles.")
        )


@transaction.atomic
def grant_role(*, actor, actor_scope, user, role, node, starts_on=None, ends_on=None):
    if role not in roles_grantable_with(actor_scope.permissions):
        raise ValidationError({"role": _("You may not grant this role.")})
    if not node.path.startswith(actor_scope.path):
        raise ValidationError({"node": _("You may grant roles only inside your own scope.")})
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    # Lock the account's grants so that two concurrent grants cannot break the exclusivity rule.
    User.objects.select_for_update().filter(pk=user.pk).first()
    existing = set(RoleGrant.objects.filter(user=user, revoked_at__isnull=True).values_list("role", flat=True))
    check_grant_allowed(user=user, role=role, existing_roles=existing)
    grant = RoleGrant.objects.create(user=user, role=role, node=node, starts_on=starts_on, ends_on=ends_on,
                                     granted_by=actor)
    audit.record(AuditAction.GRANT, actor=actor, obj=user, scope_path=node.path,
                 detail={"role": role, "node": node.name, "node_id": node.pk, "grant_id": grant.pk,
                         "starts_on": str(starts_on or ""), "ends_on": str(ends_on or "")})
    return grant


@transaction.atomic
def revoke_grant(*, actor, actor_scope, grant):
    if grant.revoked_at is not None:
        return grant
    if grant.role not in roles_grantable_with(actor_scope.permissions):
        raise ValidationError(_("You may not revoke this role."))
    if actor is not None and grant.user_id == actor.pk:
        raise ValidationError(_("You cannot revoke your own role."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(AuditAction.REVOKE, actor=actor, obj=grant.user, scope_path=grant.node.path,
                 detail={"role": grant.role, "node": grant.node.name, "grant_id": grant.pk})
    return grant
