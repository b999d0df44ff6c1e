"""Accounts, role grants and password history."""

import re
import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.core.fields import BlindIndexField, EncryptedTextField
from yinfa.core.permissions import Role
from yinfa.core.querysets import RoleGrantQuerySet, UserQuerySet


def normalize_mobile(value: str) -> str:
    """Digits only, without a +86/0086 prefix: '138 0013 8000' → '13800138000'."""
    digits = re.sub(r"\D", "", str(value).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


class YinfaUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    mobile = EncryptedTextField(_("mobile number"))
    mobile_index = BlindIndexField(source="mobile", normalizer=normalize_mobile)
    must_change_password = models.BooleanField(_("must change password"), default=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    large_font = models.BooleanField(_("large font"), default=False)
    totp_secret = EncryptedTextField(_("TOTP secret"))
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last 30-second time step whose code was accepted: a code is never accepted twice.
    totp_last_step = models.BigIntegerField(default=0, editable=False)
    disabled_reason = models.CharField(_("reason for disabling"), max_length=200, blank=True)

    objects = YinfaUserManager()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["mobile_index"], condition=~models.Q(mobile_index=""), name="user_unique_mobile"
            )
        ]

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self):
        return self.full_name or self.username

    @property
    def has_totp(self):
        return bool(self.totp_confirmed_at)


class RoleGrant(models.Model):
    """A role held by an account at one node of the tree, for a period."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("account"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    node = models.ForeignKey(
        "core.OrgNode", on_delete=models.PROTECT, related_name="grants", verbose_name=_("organisation")
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user_active")]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} @ {self.node}"


class PasswordHistory(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
