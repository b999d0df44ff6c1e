"""Configurable assessment (六好, 五化, star ratings): templates of weighted items, rounds, and each branch's scores.

An item is scored by hand (with evidence) or from the system's own records (``ItemSource``); a round moves
draft → self-assessment → review → published, and each branch's assessment pending → submitted → reviewed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.core.uploads import stored_name
from yinfa.partylife.querysets import BranchAssessmentQuerySet, RoundQuerySet


class Scheme(models.TextChoices):
    LIUHAO = "liuhao", _("Six goods (六好)")
    WUHUA = "wuhua", _("Five standards (五化)")
    STARS = "stars", _("Star rating (100 points)")
    CUSTOM = "custom", _("Other scheme")


class ItemSource(models.TextChoices):
    MANUAL = "manual", _("Scored by hand, with evidence")
    COMMITTEE_MONTHS = "committee_months", _("Committee meeting held in at least N months")
    GENERAL_QUARTERS = "general_quarters", _("General meeting held in at least N quarters")
    LECTURE_QUARTERS = "lecture_quarters", _("Party lecture held in at least N quarters")
    COMPLIANCE_RATE = "compliance_rate", _("Required meetings held: at least N %")
    ATTENDANCE_RATE = "attendance_rate", _("Attendance (present or study delivered): at least N %")
    NO_DUES_ARREARS = "no_dues_arrears", _("Party dues: no member in arrears of N months or more")
    COMMITTEE_IN_PLACE = "committee_in_place", _("Committee or secretary in office, term not over")


class AssessmentTemplate(models.Model):
    name = models.CharField(_("name"), max_length=80)
    scheme = models.CharField(_("scheme"), max_length=20, choices=Scheme.choices, default=Scheme.CUSTOM)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("defined by"))
    node_path = models.CharField(max_length=255, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment template")
        verbose_name_plural = _("assessment templates")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class AssessmentItem(models.Model):
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="items",
                                 verbose_name=_("template"))
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    title = models.CharField(_("item"), max_length=120)
    description = models.TextField(_("how it is scored"), blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    source = models.CharField(_("scored from"), max_length=30, choices=ItemSource.choices,
                              default=ItemSource.MANUAL)
    threshold = models.DecimalField(_("N"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        ordering = ["template", "sort_order", "id"]

    def __str__(self):
        return self.title


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    REVIEW = "review", _("Under review")
    PUBLISHED = "published", _("Published")


class AssessmentRound(models.Model):
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.PROTECT, related_name="rounds",
                                 verbose_name=_("template"))
    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("organisation"))
    scope_path = models.CharField(max_length=255, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(_("status"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    self_due_on = models.DateField(_("self-assessment due on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title


class AssessmentStatus(models.TextChoices):
    PENDING = "pending", _("Not yet submitted")
    SUBMITTED = "submitted", _("Self-assessment submitted")
    REVIEWED = "reviewed", _("Reviewed")


class BranchAssessment(models.Model):
    round = models.ForeignKey(AssessmentRound, on_delete=models.CASCADE, related_name="assessments",
                              verbose_name=_("round"))
    branch = models.ForeignKey("partylife.Branch", on_delete=models.PROTECT, related_name="assessments",
                               verbose_name=_("branch"))
    branch_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.PENDING)
    self_total = models.DecimalField(_("self-assessed score"), max_digits=7, decimal_places=2, null=True)
    final_total = models.DecimalField(_("final score"), max_digits=7, decimal_places=2, null=True)
    review_comment = models.TextField(_("review comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    objects = BranchAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("branch assessment")
        verbose_name_plural = _("branch assessments")
        ordering = ["round", "branch_path"]
        constraints = [models.UniqueConstraint(fields=["round", "branch"], name="one_assessment_per_branch")]
        indexes = [models.Index(fields=["branch_path"], name="assessment_branch_path",
                                opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.round_id}: {self.branch_id}"


def evidence_path(instance, filename):
    return stored_name(f"assessment/{instance.assessment.round_id}", filename)


class ItemScore(models.Model):
    assessment = models.ForeignKey(BranchAssessment, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("assessment"))
    item = models.ForeignKey(AssessmentItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    system_score = models.DecimalField(_("score from the records"), max_digits=6, decimal_places=2, null=True)
    system_basis = models.CharField(_("what the records show"), max_length=200, blank=True)
    self_score = models.DecimalField(_("self-assessed score"), max_digits=6, decimal_places=2, null=True)
    final_score = models.DecimalField(_("final score"), max_digits=6, decimal_places=2, null=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_path, max_length=300, blank=True)
    comment = models.CharField(_("reviewer's comment"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("item score")
        verbose_name_plural = _("item scores")
        ordering = ["assessment", "item__sort_order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="one_score_per_item")]

    def __str__(self):
        return f"{self.assessment_id}/{self.item_id}"
