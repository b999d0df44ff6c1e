"""Writing a planned chunk: new people in bulk, changed people in bulk, one audit row per person.

``bulk_update`` does not call ``pre_save``, so the encrypted fields (ID number, phone, landline, address) and
their blind indexes are prepared here exactly as ``save()`` would: the index from the plaintext, then the
ciphertext (bound to the row's uid) assigned as a ``Ciphertext``, which the field writes as it is.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import timezone

from yinfa.core import context
from yinfa.core.fields import BlindIndexField, EncryptedTextField
from yinfa.core.masking import mask_address, mask_id_number, mask_phone
from yinfa.core.models import AuditAction, AuditEvent, AuditOutcome
from yinfa.people.imports.copy_insert import copy_create, copy_supported, copy_tuples, reserve_ids
from yinfa.people.imports.plan import IMPORTED_FIELDS, NEW, UPDATE, plain
from yinfa.people.models import Person
from yinfa.people.pinyin import name_pinyin

PERSON_TYPE = Person._meta.label_lower
AUDIT_COLUMNS = ("id", "at", "actor", "actor_name", "ip", "request_id", "action", "outcome", "object_type",
                 "object_id", "object_repr", "changes", "detail", "scope_path", "personal_data")
BATCH_SIZE = 1000
_FIELDS = {f.name: f for f in Person._meta.concrete_fields}
# encrypted field -> its blind index field, if any
_INDEXES = {f.source: f for f in Person._meta.concrete_fields if isinstance(f, BlindIndexField)}


def encrypted_field_names():
    return {name for name, f in _FIELDS.items() if isinstance(f, EncryptedTextField)}


def seal_for_bulk_update(person, names):
    """Give ``person`` the database values of the encrypted fields ``names`` (and their blind indexes), as
    ``save()`` would, so ``bulk_update`` can write them. Returns the fields to include in the update."""
    written = []
    for name in names:
        index_field = _INDEXES.get(name)
        if index_field is not None:
            index_field.pre_save(person, False)  # sets person.<name>_index from the plaintext
            written.append(index_field.name)
    for name in names:
        setattr(person, name, _FIELDS[name].pre_save(person, False))
        written.append(name)
    return written


# Protected values enter the audit trail masked as in lists (138****5678), like the file's own edits.
MASKS = {"id_number": mask_id_number, "phone": mask_phone, "landline": mask_phone, "address": mask_address}
NODE_FIELDS = {"unit", "community"}


def audit_value(name, value, node_names=None):
    """A value as the audit trail keeps it: protected ones masked, organisations by name."""
    if value in (None, ""):
        return ""
    if name in MASKS:
        return MASKS[name](str(value))
    if name in NODE_FIELDS:
        return (node_names or {}).get(value, f"#{value}")
    return plain(value)


def created_changes(planned, node_names=None):
    """The audit changes of a new person: [None, value] for each imported value given, and the unit."""
    person = planned.person
    changes = {}
    for name in (*IMPORTED_FIELDS, "unit"):
        value = person.__dict__.get(_FIELDS[name].attname)
        if value not in (None, "", False):
            changes[name] = [None, audit_value(name, value, node_names)]
    return changes


def _scope_path_for(person, scope_path):
    """Audit rows of a person sit at the person's unit when it lies in the importing scope (so the unit's own
    staff see the history), else at the scope itself."""
    path = person.unit_path or ""
    return path if scope_path and path.startswith(scope_path) else scope_path


class ChunkWriter:
    """Writes planned chunks for one import run; every call runs inside the caller's transaction."""

    def __init__(self, *, actor, scope_path, detail, node_names=None):
        self.actor = actor if getattr(actor, "is_authenticated", False) else None
        self.node_names = node_names or {}  # organisation id -> name, for the audit trail
        self.scope_path = scope_path
        self.detail = detail
        ctx = context.current()
        self.ip, self.request_id = ctx.ip, ctx.request_id

    def write(self, planned):
        now = timezone.now()
        created = [p.person for p in planned if p.kind == NEW]
        changed = [p for p in planned if p.kind == UPDATE]
        if created:
            if copy_supported():
                for person in created:
                    person.fill_derived()  # pinyin and anchor paths (the nodes are cached: no query)
                copy_create(Person, created)
            else:
                Person.objects.bulk_create(created, batch_size=BATCH_SIZE)
        if changed:
            self._update(changed, now)
        names = self.node_names
        audited = [(AuditAction.CREATE, p.person, created_changes(p, names)) for p in planned if p.kind == NEW]
        audited += [(AuditAction.UPDATE, p.person, {
            name: [audit_value(name, old, names), audit_value(name, new, names)]
            for name, (old, new) in p.changes.items()
        }) for p in changed]
        if copy_supported():
            self._copy_events(now, audited)
        else:
            events = [self._event(action, person, changes) for action, person, changes in audited]
            AuditEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)

    def _copy_events(self, now, audited):
        """The same audit rows as ``_event`` builds, written with COPY (no model instances)."""
        actor = self.actor
        actor_id = actor.pk if actor else None
        actor_name = actor.get_username()[:150] if actor else ""
        detail = json.dumps(self.detail, ensure_ascii=False, cls=DjangoJSONEncoder)
        ids = reserve_ids(AuditEvent, len(audited))
        rows = [
            (pk, now, actor_id, actor_name, self.ip, self.request_id, str(action), AuditOutcome.SUCCESS.value,
             PERSON_TYPE, str(person.pk), str(person)[:200], json.dumps(changes, ensure_ascii=False), detail,
             _scope_path_for(person, self.scope_path), False)
            for pk, (action, person, changes) in zip(ids, audited, strict=True)
        ]
        copy_tuples(AuditEvent, AUDIT_COLUMNS, rows)

    def _update(self, changed, now):
        names = set()
        for planned in changed:
            names |= set(planned.changes)
        encrypted = names & encrypted_field_names()
        fields = set(names - encrypted) | {"version", "updated_at"}
        if "name" in names:
            fields |= {"name_pinyin", "name_initials"}
        if "community" in names:
            fields.add("community_path")
        people = []
        for planned in changed:
            person = planned.person
            if "name" in planned.changes:
                person.name_pinyin, person.name_initials = name_pinyin(person.name)
            if "community" in planned.changes:  # the node was assigned by the planner: no query
                person.community_path = person.community.path if person.community_id else ""
            fields.update(seal_for_bulk_update(person, sorted(encrypted)))
            person.version += 1
            person.updated_at = now
            people.append(person)
        # PersonQuerySet.update() refuses encrypted fields to stop plaintext reaching the database; the values
        # here are sealed Ciphertext (prepared as save() would), so the plain QuerySet's bulk_update is used.
        QuerySet(model=Person).bulk_update(people, sorted(fields), batch_size=BATCH_SIZE)

    def _event(self, action, person, changes):
        actor = self.actor
        return AuditEvent(
            actor=actor, actor_name=actor.get_username()[:150] if actor else "", ip=self.ip,
            request_id=self.request_id, action=action, object_type=PERSON_TYPE, object_id=str(person.pk),
            object_repr=str(person)[:200], changes=changes, detail=self.detail,
            scope_path=_scope_path_for(person, self.scope_path),
        )
