"""微心愿: staff collect a small wish for a person in difficulty, review and publish it to the wish wall of an
organisation (the name partly hidden there); a party organisation or member claims it — two claims at the same
moment: exactly one wins (a conditional update of the wish, and one active claim per wish); a claim not fulfilled
within the claim period (14 days, a system setting) returns the wish to the wall; fulfilment with a photo; the
beneficiary (or staff for them) confirms."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.core.uploads import stored_name
from yinfa.needs.querysets import ClaimQuerySet, WishQuerySet


class WishStatus(models.TextChoices):
    COLLECTED = "collected", _("Collected, awaiting review")
    PUBLISHED = "published", _("On the wish wall")
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not published (reason)")
    WITHDRAWN = "withdrawn", _("Withdrawn (reason)")


class Wish(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="wishes",
                               verbose_name=_("for"))
    title = models.CharField(_("the wish"), max_length=100)
    reason = models.TextField(_("why"))
    estimated_cost = models.DecimalField(_("estimated cost (yuan)"), max_digits=8, decimal_places=2)
    status = models.CharField(_("status"), max_length=12, choices=WishStatus.choices, default=WishStatus.COLLECTED)
    # The wall it is published to (an organisation: the community, the street, the county …).
    wall = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("wish wall"))
    wall_path = models.CharField(max_length=255, editable=False)
    source_visit = models.ForeignKey("care.Visit", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="wishes", verbose_name=_("from the visit"))
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                     related_name="+", verbose_name=_("collected by"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by_proxy = models.BooleanField(_("confirmed by staff for the person"), default=False)
    beneficiary_words = models.CharField(_("what the person said"), max_length=300, blank=True)
    reason_closed = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = _("micro-wish")
        verbose_name_plural = _("micro-wishes")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "published_at"], name="wish_status"),
            models.Index(fields=["wall_path"], name="wish_wall_path", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.title


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("Claimed, being fulfilled")
    FULFILLED = "fulfilled", _("Fulfilled")
    EXPIRED = "expired", _("Not fulfilled in time, back on the wall")
    RELEASED = "released", _("Given up, back on the wall")


class WishClaim(models.Model):
    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="claims", verbose_name=_("wish"))
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="wish_claims",
                                 verbose_name=_("claimed by"))
    # A party organisation claiming (a branch, a unit's party committee), or empty for a member on their own.
    claimant_org = models.ForeignKey("core.OrgNode", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("on behalf of"))
    claimant_name = models.CharField(_("claimant shown on the wall"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    fulfil_by = models.DateField(_("to be fulfilled by"))
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilment_note = models.TextField(_("what was given or done"), blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("wish claim")
        verbose_name_plural = _("wish claims")
        ordering = ["-claimed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["wish"], condition=Q(status="active"),
                                               name="one_active_claim_per_wish")]
        indexes = [models.Index(fields=["status", "fulfil_by"], name="claim_due")]


def wish_photo_path(instance, filename):
    return stored_name(f"wishes/{instance.wish.uid}", filename)


class WishPhoto(models.Model):
    """The photo of a fulfilled wish; served only through a scoped view."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="photos", verbose_name=_("wish"))
    claim = models.ForeignKey(WishClaim, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos")
    file = models.FileField(_("photo"), upload_to=wish_photo_path, max_length=300)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wish photo")
        verbose_name_plural = _("wish photos")
        ordering = ["wish", "id"]


class WishStep(models.Model):
    """Every transition of a wish (who, when, from, to, comment), beside the audit trail."""

    wish = models.ForeignKey(Wish, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=12, choices=WishStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=WishStatus.choices)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("wish step")
        verbose_name_plural = _("wish steps")
        ordering = ["wish", "at", "id"]
