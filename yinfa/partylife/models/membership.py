"""Memberships: where a member's organisational relationship (组织关系) is held, over time, and the other ties.

- ``Relation.ORGANISATIONAL``: one open row per person at a time (a partial unique constraint); a transfer closes
  the row (``ended_on``, ``transfer_out_to``) and opens the next. The open row's branch is the person's ``branch``
  anchor (kept in step by the services).
- ``Relation.FUNCTIONAL``: a functional branch (功能型党支部) the member joined besides; several may be open.
- ``CommunityRegistration``: 社区报到, the community the member registered with; its open row is the person's
  ``registered_community`` anchor.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.partylife.querysets import MembershipQuerySet, RegistrationQuerySet


class Relation(models.TextChoices):
    ORGANISATIONAL = "organisational", _("Organisational relationship")
    FUNCTIONAL = "functional", _("Functional branch")


class Standing(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class JoinedBy(models.TextChoices):
    FOUNDING = "founding", _("Founding or first record")
    TRANSFER_IN = "transfer_in", _("Transferred in")
    ADMITTED = "admitted", _("Admitted to the party")
    JOINED = "joined", _("Joined (functional branch)")


class LeftBy(models.TextChoices):
    TRANSFER = "transfer", _("Transferred within the system")
    TRANSFER_OUT = "transfer_out", _("Transferred outside the system")
    DIED = "died", _("Died")
    LEFT = "left", _("Left the party or was removed")
    QUIT = "quit", _("Left the functional branch")


class Membership(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="memberships",
                               verbose_name=_("person"))
    branch = models.ForeignKey("partylife.Branch", on_delete=models.PROTECT, related_name="memberships",
                               verbose_name=_("branch"))
    branch_path = models.CharField(max_length=255, editable=False)
    party_group = models.ForeignKey("core.OrgNode", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="group_memberships", verbose_name=_("party group"))
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices,
                                default=Relation.ORGANISATIONAL)
    standing = models.CharField(_("standing"), max_length=20, choices=Standing.choices, default=Standing.FULL)
    probation_from = models.DateField(_("probation from"), null=True, blank=True)
    probation_until = models.DateField(_("probation until"), null=True, blank=True)
    started_on = models.DateField(_("from"))
    joined_by = models.CharField(_("how they joined"), max_length=20, choices=JoinedBy.choices,
                                 default=JoinedBy.FOUNDING)
    transfer_in_from = models.CharField(_("transferred in from"), max_length=120, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    left_by = models.CharField(_("how they left"), max_length=20, choices=LeftBy.choices, blank=True)
    transfer_out_to = models.CharField(_("transferred out to"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["branch", "person", "-started_on"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(relation="organisational", ended_on__isnull=True),
                                    name="one_open_organisational_membership"),
            models.UniqueConstraint(fields=["person", "branch"],
                                    condition=Q(relation="functional", ended_on__isnull=True),
                                    name="one_open_functional_membership_per_branch"),
        ]
        indexes = [
            models.Index(fields=["branch", "ended_on", "started_on"], name="membership_branch_dates"),
            models.Index(fields=["branch_path"], name="membership_branch_path", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["person", "started_on"], name="membership_person"),
        ]

    def __str__(self):
        return f"{self.person_id} @ {self.branch_id}"

    def active_on(self, day):
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)

    def standing_on(self, day):
        """Full or probationary on ``day`` (probation ends with the day it is converted)."""
        if self.standing == Standing.PROBATIONARY or (self.probation_until and day <= self.probation_until):
            return Standing.PROBATIONARY
        return Standing.FULL


class CommunityRegistration(models.Model):
    """社区报到: the member registered with the community where they live, to take part in its activities."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="community_registrations",
                               verbose_name=_("person"))
    community = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="member_registrations",
                                  verbose_name=_("community"))
    community_path = models.CharField(max_length=255, editable=False)
    registered_on = models.DateField(_("registered on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("community registration")
        verbose_name_plural = _("community registrations")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True),
                                    name="one_open_community_registration"),
        ]
        indexes = [models.Index(fields=["community_path"], name="registration_path", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.person_id} @ {self.community_id}"
