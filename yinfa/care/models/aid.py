"""Hardship aid (困难帮扶): an application for a person → unit review → 老干部局 approval (the amount granted may
differ) → payment; rejections need a reason. ``AidStep`` keeps every transition (who, when, from, to, comment),
beside the audit trail, so the application shows its own history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.care.querysets import PersonRowQuerySet
from yinfa.core.uploads import stored_name


class AidKind(models.TextChoices):
    EXTREME_HARDSHIP = "extreme_hardship", _("Extreme hardship allowance")
    WIDOW = "widow", _("Widow's allowance")
    MEDICAL = "medical", _("Medical aid")
    TEMPORARY = "temporary", _("Temporary aid")


class AidStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted, awaiting the unit's review")
    UNIT_REVIEWED = "unit_reviewed", _("Reviewed by the unit, awaiting approval")
    APPROVED = "approved", _("Approved, awaiting payment")
    PAID = "paid", _("Paid out")
    REJECTED = "rejected", _("Rejected")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Bank transfer")
    GOODS = "goods", _("Goods")


class AidApplication(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="aid_applications",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind of aid"), max_length=20, choices=AidKind.choices)
    reason = models.TextField(_("reason"))
    amount_requested = models.DecimalField(_("amount asked (yuan)"), max_digits=10, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=AidStatus.choices, default=AidStatus.SUBMITTED)
    amount_granted = models.DecimalField(_("amount granted (yuan)"), max_digits=10, decimal_places=2, null=True,
                                         blank=True)
    amount_paid = models.DecimalField(_("amount paid (yuan)"), max_digits=10, decimal_places=2, null=True,
                                      blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices,
                                      blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    applied_on = models.DateField(_("applied on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("aid application")
        verbose_name_plural = _("aid applications")
        ordering = ["-applied_on", "-id"]
        indexes = [models.Index(fields=["status", "applied_on"], name="aid_status_day"),
                   models.Index(fields=["person", "applied_on"], name="aid_person")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.applied_on:%Y-%m-%d}"


class AidStep(models.Model):
    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="steps",
                                    verbose_name=_("application"))
    from_status = models.CharField(max_length=20, choices=AidStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=AidStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aid step")
        verbose_name_plural = _("aid steps")
        ordering = ["application", "at", "id"]


def aid_file_path(instance, filename):
    return stored_name(f"aid/{instance.application.uid}", filename)


class AidAttachment(models.Model):
    application = models.ForeignKey(AidApplication, on_delete=models.CASCADE, related_name="attachments",
                                    verbose_name=_("application"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=aid_file_path, max_length=300)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("aid attachment")
        verbose_name_plural = _("aid attachments")
        ordering = ["application", "id"]
