"""Care contacts for the most vulnerable: policies per scope (独居 or 不能自理 or aged 90+ → every 7 days; 空巢 →
every 14 days), each vulnerable person assigned to a carer, contacts logged, and escalations when a contact is
overdue or two in a row go unanswered — open until someone records the follow-up."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.care.querysets import PersonRowQuerySet, PolicyQuerySet


class Condition(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    DEPENDENT = "dependent", _("Cannot look after themselves")
    AGED_90 = "aged_90", _("Aged 90 or over")
    EMPTY_NEST = "empty_nest", _("Empty nest")


class CarePolicy(models.Model):
    """Whoever matches ``condition`` in the policy's organisation is contacted at least every ``interval_days``."""

    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("organisation"))
    node_path = models.CharField(max_length=255, editable=False)
    condition = models.CharField(_("who"), max_length=20, choices=Condition.choices)
    interval_days = models.PositiveSmallIntegerField(_("contact at least every (days)"))
    active = models.BooleanField(_("in force"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("care policy")
        verbose_name_plural = _("care policies")
        ordering = ["node_path", "condition"]
        constraints = [models.UniqueConstraint(fields=["node", "condition"], name="one_policy_per_condition")]

    def __str__(self):
        return f"{self.get_condition_display()}: {self.interval_days}"


class CareAssignment(models.Model):
    """A vulnerable person looked after by a carer (community staff or a volunteer); one open assignment each."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="care_assignments",
                               verbose_name=_("person"))
    carer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_assignments",
                              verbose_name=_("carer"))
    interval_days = models.PositiveSmallIntegerField(_("contact at least every (days)"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    # Cached by the contact services: the escalation job and the carer's list filter on them.
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True, editable=False)
    next_due_on = models.DateField(_("next contact due"), editable=False)
    unanswered_in_a_row = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("care assignment")
        verbose_name_plural = _("care assignments")
        ordering = ["next_due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True),
                                               name="one_open_care_assignment")]
        indexes = [models.Index(fields=["ended_on", "next_due_on"], name="care_due"),
                   models.Index(fields=["carer", "ended_on"], name="care_carer")]


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Home visit")


class ContactOutcome(models.TextChoices):
    WELL = "well", _("All well")
    NEEDS_HELP = "needs_help", _("Needs help")
    NO_ANSWER = "no_answer", _("No answer")


class CareContact(models.Model):
    assignment = models.ForeignKey(CareAssignment, on_delete=models.PROTECT, related_name="contacts",
                                   verbose_name=_("assignment"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="care_contacts",
                               verbose_name=_("person"))
    carer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("carer"))
    contacted_at = models.DateTimeField(_("contacted at"))
    method = models.CharField(_("how"), max_length=10, choices=ContactMethod.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ContactOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("care contact")
        verbose_name_plural = _("care contacts")
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["person", "contacted_at"], name="contact_person")]


class EscalationReason(models.TextChoices):
    OVERDUE = "overdue", _("Contact overdue")
    NO_ANSWER = "no_answer", _("No answer twice in a row")
    NEEDS_HELP = "needs_help", _("Needs help")


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Followed up")


class Escalation(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="care_escalations",
                               verbose_name=_("person"))
    assignment = models.ForeignKey(CareAssignment, on_delete=models.PROTECT, related_name="escalations",
                                   verbose_name=_("assignment"))
    reason = models.CharField(_("reason"), max_length=12, choices=EscalationReason.choices)
    status = models.CharField(_("status"), max_length=10, choices=EscalationStatus.choices,
                              default=EscalationStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    follow_up = models.TextField(_("follow-up"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    resolved_at = models.DateTimeField(_("followed up at"), null=True, blank=True)

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "reason"], condition=Q(status="open"),
                                               name="one_open_escalation_per_reason")]
        indexes = [models.Index(fields=["status", "opened_at"], name="escalation_open")]
