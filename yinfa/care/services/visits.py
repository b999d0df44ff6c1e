"""Recording visits (走访慰问): who visited whom, when, why (birthday, hospital, festival, routine, living elsewhere,
survivors), with whom, what was given, what the person said and needs, and photos.

A visit to the survivors (遗属) of a deceased cadre is recorded on the deceased's file; every other kind of visit is
to a living person. A visit may be linked to one of the person's hospital stays, and to a campaign task, which it
then completes (``yinfa.care.services.campaigns.complete_task``). Photos are images only, recognised from their
bytes, stored under a random name and served only through a scoped view. Each visit is one audit row marked as
personal data.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.care.models import CampaignStatus, CampaignTask, TaskStatus, Visit, VisitKind, VisitPhoto
from yinfa.core import audit, uploads
from yinfa.core.models import AuditAction, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.scope import ancestor_paths
from yinfa.people.models import LifeEventKind, Person

VALUE_FIELDS = ("kind", "visited_on", "visitors", "leaders", "gift", "money", "feedback", "needs",
                "hospital_stay", "organisation")
AUDIT_FIELDS = ("person", "kind", "visited_on", "visitors", "leaders", "gift", "money", "feedback", "needs",
                "hospital_stay", "task", "organisation")
SHORT_TEXTS = ("visitors", "leaders", "gift")
TEXT_LIMIT = 200
MAX_MONEY = Decimal("99999999.99")
MAX_PHOTOS = 12
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_ACCEPT = ",".join(uploads.IMAGE_TYPES)


def require_manage(scope):
    if scope is None or not scope.has(Perm.CARE_MANAGE):
        raise PermissionDenied


def require_visible_person(scope, person):
    if scope is None or not Person.objects.visible_to(scope).filter(pk=person.pk).exists():
        raise PermissionDenied


def organisation_choices(scope, person):
    """The organisations that may be named as the visitor: the role's own node and, between it and the person's
    former unit and communities, the nodes of the scope (e.g. the county, the street, the community)."""
    paths = {scope.path}
    for anchor in (person.unit_path, person.community_path, person.registered_path):
        if anchor and anchor.startswith(scope.path):
            paths.update(path for path in ancestor_paths(anchor) if path.startswith(scope.path))
    return OrgNode.objects.filter(path__in=paths).order_by("path")


# --- validation ------------------------------------------------------------------------------------------------

def check_photo(upload):
    """The content type of an uploaded photo, or ValidationError: an image (JPEG, PNG, GIF, WebP) of 10 MB at most,
    recognised from its bytes."""
    if upload.size == 0:
        raise ValidationError({"photos": _("The photo is empty.")})
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError({"photos": _("A photo is larger than 10 MB. Use a smaller photo.")})
    content_type = uploads.sniff(upload)
    if content_type not in uploads.IMAGE_TYPES:
        raise ValidationError({"photos": _("Only images (JPEG, PNG, GIF or WebP) can be kept with a visit.")})
    return content_type


def clean_money(value):
    """The money given in yuan as a Decimal of two decimals at most (to the fen), or None."""
    if value in (None, ""):
        return None
    try:
        money = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"money": _("Give the money in yuan, e.g. 500 or 500.50.")}) from None
    if not money.is_finite():
        raise ValidationError({"money": _("Give the money in yuan, e.g. 500 or 500.50.")})
    if money < 0:
        raise ValidationError({"money": _("The money given cannot be negative.")})
    if money != money.quantize(Decimal("0.01")):
        raise ValidationError({"money": _("Give the money to the fen: two decimals at most.")})
    if money > MAX_MONEY:
        raise ValidationError({"money": _("The amount is too large.")})
    return money.quantize(Decimal("0.01"))


def _kind_errors(kind, person):
    if kind not in VisitKind.values:
        return _("Choose the kind of visit.")
    if person.deceased_on is not None and kind != VisitKind.SURVIVOR:
        return _("This person has died. Record the visit to the survivors (遗属) on this file.")
    if person.deceased_on is None and kind == VisitKind.SURVIVOR:
        return _("A visit to survivors (遗属) is recorded on the file of the deceased cadre.")
    return None


def _stay_error(stay, person, visited_on):
    if stay.kind != LifeEventKind.HOSPITAL or stay.person_id != person.pk:
        return _("The hospital stay must be one of this person's.")
    if visited_on and visited_on < stay.starts_on:
        return _("The visit is before the admission to hospital on %(day)s.") % {"day": f"{stay.starts_on:%Y-%m-%d}"}
    return None


def _task_error(task, person):
    if task.person_id != person.pk:
        return _("The campaign task is for another person.")
    if task.status == TaskStatus.DONE or Visit.objects.filter(task=task).exists():
        return _("This campaign task is already ticked off as visited.")
    return None


def clean_values(*, scope, person, values, task=None, today=None, kept_organisation=None):
    """The visit's values checked and normalised, or ValidationError naming every wrong field.
    ``kept_organisation``: the organisation already named on the visit being corrected (allowed even when it lies
    outside the scope, e.g. the county named on a visit a community corrects)."""
    today = today or timezone.localdate()
    unknown = set(values) - set(VALUE_FIELDS)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    cleaned = {name: values.get(name) for name in VALUE_FIELDS}
    errors = {}
    kind_error = _kind_errors(cleaned["kind"], person)
    if kind_error:
        errors["kind"] = kind_error
    visited_on = cleaned["visited_on"]
    if not isinstance(visited_on, datetime.date):
        errors["visited_on"] = _("Give the day of the visit.")
        visited_on = None
    elif visited_on > today:
        errors["visited_on"] = _("The day of the visit cannot be in the future.")
    elif person.birth_date and visited_on < person.birth_date:
        errors["visited_on"] = _("The day of the visit is before the person's birth.")
    for name in (*SHORT_TEXTS, "feedback", "needs"):
        cleaned[name] = (cleaned[name] or "").strip()
    if not cleaned["visitors"]:
        errors["visitors"] = _("Say who visited.")
    for name in SHORT_TEXTS:
        if len(cleaned[name]) > TEXT_LIMIT:
            errors[name] = _("At most %(n)s characters.") % {"n": TEXT_LIMIT}
    try:
        cleaned["money"] = clean_money(cleaned["money"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    stay = cleaned["hospital_stay"]
    if stay is not None:
        stay_error = _stay_error(stay, person, visited_on)
        if stay_error:
            errors["hospital_stay"] = stay_error
    organisation = cleaned["organisation"]
    if organisation is None:
        cleaned["organisation"] = OrgNode.objects.get(pk=scope.node_id)
    elif organisation != kept_organisation and not scope.contains_path(organisation.path):
        errors["organisation"] = _("The visiting organisation must be one of your scope.")
    if task is not None:
        task_error = _task_error(task, person)
        if task_error:
            errors["task"] = task_error
    if errors:
        raise ValidationError(errors)
    return cleaned


# --- writes ----------------------------------------------------------------------------------------------------

def _store_photo(visit, upload, content_type, actor):
    upload.name = f"upload.{uploads.FILE_TYPES[content_type]}"  # the stored name never keeps the original one
    photo = VisitPhoto(visit=visit, content_type=content_type, size=upload.size, uploaded_by=actor)
    photo.file.save(upload.name, upload, save=False)
    try:
        photo.save()
    except Exception:
        photo.file.storage.delete(photo.file.name)  # no row, no file
        raise
    return photo


def _link_task(*, actor, scope, task, visit):
    """Link the visit to the campaign task and mark the task done (the campaigns part's service, when there)."""
    try:
        from yinfa.care.services.campaigns import complete_task
    except ImportError:
        complete_task = None
    if complete_task is not None:
        complete_task(actor=actor, scope=scope, task=task, visit=visit)
    if visit.task_id is None:
        visit.task = task
        visit.save(update_fields=["task"])


def check_photos(photos):
    """The content types of the uploaded photos, or ValidationError on ``photos``."""
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)s photos per visit.") % {"n": MAX_PHOTOS}})
    return [check_photo(upload) for upload in photos]


