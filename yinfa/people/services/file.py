"""Writes to the rows of a person file: health, contacts and survivors, honours, documents, life events.

Every function takes ``version`` (the ``Person.version`` the user's form was read at) and claims the file
with ``lock_file`` first: a second save of the same file from an older form is refused (``StaleFile``) and
nothing is written. Each change is one audit row against the person (see services.person), keyed
``<row>.<field>``: ``contact.phone`` (masked), ``health.chronic_conditions`` (only "changed"), …
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import uploads
from yinfa.core.events import person_file_changed
from yinfa.core.history import is_blank
from yinfa.core.masking import mask_phone
from yinfa.core.models import AuditAction
from yinfa.people.models import Contact, Document, DocumentKind, Health, Honour, LifeEvent, LifeEventKind, Person
from yinfa.people.services.person import HEALTH_MARK, clean_phone, lock_file, record_file_change

CONTACT_FIELDS = ["relation", "name", "phone", "alive", "lives_together", "is_emergency", "is_survivor",
                  "dependant", "note"]
HEALTH_FIELDS = ["status", "chronic_conditions", "disabilities", "medical_entitlement", "contract_hospital",
                 "last_checkup_on", "checkup_summary", "notes"]
HONOUR_FIELDS = ["kind", "title", "awarded_on", "awarded_by", "note"]
EVENT_FIELDS = ["starts_on", "ends_on", "place", "department", "reason", "diagnosis", "farewell",
                "pension_recipient", "note"]
# Life-event fields that are health data (shown and audited only as such).
EVENT_HEALTH_FIELDS = frozenset({"diagnosis", "department"})
OPEN_KINDS = (LifeEventKind.HOSPITAL, LifeEventKind.AWAY, LifeEventKind.ABROAD, LifeEventKind.RELOCATION)

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# content type -> extension, recognised from the file's first bytes (never from the name or the browser).
DOCUMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif",
                  "image/webp": "webp"}


def _plain(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def row_values(row, fields):
    values = {}
    for name in fields:
        value = _plain(getattr(row, name))
        if name == "phone":
            value = mask_phone(value or "")
        values[name] = value
    return values


def row_changes(prefix, before, after, health=()):
    """{"<prefix>.<field>": [old, new]} for the changed fields; health fields only marked as changed."""
    changes = {}
    for name, new in after.items():
        old = before.get(name)
        if old == new or (is_blank(old) and is_blank(new)):
            continue
        changes[f"{prefix}.{name}"] = [HEALTH_MARK, HEALTH_MARK] if name in health else [old, new]
    return changes


def _apply(row, values, allowed):
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    for name, value in values.items():
        setattr(row, name, value)


# --- health ---------------------------------------------------------------------------------------------------

@transaction.atomic
def update_health(*, actor, person, version, values):
    health = Health.objects.filter(person=person).first() or Health(person=person)
    before = row_values(health, HEALTH_FIELDS) if health.pk else {}
    _apply(health, values, HEALTH_FIELDS)
    after = row_values(health, HEALTH_FIELDS)
    changes = row_changes("health", before, after, health=HEALTH_FIELDS)
    if not changes:
        return health
    lock_file(person, version)
    health.save()
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="health", changes=changes)
    return health


# --- contacts -------------------------------------------------------------------------------------------------

def _clean_contact(contact):
    contact.name = (contact.name or "").strip()
    if not contact.name:
        raise ValidationError({"name": _("Give the contact's name.")})
    contact.phone = clean_phone(contact.phone)


@transaction.atomic
def add_contact(*, actor, person, version, values):
    contact = Contact(person=person)
    _apply(contact, values, CONTACT_FIELDS)
    _clean_contact(contact)
    lock_file(person, version)
    contact.save()
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="family",
                       changes=row_changes("contact", {}, row_values(contact, CONTACT_FIELDS)),
                       detail={"row": "contact", "row_id": contact.pk, "added": contact.name})
    return contact


@transaction.atomic
def update_contact(*, actor, contact, version, values):
    person = contact.person
    before = row_values(contact, CONTACT_FIELDS)
    raw_phone = contact.phone
    _apply(contact, values, CONTACT_FIELDS)
    _clean_contact(contact)
    changes = row_changes("contact", before, row_values(contact, CONTACT_FIELDS))
    if contact.phone != raw_phone and "contact.phone" not in changes:
        changes["contact.phone"] = [before["phone"], mask_phone(contact.phone)]
    if not changes:
        return contact
    lock_file(person, version)
    contact.save()
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="family", changes=changes,
                       detail={"row": "contact", "row_id": contact.pk, "name": contact.name})
    return contact


def _remove_row(*, actor, row, version, prefix, fields, section, label_field):
    """Delete one row of a file under the file's version lock, auditing the values it held."""
    person = row.person
    before = row_values(row, fields)
    lock_file(person, version)
    row_id = row.pk
    row.delete()
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section=section,
                       changes=row_changes(prefix, before, {name: None for name in before}),
                       detail={"row": prefix, "row_id": row_id, "removed": before[label_field]})


