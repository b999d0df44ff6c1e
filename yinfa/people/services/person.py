"""Writes to a person's own fields: create a file, change it section by section, reveal a protected value.

Public API (the JSON API uses it too):

``create_person(*, actor, scope, values) -> Person``
    ``values``: Person field values; ``id_number`` is required, parsed and normalised; birth date and gender
    are taken from it when not given (and must agree with it when given). Raises ``DuplicatePerson`` (a
    ValidationError carrying ``person_id``) when a file with that ID number exists anywhere, and
    ValidationError for anything invalid (anchors must lie in ``scope``).

``update_person(*, actor, scope, person, version, values, section="") -> Person``
    Changes the fields in ``values`` (only ``EDITABLE_FIELDS``). ``version`` is the ``Person.version`` the
    user's form was built from: when the file was saved by someone else meanwhile, ``StaleFile`` (a
    ValidationError) is raised and nothing is written. Audited as one UPDATE with masked protected values.

``reveal_value(*, actor, person, field, reason, contact=None) -> str``
    The clear value of ``id_number``, ``phone``, ``landline`` or ``address`` (or ``contact_phone`` of a
    contact of the person), audited as REVEAL with the reason and the field, never the value.

``lock_file(person, version)``: the optimistic lock used by every file change (also by services.file).

Every change to a file is audited against the person (object type ``people.person``): the person's own fields
by name (``phone``), the rows of the file as ``<row>.<field>`` (``contact.phone``) with ``detail.section``.
ID numbers, phones, landlines and addresses enter the audit trail masked; health data only as "changed".
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinfa.core import audit
from yinfa.core.events import person_file_changed
from yinfa.core.fields import lookup_index
from yinfa.core.masking import mask_address, mask_id_number, mask_phone
from yinfa.core.models import AuditAction, normalize_mobile
from yinfa.people import idnumbers
from yinfa.people.models import ANCHOR_PATH_FIELDS, Person

# Masked forms of protected values, as written into the audit trail.
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "landline": mask_phone, "address": mask_address}
# Health data enters the audit trail only as the fact that it changed.
HEALTH_MARK = "(health data)"
REDACTED_CHANGE = [HEALTH_MARK, HEALTH_MARK]

# The sections of the file and the person fields each one edits (design: domain.md, "The person file").
SECTION_FIELDS = {
    "identity": ["name", "former_name", "gender", "ethnicity", "birth_date", "birthday_is_lunar", "native_place",
                 "id_number"],
    "career": ["category", "joined_work_on", "joined_revolution_on", "retired_on", "unit", "former_position",
               "level", "treatment", "treatment_approved_on", "treatment_approval_no", "managing_unit"],
    # The branch and the community registered with follow the party-life records (memberships, 社区报到):
    # they are changed there, through ``set_party_anchors``, never by editing the file.
    "party": ["political_status", "joined_party_on", "party_roles"],
    "living": ["address", "phone", "landline", "community", "living_status", "self_care", "lives_elsewhere",
               "elsewhere_place"],
    "talents": ["specialties", "hobbies", "social_positions", "rehired"],
}
EDITABLE_FIELDS = frozenset(name for names in SECTION_FIELDS.values() for name in names)
AUDIT_FIELDS = [*(name for names in SECTION_FIELDS.values() for name in names), "deceased_on"]
INDEXED = {"id_number": "id_number_index", "phone": "phone_index"}
# A change to one of these runs the model's own rules (Person.clean).
CHECKED_BY_MODEL = frozenset({"id_number", "birth_date", "gender", "category", "joined_revolution_on"})
NODE_FIELDS = ("unit", "branch", "community", "registered_community", "managing_unit")

STALE_MESSAGE = gettext_lazy(
    "Someone else saved this file while you were editing it. Your changes were not saved, so nothing of "
    "theirs was overwritten: reload the file to see their changes, then make yours again.")


class StaleFile(ValidationError):
    """The file changed since the form was read (optimistic lock)."""

    def __init__(self):
        super().__init__(STALE_MESSAGE, code="stale")


class DuplicatePerson(ValidationError):
    """A file with this ID number exists already; ``person_id`` names it (show it only if visible)."""

    def __init__(self, person_id):
        self.person_id = person_id
        super().__init__({"id_number": _("A file with this ID number already exists.")}, code="duplicate")


# --- audit values ---------------------------------------------------------------------------------------------

def audit_value(person, name):
    """A person field's value as written into the audit trail (masked when protected, names for nodes)."""
    if name in MASKS:
        return MASKS[name](getattr(person, name) or "")
    field = Person._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        node_id = getattr(person, field.attname)
        return str(getattr(person, name)) if node_id else ""
    return audit._plain(getattr(person, name))