@transaction.atomic
def create_visit(*, actor, scope, person, values, photos=(), task=None, today=None):
    """Record a visit to ``person`` (of the scope). ``values``: kind, visited_on, visitors, leaders, gift, money
    (yuan), feedback, needs, hospital_stay (a LifeEvent of the person), organisation (default: the role's node).
    ``photos``: uploaded images. ``task``: the campaign task the visit completes. Returns the ``Visit``."""
    require_manage(scope)
    require_visible_person(scope, person)
    photos = [upload for upload in photos if upload]
    errors = {}
    cleaned = None
    try:
        cleaned = clean_values(scope=scope, person=person, values=values, task=task, today=today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        content_types = check_photos(photos)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if task is not None:  # claimed: of two visits recorded for one task at the same time, one wins
        task = CampaignTask.objects.select_for_update().get(pk=task.pk)
        task_error = _task_error(task, person)
        if task_error:
            raise ValidationError({"task": task_error})
    visit = Visit.objects.create(person=person, created_by=actor, **cleaned)
    stored = []
    try:
        for upload, content_type in zip(photos, content_types, strict=True):
            stored.append(_store_photo(visit, upload, content_type, actor))
        if task is not None:
            _link_task(actor=actor, scope=scope, task=task, visit=visit)
        audit.record(AuditAction.CREATE, actor=actor, obj=visit, scope_path=person.unit_path,
                     changes=audit.diff({}, audit.snapshot(visit, AUDIT_FIELDS)),
                     detail={"person_id": person.pk, "photos": len(stored), "task_id": task.pk if task else None},
                     personal_data=True)
    except Exception:
        for photo in stored:  # the rows go with the transaction; the files must go too
            photo.file.storage.delete(photo.file.name)
        raise
    return visit


# --- corrections ----------------------------------------------------------------------------------------------

REASON_LIMIT = 500


def _locked_visit(scope, visit):
    """The visit locked for a correction, or PermissionDenied when it is not of the scope."""
    require_manage(scope)
    if not Visit.objects.visible_to(scope).filter(pk=visit.pk).exists():
        raise PermissionDenied
    return Visit.objects.select_for_update(of=("self",)).select_related("person", "organisation").get(pk=visit.pk)


def _locked_task_of(visit):
    if visit.task_id is None:
        return None
    return CampaignTask.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=visit.task_id)