@transaction.atomic
def delete_contact(*, actor, contact, version):
    _remove_row(actor=actor, row=contact, version=version, prefix="contact", fields=CONTACT_FIELDS,
                section="family", label_field="name")


# --- honours --------------------------------------------------------------------------------------------------

def _clean_honour(honour):
    honour.title = (honour.title or "").strip()
    if not honour.title:
        raise ValidationError({"title": _("Give the title of the honour.")})


@transaction.atomic
def add_honour(*, actor, person, version, values):
    honour = Honour(person=person)
    _apply(honour, values, HONOUR_FIELDS)
    _clean_honour(honour)
    lock_file(person, version)
    honour.save()
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="talents",
                       changes=row_changes("honour", {}, row_values(honour, HONOUR_FIELDS)),
                       detail={"row": "honour", "row_id": honour.pk, "added": honour.title})
    return honour


@transaction.atomic
def update_honour(*, actor, honour, version, values):
    person = honour.person
    before = row_values(honour, HONOUR_FIELDS)
    _apply(honour, values, HONOUR_FIELDS)
    _clean_honour(honour)
    changes = row_changes("honour", before, row_values(honour, HONOUR_FIELDS))
    if not changes:
        return honour
    lock_file(person, version)
    honour.save()
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="talents", changes=changes,
                       detail={"row": "honour", "row_id": honour.pk, "title": honour.title})
    return honour


@transaction.atomic
def delete_honour(*, actor, honour, version):
    _remove_row(actor=actor, row=honour, version=version, prefix="honour", fields=HONOUR_FIELDS,
                section="talents", label_field="title")


# --- documents and photo --------------------------------------------------------------------------------------

sniff_type = uploads.sniff_head  # the person file keeps PDF and images