def file_snapshot(person, fields=AUDIT_FIELDS):
    return {name: audit_value(person, name) for name in fields}


def record_file_change(*, actor, person, action, changes, section, detail=None):
    audit.record(action, actor=actor, obj=person, changes=changes,
                 detail={"section": section, **(detail or {})})


# --- the optimistic lock --------------------------------------------------------------------------------------

def lock_file(person, version):
    """Claim the file for this change: its version must still be ``version``; it becomes ``version + 1``.

    Called inside the service's transaction: on PostgreSQL the row stays locked until commit, so of two
    concurrent saves read at the same version exactly one succeeds.
    """
    try:
        version = int(version)
    except (TypeError, ValueError):
        raise StaleFile() from None
    claimed = Person.objects.filter(pk=person.pk, version=version).update(version=F("version") + 1,
                                                                          updated_at=timezone.now())
    if claimed != 1:
        raise StaleFile()
    person.version = version + 1


# --- validation shared by create and update -------------------------------------------------------------------

def clean_phone(value):
    digits = normalize_mobile(value or "")
    if not digits:
        return ""
    if len(digits) != 11 or not digits.startswith("1"):
        raise ValidationError({"phone": _("A mobile number has 11 digits and starts with 1.")})
    return digits


def clean_landline(value):
    text = (value or "").strip().translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    if text and not all(ch.isdigit() or ch in "-() " for ch in text):
        raise ValidationError({"landline": _("A landline number has only digits, spaces and hyphens.")})
    digits = sum(ch.isdigit() for ch in text)
    if text and not 7 <= digits <= 16:
        raise ValidationError({"landline": _("A landline number has 7 to 16 digits (with the area code).")})
    return text


def parse_id_number(value):
    try:
        return idnumbers.parse(value)
    except idnumbers.IdNumberError as exc:
        raise ValidationError({"id_number": exc.message}) from None


def find_by_id_number(id_number, exclude_pk=None):
    """The id of a file with this ID number anywhere (to refuse a duplicate; never shown unless visible)."""
    index = lookup_index(Person, "id_number_index", id_number)
    if not index:
        return None
    found = Person.objects.filter(id_number_index=index)
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return found.values_list("pk", flat=True).first()


def check_anchors(person, scope, changed):
    """Changed anchors must lie in the scope, and the file must stay visible to the one who edits it."""
    errors = {}
    for name in NODE_FIELDS:
        if name in changed and getattr(person, f"{name}_id") and not scope.contains_path(getattr(person, name).path):
            errors[name] = _("Choose an organisation inside your scope.")
    if errors:
        raise ValidationError(errors)
    person.fill_derived()
    if not any(scope.contains_path(getattr(person, path)) for path in ANCHOR_PATH_FIELDS.values()):
        raise ValidationError(_("After this change the file would no longer be in your scope (no unit, branch "
                                "or community of yours). Ask an administrator above you to move it."))


def full_check(person):
    """The model's own rules (ID number against birth date and gender, 离休 date, date of death)."""
    person.clean()


# --- create ---------------------------------------------------------------------------------------------------

@transaction.atomic
def create_person(*, actor, scope, values):
    values = dict(values)
    parsed = parse_id_number(values.pop("id_number", ""))
    existing = find_by_id_number(parsed.number)
    if existing:
        raise DuplicatePerson(existing)
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    values.setdefault("birth_date", None)
    values.setdefault("gender", "")
    person = Person(id_number=parsed.number, **values)
    person.birth_date = person.birth_date or parsed.birth_date
    person.gender = person.gender or parsed.gender
    person.phone = clean_phone(person.phone)
    person.landline = clean_landline(person.landline)
    full_check(person)
    check_anchors(person, scope, set(NODE_FIELDS))
    person.save()
    record_file_change(actor=actor, person=person, action=AuditAction.CREATE, section="create",
                       changes=audit.diff({}, file_snapshot(person)))
    return person


