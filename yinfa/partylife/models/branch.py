"""Retiree party branches: the branch profile beside its node in the organisation tree, and its committee terms.

A branch *is* an ``OrgNode`` of kind ``branch`` (so scope, moves and closing work as for every node); the
``Branch`` row holds what only a branch has: its kind, its liaison, the cached member counts that the warning
list filters on, and the end of the current committee term. Party groups are the node's children of kind
``party_group``. Founding and closing dates are the node's ``opened_on`` and ``closed_on``.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.core.fields import EncryptedTextField
from yinfa.partylife.querysets import BranchQuerySet, CommitteeTermQuerySet

# 中国共产党支部工作条例（试行）: at least 3 full members, generally at most 50; a committee from 7 full members.
MIN_FULL_MEMBERS = 3
MAX_MEMBERS = 50
COMMITTEE_FROM = 7
TERM_YEARS = 3
COMMUNITY_TERM_YEARS = 5
TERM_WARNING_DAYS = 90


class BranchKind(models.TextChoices):
    UNIT = "unit", _("Unit branch")
    COMMUNITY = "community", _("Community branch")
    FUNCTIONAL = "functional", _("Functional branch")
    JOINT = "joint", _("Joint branch")


class Branch(models.Model):
    node = models.OneToOneField("core.OrgNode", on_delete=models.PROTECT, primary_key=True, related_name="branch",
                                verbose_name=_("organisation"))
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("branch kind"), max_length=20, choices=BranchKind.choices, default=BranchKind.UNIT)
    # A copy of node.path, kept in step when the subtree moves (receivers.py), so scoping is one prefix scan.
    path = models.CharField(max_length=255, editable=False)
    liaison_name = models.CharField(_("liaison"), max_length=60, blank=True,
                                    help_text=_("联络员: an in-service party member of the unit who links the branch "
                                                "and the unit's party organisation."))
    liaison_position = models.CharField(_("liaison's post"), max_length=80, blank=True)
    liaison_phone = EncryptedTextField(_("liaison's phone"))
    note = models.TextField(_("note"), blank=True)
    # Cached by the membership services (recount on every change), read by the warning filters.
    full_members = models.PositiveIntegerField(_("full members"), default=0, editable=False)
    probationary_members = models.PositiveIntegerField(_("probationary members"), default=0, editable=False)
    term_ends_on = models.DateField(_("current term ends on"), null=True, blank=True, editable=False)
    has_committee = models.BooleanField(_("has a committee"), default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="branch_path_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.node.name

    @property
    def members(self):
        return self.full_members + self.probationary_members

    def term_years(self):
        return COMMUNITY_TERM_YEARS if self.kind == BranchKind.COMMUNITY else TERM_YEARS

    def is_open_on(self, day):
        node = self.node
        return (node.opened_on is None or node.opened_on <= day) and (node.closed_on is None or node.closed_on > day)


class CommitteeTerm(models.Model):
    """One term (届) of a branch's committee, or of its secretary alone when it has fewer than 7 full members."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="terms", verbose_name=_("branch"))
    elected_on = models.DateField(_("elected on"))
    ends_on = models.DateField(_("term ends on"))
    ended_on = models.DateField(_("actually ended on"), null=True, blank=True,
                                help_text=_("Filled when the next term is elected."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommitteeTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["branch", "-elected_on", "-id"]
        indexes = [models.Index(fields=["branch", "ended_on"], name="term_current")]

    def __str__(self):
        return f"{self.elected_on:%Y-%m-%d} – {self.ends_on:%Y-%m-%d}"

    @staticmethod
    def default_end(elected_on: datetime.date, years: int) -> datetime.date:
        try:
            return elected_on.replace(year=elected_on.year + years)
        except ValueError:  # 29 February
            return elected_on.replace(year=elected_on.year + years, day=28)


class CommitteePost(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANISATION = "organisation", _("Organisation member")
    PROPAGANDA = "propaganda", _("Propaganda member")
    DISCIPLINE = "discipline", _("Discipline inspection member")


class CommitteeMember(models.Model):
    term = models.ForeignKey(CommitteeTerm, on_delete=models.CASCADE, related_name="posts", verbose_name=_("term"))
    post = models.CharField(_("post"), max_length=20, choices=CommitteePost.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="committee_posts",
                               verbose_name=_("person"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["term", "post", "id"]

    def __str__(self):
        return f"{self.get_post_display()} {self.person_id}"
