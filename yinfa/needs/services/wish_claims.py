"""微心愿 — the claimant's side and the end of the story: claim, give up, fulfil with a photo, the beneficiary's
confirmation, and the expiry of claims not fulfilled in time (the periodic job).

Two claims at the same moment: exactly one wins. The claim is a conditional ``UPDATE wish SET status='claimed'
WHERE status='published'`` — on PostgreSQL the second transaction waits for the first and then finds no published
row — backed by the partial unique constraint of one active claim per wish. The loser is told that the wish was just
claimed by someone else, and nothing of theirs is written.

Every transition takes the wish row first (its conditional update) and the claim row second, so two transitions
never wait for each other in opposite orders.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinfa.core import uploads
from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.system_settings import wish_claim_days
from yinfa.needs.models import ClaimStatus, WishClaim, WishPhoto, WishStatus
from yinfa.needs.services.wishes import (
    CHANGED,
    active_claim,
    can_claim,
    end_claim,
    is_beneficiary,
    is_staff_for,
    move,
    on_wall_of,
    record,
    require_state,
    tell,
)

S = WishStatus
TAKEN = gettext_lazy("This wish was just claimed by someone else. Choose another wish on the wall.")
CLAIM_ORG_KINDS = (OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.PARTY_GROUP,
                   OrgKind.ASSOCIATION)
ORG_CHOICE_LIMIT = 200
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_NOTE = 2000
MAX_WORDS = 300


# --- claim ----------------------------------------------------------------------------------------------------

def claim_org_choices(scope):
    """The organisations a claimant may claim for: their own node and the party organisations and volunteer teams
    inside it (a branch, a party committee …). None for a retiree claiming as themselves."""
    if scope is None or not (scope.has(Perm.PARTY_MANAGE) or scope.has(Perm.SERVICE_FULFIL)):
        return []
    return list(OrgNode.objects.filter(Q(pk=scope.node_id) | Q(path__startswith=scope.path, kind__in=CLAIM_ORG_KINDS),
                                       closed_on__isnull=True).only("pk", "name", "path", "kind")
                .order_by("path")[:ORG_CHOICE_LIMIT])


def org_allowed(scope, org):
    if not (scope.has(Perm.PARTY_MANAGE) or scope.has(Perm.SERVICE_FULFIL)) or org.closed_on is not None:
        return False
    return org.pk == scope.node_id or (scope.contains_path(org.path) and org.kind in CLAIM_ORG_KINDS)


def require_claimer(scope, actor, wish):
    if not can_claim(scope):
        raise PermissionDenied(_("Your role in use cannot claim wishes."))
    if not on_wall_of(scope, wish):
        raise PermissionDenied(_("This wish is not on a wish wall of your scope."))
    if is_beneficiary(actor, wish):
        raise PermissionDenied(_("This is your own wish: others claim it for you."))


@transaction.atomic
def claim_wish(*, actor, scope, wish, org=None):
    """Published → claimed, for the actor or for an organisation of their scope. The claim must be fulfilled by
    today + the claim period (the system setting ``wish_claim_days``)."""
    require_claimer(scope, actor, wish)
    if wish.status == S.CLAIMED:
        raise ValidationError({"status": TAKEN})
    require_state(wish, "claim", _("Only a wish on the wall can be claimed; this one is “%(status)s”."))
    if org is not None and not org_allowed(scope, org):
        raise ValidationError({"org": _("Claim for your own organisation or one of its party branches.")})
    fulfil_by = timezone.localdate() + datetime.timedelta(days=wish_claim_days())
    before = move(wish, S.CLAIMED, actor=actor, message=TAKEN)
    name = org.name if org is not None else actor.display_name
    try:
        with transaction.atomic():
            claim = WishClaim.objects.create(wish=wish, claimant=actor, claimant_org=org, claimant_name=name[:120],
                                             fulfil_by=fulfil_by)
    except IntegrityError:  # an active claim exists already: the unique constraint has the last word
        raise ValidationError({"status": TAKEN}) from None
    record(wish, actor=actor, before=before, extra={"claim": claim.pk, "claimant": name,
                                                    "fulfil_by": fulfil_by.isoformat()})
    tell([wish.collected_by_id], actor=actor, wish=wish,
         title=_("%(who)s claimed the wish “%(title)s”") % {"who": name, "title": wish.title},
         body=_("To be fulfilled by %(day)s.") % {"day": f"{fulfil_by:%Y-%m-%d}"})
    return claim


def require_the_claimant(actor, claim):
    if claim is None:
        raise ValidationError({"status": CHANGED})
    if claim.claimant_id != actor.pk:
        raise PermissionDenied(_("Only the claimant can do this."))


@transaction.atomic
def release_claim(*, actor, scope, wish, reason=""):
    """The claimant gives up: the claim ends as released and the wish goes back to the wall."""
    require_state(wish, "release", _("Only a claimed wish can be given up; this one is “%(status)s”."))
    claim = active_claim(wish)
    require_the_claimant(actor, claim)
    reason = (reason or "").strip()[:300]
    before = move(wish, S.PUBLISHED, actor=actor, comment=reason or _("Given up by the claimant."))
    if not end_claim(claim, ClaimStatus.RELEASED, ended_at=timezone.now()):
        raise ValidationError({"status": CHANGED})
    record(wish, actor=actor, before=before, comment=reason, extra={"claim_released": claim.pk})
    tell([wish.collected_by_id], actor=actor, wish=wish,
         title=_("%(who)s gave up the wish “%(title)s”; it is back on the wall")
         % {"who": claim.claimant_name, "title": wish.title}, body=reason)
    return claim


# --- fulfil ---------------------------------------------------------------------------------------------------

def check_photo(upload):
    """The photo of the fulfilment: an image (recognised from its bytes) of at most 10 MB."""
    if upload is None:
        raise ValidationError({"photo": _("Add a photo of the wish fulfilled.")})
    if upload.size == 0:
        raise ValidationError({"photo": _("The photo is empty.")})
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 10 MB. Send a smaller one.")})
    content_type = uploads.sniff(upload)
    if content_type not in uploads.IMAGE_TYPES:
        raise ValidationError({"photo": _("The photo must be an image (JPEG, PNG, GIF or WebP).")})
    return content_type


@transaction.atomic
def fulfil_wish(*, actor, scope, wish, note, photo):
    """Claimed → fulfilled by the claimant: what was given or done, with a photo (required)."""
    require_state(wish, "fulfil", _("Only a claimed wish can be fulfilled; this one is “%(status)s”."))
    claim = active_claim(wish)
    require_the_claimant(actor, claim)
    errors = {}
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Say what was given or done.")
    try:
        content_type = check_photo(photo)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = move(wish, S.FULFILLED, actor=actor, comment=note[:MAX_NOTE], fulfilled_at=now)
    if not end_claim(claim, ClaimStatus.FULFILLED, ended_at=now, fulfilled_at=now, fulfilment_note=note[:MAX_NOTE]):
        raise ValidationError({"status": CHANGED})
    row = save_photo(wish=wish, claim=claim, actor=actor, upload=photo, content_type=content_type)
    try:
        record(wish, actor=actor, before=before, comment=note[:MAX_NOTE],
               extra={"claim": claim.pk, "photo": row.pk})
        tell([wish.collected_by_id, wish.person.account_id], actor=actor, wish=wish,
             title=_("The wish “%(title)s” is fulfilled") % {"title": wish.title},
             body=_("%(who)s: %(note)s. Please confirm it.") % {"who": claim.claimant_name, "note": note[:200]})
    except Exception:
        row.file.storage.delete(row.file.name)  # the transaction rolls back: no row, no file
        raise
    return claim


def save_photo(*, wish, claim, actor, upload, content_type):
    upload.name = f"photo.{uploads.FILE_TYPES[content_type]}"  # the stored name never keeps the original one
    row = WishPhoto(wish=wish, claim=claim, content_type=content_type, size=upload.size, uploaded_by=actor)
    row.file.save(upload.name, upload, save=False)
    stored, storage = row.file.name, row.file.storage
    try:
        row.save()
    except Exception:
        storage.delete(stored)  # no row, no file
        raise
    return row


# --- confirm --------------------------------------------------------------------------------------------------

@transaction.atomic
def confirm_wish(*, actor, scope, wish, words=""):
    """Fulfilled → confirmed, by the beneficiary through their own account, or by staff for them (by proxy)."""
    beneficiary = is_beneficiary(actor, wish)
    if not beneficiary and not is_staff_for(scope, wish):
        raise PermissionDenied(_("Only the person, or staff caring for them, can confirm the wish."))
    require_state(wish, "confirm", _("Only a fulfilled wish can be confirmed; this one is “%(status)s”."))
    words = (words or "").strip()[:MAX_WORDS]
    before = move(wish, S.CONFIRMED, actor=actor, comment=words, confirmed_at=timezone.now(),
                  confirmed_by_proxy=not beneficiary, beneficiary_words=words)
    record(wish, actor=actor, before=before, comment=words, extra={"by_proxy": not beneficiary})
    claimants = WishClaim.objects.filter(wish=wish, status=ClaimStatus.FULFILLED).values_list("claimant_id",
                                                                                               flat=True)
    tell([wish.collected_by_id, *claimants], actor=actor, wish=wish,
         title=_("The wish “%(title)s” is confirmed") % {"title": wish.title},
         body=words or _("The person confirmed that the wish came true."))
    return wish


# --- the periodic expiry --------------------------------------------------------------------------------------

class _Moved(Exception):
    """The claim or the wish changed under the expiry: leave it."""


def expire_claims(*, today=None):
    """Active claims whose ``fulfil_by`` has passed: the claim expires and the wish goes back to the wall; the
    claimant and the collector are told. Idempotent (conditional updates); returns how many claims expired."""
    today = today or timezone.localdate()
    due = list(WishClaim.objects.filter(status=ClaimStatus.ACTIVE, fulfil_by__lt=today)
               .order_by("fulfil_by", "pk").values_list("pk", flat=True))
    expired = 0
    for pk in due:
        try:
            with transaction.atomic():
                expire_one(pk, today)
        except _Moved:
            continue
        expired += 1
    return expired


def expire_one(pk, today):
    claim = (WishClaim.objects.select_related("wish__person").filter(pk=pk, status=ClaimStatus.ACTIVE,
                                                                       fulfil_by__lt=today).first())
    if claim is None or claim.wish.status != S.CLAIMED:
        raise _Moved
    wish = claim.wish
    try:
        before = move(wish, S.PUBLISHED, actor=None,
                      comment=_("Not fulfilled by %(day)s: back on the wall.") % {"day": f"{claim.fulfil_by:%Y-%m-%d}"})
    except ValidationError:
        raise _Moved from None
    if not end_claim(claim, ClaimStatus.EXPIRED, ended_at=timezone.now()):
        raise _Moved
    record(wish, actor=None, before=before, extra={"claim_expired": claim.pk})
    tell([claim.claimant_id], actor=None, wish=wish,
         title=_("Your claim of the wish “%(title)s” has expired") % {"title": wish.title},
         body=_("It was to be fulfilled by %(day)s; the wish is back on the wall for others.")
         % {"day": f"{claim.fulfil_by:%Y-%m-%d}"})
    tell([wish.collected_by_id], actor=None, wish=wish,
         title=_("The claim of the wish “%(title)s” expired; it is back on the wall") % {"title": wish.title})