# --- update ---------------------------------------------------------------------------------------------------

def _raw(person, name):
    field = Person._meta.get_field(name)
    return getattr(person, field.attname)


@transaction.atomic
def update_person(*, actor, scope, person, version, values, section=""):
    unknown = set(values) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    values = dict(values)
    if values.get("id_number"):
        values["id_number"] = parse_id_number(values["id_number"]).number
    if "phone" in values:
        values["phone"] = clean_phone(values["phone"])
    if "landline" in values:
        values["landline"] = clean_landline(values["landline"])
    before = file_snapshot(person)
    raw_before = {name: _raw(person, name) for name in values}
    for name, value in values.items():
        setattr(person, name, value)
    changed = [name for name in values if _raw(person, name) != raw_before[name]]
    if not changed:
        return person
    if "id_number" in changed:
        if not person.id_number:
            raise ValidationError({"id_number": _("The ID number cannot be removed.")})
        if find_by_id_number(person.id_number, exclude_pk=person.pk):
            raise ValidationError({"id_number": _("Another file already has this ID number.")})
    if CHECKED_BY_MODEL & set(changed):
        full_check(person)
    check_anchors(person, scope, set(changed))
    lock_file(person, version)
    update_fields = {*changed, *(INDEXED[name] for name in changed if name in INDEXED), "version", "updated_at"}
    person.save(update_fields=update_fields)
    after = file_snapshot(person)
    changes = {name: [before.get(name), after.get(name)] for name in changed}
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section=section, changes=changes)
    person_file_changed.send(sender=Person, actor=actor, person=person, fields=frozenset(changed))
    return person


# --- reveal ---------------------------------------------------------------------------------------------------

REVEALABLE = ("id_number", "phone", "landline", "address", "contact_phone")


@transaction.atomic
def reveal_value(*, actor, person, field, reason, contact=None):
    if field not in REVEALABLE:
        raise ValueError(f"cannot reveal {field}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for seeing the full value.")})
    if field == "contact_phone":
        if contact is None or contact.person_id != person.pk:
            raise ValueError("contact_phone needs a contact of this person")
        value = contact.phone
    else:
        value = getattr(person, field)
    detail = {"field": field, "reason": reason[:300]}
    if contact is not None:
        detail["contact"] = contact.pk
    audit.record(AuditAction.REVEAL, actor=actor, obj=person, personal_data=True, detail=detail)
    return value or ""


# --- party anchors (used by yinfa.partylife.services) ---------------------------------------------------------

PARTY_ANCHOR_FIELDS = ("branch", "registered_community", "political_status")


def set_party_anchors(*, actor, person, section="party", **values):
    """Keep the person's party anchors in step with the party-life records: ``branch`` (the node holding the
    organisational relationship), ``registered_community`` (社区报到) and ``political_status``. Called inside the
    party-life services' transactions; audited on the file like any change, with the version bumped (a form
    open on the old version will be refused rather than overwrite the transfer)."""
    unknown = set(values) - set(PARTY_ANCHOR_FIELDS)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    before = file_snapshot(person)
    changed = []
    for name, value in values.items():
        current = getattr(person, f"{name}_id") if name in NODE_FIELDS else getattr(person, name)
        new = value.pk if name in NODE_FIELDS and value is not None else value
        if current != new:
            setattr(person, name, value)
            changed.append(name)
    if not changed:
        return person
    person.version = F("version") + 1
    person.save(update_fields={*changed, "version", "updated_at"})
    person.refresh_from_db(fields=["version"])
    after = file_snapshot(person)
    record_file_change(actor=actor, person=person, action=AuditAction.UPDATE, section=section,
                       changes={name: [before.get(name), after.get(name)] for name in changed})
    return person
