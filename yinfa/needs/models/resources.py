"""The resource list (资源清单: who offers what, where and when), the service menu (what a retiree can order, with
its working-day service levels) and the project list (项目清单: recurring services agreed with a provider)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.needs.querysets import OwnedByNodeQuerySet


class ServiceCategory(models.TextChoices):
    HOUSEHOLD = "household", _("Housework and repairs")
    HEALTH = "health", _("Health and medical")
    ERRANDS = "errands", _("Errands and shopping")
    COMPANY = "company", _("Company and conversation")
    HAIRCUT = "haircut", _("Haircut and personal care")
    LEGAL = "legal", _("Legal and paperwork")
    DIGITAL = "digital", _("Phones and computers")
    CULTURE = "culture", _("Culture and study")
    OTHER = "other", _("Other")


class ProviderKind(models.TextChoices):
    UNIT = "unit", _("Unit")
    COMMUNITY = "community", _("Community")
    VOLUNTEER = "volunteer", _("Volunteer")
    RETIREE = "retiree", _("Retiree with a talent")
    ORGANISATION = "organisation", _("Social organisation or business")


class Resource(models.Model):
    """One entry of the resource list: a provider and what they offer. A volunteer's entry points to their account
    (so an order can be assigned to them); a retiree's to their person file (银发人才库)."""

    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("organisation keeping the entry"))
    node_path = models.CharField(max_length=255, editable=False)
    provider_kind = models.CharField(_("kind of provider"), max_length=20, choices=ProviderKind.choices)
    provider_name = models.CharField(_("provider"), max_length=120)
    provider_node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+", verbose_name=_("providing organisation"))
    provider_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="service_resources", verbose_name=_("volunteer's account"))
    provider_person = models.ForeignKey("people.Person", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="service_resources", verbose_name=_("retiree"))
    # The community the provider serves or lives in: suggestions rank providers of the person's community first.
    community = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("community served"))
    categories = models.JSONField(_("kinds of service"), default=list)
    offer = models.CharField(_("what is offered"), max_length=200)
    skills = models.CharField(_("skills (separated by spaces)"), max_length=200, blank=True)
    place = models.CharField(_("where"), max_length=120, blank=True)
    available = models.CharField(_("when"), max_length=120, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    active = models.BooleanField(_("available"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedByNodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["provider_kind", "provider_name", "id"]
        indexes = [models.Index(fields=["node_path"], name="resource_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.provider_name}: {self.offer}"


class ServiceItem(models.Model):
    """An entry of the service menu. Levels are in working days (holidays and make-up days from the holiday table):
    accepted within ``accept_days``, carried out within ``complete_days`` of the order."""

    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("organisation offering it"))
    node_path = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("service"), max_length=80)
    category = models.CharField(_("kind of service"), max_length=20, choices=ServiceCategory.choices)
    description = models.TextField(_("description"), blank=True)
    accept_days = models.PositiveSmallIntegerField(_("accepted within (working days)"), default=1)
    complete_days = models.PositiveSmallIntegerField(_("carried out within (working days)"), default=5)
    free = models.BooleanField(_("free of charge"), default=True)
    price_note = models.CharField(_("charges"), max_length=120, blank=True)
    active = models.BooleanField(_("on the menu"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedByNodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("service menu item")
        verbose_name_plural = _("service menu")
        ordering = ["category", "name", "id"]
        indexes = [models.Index(fields=["node_path"], name="service_item_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter")
    ON_DEMAND = "on_demand", _("When ordered")


class ServiceProject(models.Model):
    """The project list (项目清单): a service agreed with a provider for a period, e.g. "every month, the county
    hospital's doctors see the 离休 cadres of 东门社区 at home". Orders may be filed under a project."""

    node = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("organisation"))
    node_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("project"), max_length=120)
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, null=True, blank=True, related_name="projects",
                             verbose_name=_("service"))
    provider = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="projects",
                                 verbose_name=_("provider"))
    frequency = models.CharField(_("how often"), max_length=20, choices=Frequency.choices)
    beneficiaries = models.CharField(_("for whom"), max_length=200, blank=True)
    agreement = models.TextField(_("what was agreed"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    active = models.BooleanField(_("in force"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedByNodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("project list")
        ordering = ["-starts_on", "title", "id"]
        indexes = [models.Index(fields=["node_path"], name="project_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.title