@transaction.atomic
def update_visit(*, actor, scope, visit, values, photos=(), today=None):
    """Correct a visit recorded by mistake: the same values and rules as ``create_visit`` (the person and the campaign
    task cannot change; the organisation already named may stay even outside the scope). ``values``: the fields to
    change (those left out keep their value). ``photos``: images to add.
    The campaign task ticked off by the visit follows a new day, unless its campaign is closed. One audit row with
    the changed fields. Returns the ``Visit``."""
    visit = _locked_visit(scope, visit)
    person = visit.person
    values = {**{name: getattr(visit, name) for name in VALUE_FIELDS}, **values}
    photos = [upload for upload in photos if upload]
    errors = {}
    cleaned = None
    try:
        cleaned = clean_values(scope=scope, person=person, values=values, today=today,
                               kept_organisation=visit.organisation)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        content_types = check_photos(photos)
        if photos and visit.photos.count() + len(photos) > MAX_PHOTOS:
            errors["photos"] = [_("At most %(n)s photos per visit.") % {"n": MAX_PHOTOS}]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    task = _locked_task_of(visit)
    moves_task = (cleaned is not None and task is not None and task.status == TaskStatus.DONE
                  and task.done_on != cleaned["visited_on"])
    if moves_task and task.campaign.status != CampaignStatus.OPEN:
        errors.setdefault("visited_on", []).append(
            _("The visit ticks off a task of the closed campaign “%(title)s”: its day can no longer change.")
            % {"title": task.campaign.title})
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(visit, AUDIT_FIELDS)
    for name in VALUE_FIELDS:
        setattr(visit, name, cleaned[name])
    visit.save(update_fields=list(VALUE_FIELDS))
    detail = {"person_id": person.pk, "photos_added": len(photos)}
    if moves_task:
        detail["task_done_on"] = [task.done_on.isoformat() if task.done_on else None, visit.visited_on.isoformat()]
        task.done_on = visit.visited_on
        task.save(update_fields=["done_on"])
    stored = []
    try:
        for upload, content_type in zip(photos, content_types, strict=True):
            stored.append(_store_photo(visit, upload, content_type, actor))
        audit.record(AuditAction.UPDATE, actor=actor, obj=visit, scope_path=person.unit_path,
                     changes=audit.diff(before, audit.snapshot(visit, AUDIT_FIELDS)), detail=detail,
                     personal_data=True)
    except Exception:
        for photo in stored:
            photo.file.storage.delete(photo.file.name)
        raise
    return visit


