"""Compliance with the required organisational life: the rules, and the precomputed result per branch and year.

``BranchCompliance`` is the summary table the pages read: one row per branch and year with the totals over all
rules and, in ``detail``, per rule the four bit masks (open, expected, held, on time; bit i = period i). It is
rebuilt for a whole year in a few SQL statements (``services.compliance.refresh``) and for one branch after each
meeting is saved.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.partylife.models.meeting import MeetingKind
from yinfa.partylife.periods import Frequency
from yinfa.partylife.querysets import ComplianceQuerySet


class ComplianceRule(models.Model):
    name = models.CharField(_("name"), max_length=80)
    meeting_kind = models.CharField(_("meeting type"), max_length=20, choices=MeetingKind.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    branch_kinds = models.JSONField(_("branch kinds"), default=list, blank=True,
                                    help_text=_("Empty: every kind of branch."))
    grace_days = models.PositiveSmallIntegerField(_("days of grace"), default=0)
    active = models.BooleanField(_("in force"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("compliance rule")
        verbose_name_plural = _("compliance rules")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name

    def applies_to(self, branch_kind) -> bool:
        return not self.branch_kinds or branch_kind in self.branch_kinds


class BranchCompliance(models.Model):
    branch = models.ForeignKey("partylife.Branch", on_delete=models.CASCADE, related_name="compliance",
                               verbose_name=_("branch"))
    year = models.PositiveSmallIntegerField(_("year"))
    branch_path = models.CharField(max_length=255, editable=False)
    expected = models.PositiveIntegerField(_("expected"), default=0)
    held = models.PositiveIntegerField(_("held"), default=0)
    on_time = models.PositiveIntegerField(_("on time"), default=0)
    # {rule id: [open mask, expected mask, held mask, on-time mask]}
    detail = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    objects = ComplianceQuerySet.as_manager()

    class Meta:
        verbose_name = _("branch compliance")
        verbose_name_plural = _("branch compliance")
        constraints = [models.UniqueConstraint(fields=["branch", "year"], name="one_compliance_row_per_year")]
        indexes = [models.Index(fields=["year", "branch_path"], name="compliance_year_path",
                                opclasses=["int2_ops", "varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.branch_id} {self.year}: {self.held}/{self.expected}"


class ComplianceReminder(models.Model):
    """A reminder sent to a branch's secretaries for a period without its required meeting (sent once)."""

    branch = models.ForeignKey("partylife.Branch", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(ComplianceRule, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    period = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["branch", "rule", "year", "period"],
                                               name="one_reminder_per_period")]
