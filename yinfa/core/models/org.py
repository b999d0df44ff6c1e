"""The organisation tree: bureaus, counties, units, streets, communities, party bodies."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.querysets import OrgNodeQuerySet


class OrgKind(models.TextChoices):
    BUREAU = "bureau", _("Veteran cadres bureau")
    DISTRICT = "district", _("County / district")
    UNIT = "unit", _("Work unit")
    STREET = "street", _("Street / town")
    COMMUNITY = "community", _("Community")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General party branch")
    BRANCH = "branch", _("Party branch")
    PARTY_GROUP = "party_group", _("Party group")
    ASSOCIATION = "association", _("Association / volunteer team")


class UnitKind(models.TextChoices):
    ORGAN = "organ", _("Government organ")
    INSTITUTION = "institution", _("Public institution")
    ENTERPRISE = "enterprise", _("Enterprise")


# Which kinds may sit under which: a guard against nonsense trees, not a bureaucracy.
ALLOWED_CHILD_KINDS = {
    OrgKind.BUREAU: {OrgKind.BUREAU, OrgKind.DISTRICT, OrgKind.UNIT, OrgKind.STREET, OrgKind.PARTY_COMMITTEE,
                     OrgKind.ASSOCIATION},
    OrgKind.DISTRICT: {OrgKind.BUREAU, OrgKind.UNIT, OrgKind.STREET, OrgKind.PARTY_COMMITTEE, OrgKind.ASSOCIATION},
    OrgKind.UNIT: {OrgKind.UNIT, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH,
                   OrgKind.ASSOCIATION},
    OrgKind.STREET: {OrgKind.COMMUNITY, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH,
                     OrgKind.ASSOCIATION},
    OrgKind.COMMUNITY: {OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.ASSOCIATION},
    OrgKind.PARTY_COMMITTEE: {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH},
    OrgKind.GENERAL_BRANCH: {OrgKind.BRANCH},
    OrgKind.BRANCH: {OrgKind.PARTY_GROUP},
    OrgKind.PARTY_GROUP: set(),
    OrgKind.ASSOCIATION: {OrgKind.ASSOCIATION, OrgKind.BRANCH},
}


class OrgNode(models.Model):
    """One node of the single organisation tree.

    ``path`` is a materialised path of base-36 ids, e.g. ``/1/2s/`` — a subtree is
    ``path LIKE '/1/2s/%'``, served by an index (varchar_pattern_ops on PostgreSQL).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    unit_kind = models.CharField(_("unit kind"), max_length=20, choices=UnitKind.choices, blank=True)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    child_count = models.PositiveIntegerField(default=0, editable=False)
    sort_order = models.IntegerField(_("sort order"), default=0)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgNodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "sort_order", "name"], name="orgnode_children"),
            models.Index(fields=["name"], name="orgnode_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_closed(self):
        return self.closed_on is not None and self.closed_on <= timezone.localdate()

    @property
    def ancestor_ids(self):
        return [int(part, 36) for part in self.path.strip("/").split("/") if part][:-1]

    def is_within(self, other_path: str) -> bool:
        return self.path.startswith(other_path)