@transaction.atomic
def delete_photo(*, actor, scope, photo):
    """Remove one photo of a visit of the scope; its file is deleted once the removal is committed. Audited."""
    visit = _locked_visit(scope, photo.visit)
    photo = VisitPhoto.objects.filter(visit=visit, pk=photo.pk).first()
    if photo is None:
        raise ValidationError(_("The photo was already removed."))
    storage, stored, photo_id = photo.file.storage, photo.file.name, photo.pk
    photo.delete()
    audit.record(AuditAction.UPDATE, actor=actor, obj=visit, scope_path=visit.person.unit_path,
                 changes={"photos": [photo_id, None]},
                 detail={"person_id": visit.person_id, "photo_removed": photo_id}, personal_data=True)
    transaction.on_commit(lambda: storage.delete(stored))
    return visit


@transaction.atomic
def delete_visit(*, actor, scope, visit, reason):
    """Delete a visit recorded by mistake, saying why: audited with a snapshot and the reason; its photos' files
    deleted once committed. The campaign task it ticked off is to visit again, unless the campaign is closed (then
    the deletion is refused)."""
    visit = _locked_visit(scope, visit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the visit is deleted.")})
    if len(reason) > REASON_LIMIT:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": REASON_LIMIT}})
    task = _locked_task_of(visit)
    if task is not None and task.campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("This visit ticks off a person of the campaign “%(title)s”, which is closed. Ask "
                                "its planner to reopen the campaign before deleting the visit.")
                              % {"title": task.campaign.title})
    files = [(photo.file.storage, photo.file.name) for photo in visit.photos.only("pk", "visit_id", "file")]
    snapshot = audit.snapshot(visit, AUDIT_FIELDS)
    audit.record(AuditAction.DELETE, actor=actor, obj=visit, scope_path=visit.person.unit_path,
                 changes={name: [value, None] for name, value in snapshot.items()},
                 detail={"person_id": visit.person_id, "reason": reason, "photos": len(files),
                         "task_id": visit.task_id}, personal_data=True)
    visit.delete()
    if task is not None and task.status == TaskStatus.DONE:
        from yinfa.care.services.campaigns import reopen_task

        reopen_task(actor=actor, scope=scope, task=task)

    def remove_files():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)


def record_export(*, actor, scope, filters, rows, what):
    """Audit an Excel export of care rows (visits, round birthdays) with the filters used; personal data."""
    if scope is None:
        raise PermissionDenied
    audit.record(AuditAction.EXPORT, actor=actor, object_type=Visit._meta.label_lower,
                 object_repr=f"{what} · {scope.node_name}"[:200], scope_path=scope.path,
                 detail={"filters": filters, "rows": rows, "what": what}, personal_data=True)
