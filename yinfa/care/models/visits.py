"""Visits (走访慰问) and visit campaigns (e.g. 2026 春节慰问) split into tasks per unit or community.

A hospital stay is the person file's life event of kind ``hospital`` (``people.LifeEvent``: hospital, department,
diagnosis — health data); a visit may be linked to it. What the person said and needs (``feedback``, ``needs``)
can become a service order or a wish in one click (the needs app).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.care.querysets import CampaignQuerySet, CampaignTaskQuerySet, PersonRowQuerySet
from yinfa.core.uploads import stored_name


class VisitKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    HOSPITAL = "hospital", _("Hospital")
    FESTIVAL = "festival", _("Festival")
    ROUTINE = "routine", _("Routine visit")
    ELSEWHERE = "elsewhere", _("Living in another city")
    SURVIVOR = "survivor", _("Survivor")


class Visit(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="visits",
                               verbose_name=_("person"))
    kind = models.CharField(_("kind of visit"), max_length=20, choices=VisitKind.choices)
    visited_on = models.DateField(_("visited on"))
    visitors = models.CharField(_("visitors"), max_length=200)
    leaders = models.CharField(_("leaders present"), max_length=200, blank=True)
    gift = models.CharField(_("gift"), max_length=200, blank=True)
    money = models.DecimalField(_("money (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    feedback = models.TextField(_("what the person said"), blank=True)
    needs = models.TextField(_("needs"), blank=True)
    hospital_stay = models.ForeignKey("people.LifeEvent", on_delete=models.SET_NULL, null=True, blank=True,
                                      related_name="visits", verbose_name=_("hospital stay"))
    task = models.OneToOneField("care.CampaignTask", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="visit", verbose_name=_("campaign task"))
    organisation = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("visiting organisation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PersonRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["person", "visited_on"], name="visit_person_day"),
                   models.Index(fields=["visited_on"], name="visit_day")]

    def __str__(self):
        return f"{self.visited_on:%Y-%m-%d} {self.get_kind_display()}"


def visit_photo_path(instance, filename):
    return stored_name(f"visits/{instance.visit.uid}", filename)


class VisitPhoto(models.Model):
    """A photo of a visit; served only through a scoped view."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    file = models.FileField(_("photo"), upload_to=visit_photo_path, max_length=300)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["visit", "id"]


class Festival(models.TextChoices):
    SPRING = "spring", _("Spring Festival")
    DOUBLE_NINTH = "double_ninth", _("Double Ninth Festival")
    MID_AUTUMN = "mid_autumn", _("Mid-Autumn Festival")
    DRAGON_BOAT = "dragon_boat", _("Dragon Boat Festival")
    OTHER = "other", _("Other occasion")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Under way")
    CLOSED = "closed", _("Closed")


class VisitCampaign(models.Model):
    """A planned round of visits for a scope, e.g. "2026 春节慰问: all 离休, all 不能自理, all 独居 over 80"; the
    criteria are kept as data (``criteria``) so the roster can be drawn again the same way."""

    title = models.CharField(_("title"), max_length=120)
    festival = models.CharField(_("occasion"), max_length=20, choices=Festival.choices, default=Festival.SPRING)
    year = models.PositiveSmallIntegerField(_("year"))
    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("organisation"))
    scope_path = models.CharField(max_length=255, editable=False)
    due_on = models.DateField(_("visits due by"))
    criteria = models.JSONField(_("who is visited"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit campaign")
        verbose_name_plural = _("visit campaigns")
        ordering = ["-year", "-due_on", "-id"]
        indexes = [models.Index(fields=["scope_path"], name="campaign_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.title


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("To visit")
    DONE = "done", _("Visited")
    SKIPPED = "skipped", _("Not visited (reason)")


class CampaignTask(models.Model):
    """One person to visit in a campaign, assigned to the organisation that visits them (their former unit, or the
    community where they live)."""

    campaign = models.ForeignKey(VisitCampaign, on_delete=models.CASCADE, related_name="tasks",
                                 verbose_name=_("campaign"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="visit_tasks",
                               verbose_name=_("person"))
    assignee = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("visited by"))
    assignee_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    done_on = models.DateField(_("visited on"), null=True, blank=True)

    objects = CampaignTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign task")
        verbose_name_plural = _("campaign tasks")
        ordering = ["campaign", "assignee_path", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "person"], name="one_task_per_person")]
        indexes = [
            models.Index(fields=["campaign", "assignee", "status"], name="task_progress"),
            models.Index(fields=["assignee_path"], name="task_assignee_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.campaign_id}: {self.person_id}"