def check_upload(upload, kind):
    """The content type of an uploaded file, or ValidationError: images or PDF, at most 10 MB."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 10 MB. Scan it at a lower resolution.")})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    upload.seek(0)
    content_type = sniff_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise ValidationError({"file": _("Only images (JPEG, PNG, GIF, WebP) and PDF files can be kept in a file.")})
    if kind == DocumentKind.PHOTO and not content_type.startswith("image/"):
        raise ValidationError({"file": _("A photo must be an image (JPEG, PNG, GIF or WebP).")})
    return content_type


@transaction.atomic
def add_document(*, actor, person, version, kind, title, upload):
    content_type = check_upload(upload, kind)
    title = (title or "").strip() or (_("Photo") if kind == DocumentKind.PHOTO else _("Document"))
    lock_file(person, version)
    upload.name = f"upload.{DOCUMENT_TYPES[content_type]}"  # the stored name never keeps the original one
    document = Document(person=person, kind=kind, title=title[:200], content_type=content_type, size=upload.size,
                        uploaded_by=actor)
    document.file.save(upload.name, upload, save=False)
    stored = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored)  # no row, no file
        raise
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="documents",
                       changes={"document.title": [None, document.title]},
                       detail={"row": "document", "row_id": document.pk, "kind": kind,
                               "content_type": content_type, "size": upload.size})
    return document


@transaction.atomic
def delete_document(*, actor, document, version):
    person = document.person
    lock_file(person, version)
    stored, storage, title, document_id = document.file.name, document.file.storage, document.title, document.pk
    document.delete()
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="documents",
                       changes={"document.title": [title, None]},
                       detail={"row": "document", "row_id": document_id, "removed": title})
    transaction.on_commit(lambda: storage.delete(stored))


# --- life events ----------------------------------------------------------------------------------------------

def _clean_event(event):
    if event.ends_on and event.starts_on and event.ends_on < event.starts_on:
        raise ValidationError({"ends_on": _("The end date is before the start date.")})
    if event.starts_on and event.starts_on > timezone.localdate() + datetime.timedelta(days=366):
        raise ValidationError({"starts_on": _("The date is too far in the future.")})
    if event.kind in (LifeEventKind.HOSPITAL, LifeEventKind.AWAY, LifeEventKind.ABROAD, LifeEventKind.RELOCATION) \
            and not (event.place or "").strip():
        raise ValidationError({"place": _("Give the hospital, the destination or the city.")})


def _sync_relocation(person):
    """异地安置 on the person follows the open relocation event, if any."""
    current = (LifeEvent.objects.filter(person=person, kind=LifeEventKind.RELOCATION, ends_on__isnull=True)
               .order_by("-starts_on", "-id").first())
    person.lives_elsewhere = current is not None
    person.elsewhere_place = current.place[:120] if current else ""


def _event_changes(before, event):
    return row_changes("life_event", before, row_values(event, ["kind", *EVENT_FIELDS]),
                       health=EVENT_HEALTH_FIELDS | {"diagnosis"})


@transaction.atomic
def record_event(*, actor, person, version, kind, values):
    """A hospital stay, going away or abroad (外出/出国备案), or a relocation (异地安置); not a death."""
    if kind not in OPEN_KINDS:
        raise ValueError(f"use record_death for {kind}")
    event = LifeEvent(person=person, kind=kind, created_by=actor)
    _apply(event, values, EVENT_FIELDS)
    _clean_event(event)
    lock_file(person, version)
    event.save()
    if kind == LifeEventKind.RELOCATION:
        _sync_relocation(person)
        person.save(update_fields=["lives_elsewhere", "elsewhere_place"])
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="events",
                       changes=_event_changes({}, event),
                       detail={"row": "life_event", "row_id": event.pk, "kind": kind})
    return event


@transaction.atomic
def update_event(*, actor, event, version, values):
    """Correct or close (``ends_on``: discharged, back, moved back) an event other than a death."""
    if event.kind == LifeEventKind.DEATH:
        raise ValueError("a death is corrected with undo_death")
    person = event.person
    before = row_values(event, ["kind", *EVENT_FIELDS])
    _apply(event, values, EVENT_FIELDS)
    _clean_event(event)
    changes = _event_changes(before, event)
    if not changes:
        return event
    lock_file(person, version)
    event.save()
    if event.kind == LifeEventKind.RELOCATION:
        _sync_relocation(person)
        person.save(update_fields=["lives_elsewhere", "elsewhere_place"])
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="events", changes=changes,
                       detail={"row": "life_event", "row_id": event.pk, "kind": event.kind})
    return event


@transaction.atomic
def delete_event(*, actor, event, version):
    if event.kind == LifeEventKind.DEATH:
        raise ValueError("a death is corrected with undo_death")
    person = event.person
    before = row_values(event, ["kind", *EVENT_FIELDS])
    lock_file(person, version)
    event_id, kind = event.pk, event.kind
    event.delete()
    if kind == LifeEventKind.RELOCATION:
        _sync_relocation(person)
        person.save(update_fields=["lives_elsewhere", "elsewhere_place"])
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="events",
                       changes=row_changes("life_event", before, {name: None for name in before},
                                           health=EVENT_HEALTH_FIELDS),
                       detail={"row": "life_event", "row_id": event_id, "kind": kind, "removed": True})


@transaction.atomic
def record_death(*, actor, person, version, died_on, cause="", farewell="", pension_recipient="", note="",
                 survivors=(), new_survivor=None):
    """The person died: a death event, ``deceased_on`` set (they leave the active lists; the file stays),
    the chosen contacts (and a new one, if given) marked as survivors (遗属) to keep visiting."""
    if person.deceased_on is not None:
        raise ValidationError(_("The death of this person is already recorded."))
    if died_on > timezone.localdate():
        raise ValidationError({"died_on": _("The date of death cannot be in the future.")})
    if person.birth_date and died_on < person.birth_date:
        raise ValidationError({"died_on": _("The date of death is before the date of birth.")})
    survivors = list(survivors)
    if any(contact.person_id != person.pk for contact in survivors):
        raise ValueError("survivors must be contacts of this person")
    lock_file(person, version)
    event = LifeEvent.objects.create(person=person, kind=LifeEventKind.DEATH, starts_on=died_on, diagnosis=cause,
                                     farewell=farewell, pension_recipient=pension_recipient, note=note,
                                     created_by=actor)
    person.deceased_on = died_on
    person.save(update_fields=["deceased_on"])
    names = []
    for contact in survivors:
        if not contact.is_survivor:
            contact.is_survivor = True
            contact.save(update_fields=["is_survivor"])
        names.append(contact.name)
    if new_survivor:
        contact = Contact(person=person, is_survivor=True)
        _apply(contact, new_survivor, CONTACT_FIELDS)
        _clean_contact(contact)
        contact.save()
        names.append(contact.name)
    changes = {"deceased_on": [None, died_on.isoformat()], **_event_changes({}, event)}
    if names:
        changes["contact.is_survivor"] = [None, "、".join(names)]
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="death", changes=changes,
                       detail={"row": "life_event", "row_id": event.pk, "kind": LifeEventKind.DEATH,
                               "survivors": names})
    person_file_changed.send(sender=Person, actor=actor, person=person, fields=frozenset({"deceased_on"}))
    return event


@transaction.atomic
def undo_death(*, actor, event, version, reason):
    """A death recorded by mistake: the event goes, the person is living again. Survivor flags stay."""
    if event.kind != LifeEventKind.DEATH:
        raise ValueError("not a death")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the death record is wrong.")})
    person = event.person
    lock_file(person, version)
    event_id, died_on = event.pk, person.deceased_on
    event.delete()
    person.deceased_on = None
    person.save(update_fields=["deceased_on"])
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section="death",
                       changes={"deceased_on": [died_on.isoformat() if died_on else None, None]},
                       detail={"row": "life_event", "row_id": event_id, "kind": LifeEventKind.DEATH,
                               "undone": True, "reason": reason[:300]})
