"""Party dues (党费) of retired members: pension bases by effective month, branch decisions to reduce or waive,
payments (one per member per month, enforced by a unique constraint), and the arrears alerts already sent.

Months are stored as the first day of the month. Money is ``Decimal`` with two places throughout.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.dues.querysets import DecisionQuerySet, PaymentQuerySet, PensionBaseQuerySet


class BaseSource(models.TextChoices):
    ENTERED = "entered", _("Entered")
    IMPORTED = "imported", _("Imported")


class PensionBase(models.Model):
    """The member's basic pension (基本离退休费, allowances excluded) from ``effective_month`` on."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="pension_bases",
                               verbose_name=_("person"))
    effective_month = models.DateField(_("effective from month"))
    amount = models.DecimalField(_("monthly base (yuan)"), max_digits=10, decimal_places=2)
    source = models.CharField(_("source"), max_length=10, choices=BaseSource.choices, default=BaseSource.ENTERED)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PensionBaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("pension base")
        verbose_name_plural = _("pension bases")
        ordering = ["person", "-effective_month"]
        constraints = [models.UniqueConstraint(fields=["person", "effective_month"], name="one_base_per_month")]

    def __str__(self):
        return f"{self.person_id} {self.effective_month:%Y-%m}: {self.amount}"


class DecisionKind(models.TextChoices):
    REDUCE = "reduce", _("Reduced")
    WAIVE = "waive", _("Waived")


class DuesDecision(models.Model):
    """A branch decision to reduce or waive a member in real hardship (recorded, never implied)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="dues_decisions",
                               verbose_name=_("person"))
    branch = models.ForeignKey("partylife.Branch", on_delete=models.PROTECT, related_name="dues_decisions",
                               verbose_name=_("branch"))
    branch_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("decision"), max_length=10, choices=DecisionKind.choices)
    monthly_amount = models.DecimalField(_("reduced monthly amount"), max_digits=10, decimal_places=2, null=True,
                                         blank=True)
    from_month = models.DateField(_("from month"))
    to_month = models.DateField(_("until month"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"))
    decision = models.TextField(_("branch decision"),
                                help_text=_("The meeting and its resolution, e.g. 支部委员会 2026-03-05 决定."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues decision")
        verbose_name_plural = _("dues decisions")
        ordering = ["person", "-from_month"]

    def __str__(self):
        return f"{self.person_id} {self.kind} {self.from_month:%Y-%m}"

    def covers(self, month):
        return self.from_month <= month and (self.to_month is None or month <= self.to_month)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    TRANSFER = "transfer", _("Transfer")
    PROXY = "proxy", _("Paid by proxy")


class DuesPayment(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="dues_payments",
                               verbose_name=_("person"))
    month = models.DateField(_("month"))
    branch = models.ForeignKey("partylife.Branch", on_delete=models.PROTECT, related_name="dues_payments",
                               verbose_name=_("branch"))
    branch_path = models.CharField(max_length=255, editable=False)
    base = models.DecimalField(_("base"), max_digits=10, decimal_places=2, null=True)
    amount_due = models.DecimalField(_("amount due"), max_digits=10, decimal_places=2)
    amount_paid = models.DecimalField(_("amount paid"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices,
                              default=PaymentMethod.CASH)
    batch = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        ordering = ["person", "month"]
        constraints = [models.UniqueConstraint(fields=["person", "month"], name="one_payment_per_member_month")]
        indexes = [
            models.Index(fields=["branch", "month"], name="payment_branch_month"),
            models.Index(fields=["branch_path", "month"], name="payment_path_month",
                         opclasses=["varchar_pattern_ops", "date_ops"]),
        ]

    def __str__(self):
        return f"{self.person_id} {self.month:%Y-%m}: {self.amount_paid}"


class AlertLevel(models.TextChoices):
    WARNING = "warning", _("Three months unpaid: warning")
    ESCALATION = "escalation", _("Five months unpaid: escalated to the work committee")


class ArrearsAlert(models.Model):
    """An arrears warning or escalation sent for a member's run of unpaid months (sent once per run)."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=12, choices=AlertLevel.choices)
    since_month = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "level", "since_month"],
                                               name="one_alert_per_run")]
