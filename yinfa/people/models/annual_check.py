"""The annual check (年检): once a year each unit confirms every file of its scope."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")


class AnnualCheckCampaign(models.Model):
    year = models.PositiveSmallIntegerField(_("year"))
    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="annual_checks",
                             verbose_name=_("organisation"))
    scope_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("title"), max_length=120)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("annual check")
        verbose_name_plural = _("annual checks")
        ordering = ["-year", "scope_path"]
        constraints = [models.UniqueConstraint(fields=["year", "node"], name="annual_check_once_a_year")]

    def __str__(self):
        return self.title


class CheckStatus(models.TextChoices):
    PENDING = "pending", _("Not yet confirmed")
    CONFIRMED = "confirmed", _("Confirmed unchanged")
    CORRECTED = "corrected", _("Confirmed after correction")


class AnnualCheckItem(models.Model):
    """One person to confirm in one campaign, assigned to the unit that answers for them."""

    campaign = models.ForeignKey(AnnualCheckCampaign, on_delete=models.CASCADE, related_name="items")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="annual_checks")
    unit = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit"))
    unit_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=CheckStatus.choices, default=CheckStatus.PENDING)
    alive = models.BooleanField(_("alive"), null=True)
    address_ok = models.BooleanField(_("address correct"), null=True)
    phone_ok = models.BooleanField(_("phone correct"), null=True)
    status_ok = models.BooleanField(_("status correct"), null=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("annual check item")
        verbose_name_plural = _("annual check items")
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="annual_check_person_once")]
        indexes = [models.Index(fields=["campaign", "unit", "status"], name="annual_check_progress")]
