"""Comparing valid rows with the people already registered: new, update (which fields), unchanged, refused.

People are matched by ID number through the blind index, a chunk of rows at a time (two queries per chunk
whatever its size). A person outside the importing scope is never touched: the row is refused.
Empty cells never clear what the file already holds; a month-precise date (1965.07) does not overwrite a
day-precise one of the same month.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yinfa.core.fields import lookup_index
from yinfa.people.imports.normalize import PartialDate
from yinfa.people.imports.validate import RowError
from yinfa.people.models import Person

CHUNK_SIZE = 1000
NEW = "new"
UPDATE = "update"
UNCHANGED = "unchanged"
# Fields written by an import (besides the anchors and the values derived from them).
IMPORTED_FIELDS = (
    "name", "former_name", "gender", "ethnicity", "birth_date", "native_place", "id_number", "phone", "landline",
    "address", "category", "joined_work_on", "joined_revolution_on", "joined_party_on", "retired_on",
    "former_position", "level", "treatment", "political_status", "community", "living_status", "self_care",
    "lives_elsewhere", "elsewhere_place", "specialties", "hobbies",
)


@dataclass
class Planned:
    row: object  # ValidRow
    kind: str
    person: Person
    changes: dict = field(default_factory=dict)  # field -> (old, new), plain Python values


def id_index(number: str) -> str:
    return lookup_index(Person, "id_number_index", number)


def _current(person, name):
    if name == "community":
        return person.community_id
    return getattr(person, name)


def _wanted(row, name):
    """The value the row asks for (None: the row says nothing about this field)."""
    if name == "birth_date":
        return row.birth_date
    if name == "gender":
        return row.gender
    if name == "id_number":
        return row.id_number
    return row.values.get(name)


def _apply(person, name, value):
    if name == "community":
        person.community = value
    else:
        setattr(person, name, value)


def _differs(old, new):
    if isinstance(new, PartialDate):
        return not new.same_as(old)
    if hasattr(new, "pk"):
        return old != new.pk
    return old != new


def _stored(value):
    return value.value if isinstance(value, PartialDate) else value


class NewPeople:
    """Builds unsaved Person objects fast: positional construction from a row of defaults (what
    ``Model.from_db`` does), with the unit and community cached so that deriving the anchor paths needs no
    query. Every field not given keeps its model default; each person gets a new uid."""

    def __init__(self, unit):
        self.unit = unit
        fields = Person._meta.concrete_fields
        self.position = {f.name: i for i, f in enumerate(fields)}
        per_row = {i for i, f in enumerate(fields) if f.has_default() and callable(f.default) and not f.primary_key}
        self.defaults = [None if f.primary_key or i in per_row else f.get_default() for i, f in enumerate(fields)]
        self.callables = [(i, fields[i].default) for i in sorted(per_row)]

    def make(self, values):
        row = self.defaults.copy()
        for index, make_default in self.callables:
            row[index] = make_default()
        row[self.position["unit"]] = self.unit.pk
        community = values.pop("community", None)
        if community is not None:
            row[self.position["community"]] = community.pk
        for name, value in values.items():
            row[self.position[name]] = value
        person = Person(*row)
        person._state.fields_cache["unit"] = self.unit
        if community is not None:
            person._state.fields_cache["community"] = community
        return person


class Planner:
    """Plans chunks of valid rows for one unit within one scope. ``lock``: lock the matched rows (the real
    run, inside its transaction). People are matched a chunk at a time, never one query per row."""

    def __init__(self, *, scope, unit, header_for, lock=False, build=True):
        self.scope = scope
        self.unit = unit
        self.header_for = header_for  # field -> the column header as the file names it
        self.lock = lock
        self.build = build  # build Person objects for new rows (a dry run only counts them)
        self.new_people = NewPeople(unit)

    def plan(self, rows):
        """(planned, errors) for a chunk of ValidRow: one query, two when some of the people exist."""
        indexes = {id_index(row.id_number): row for row in rows}
        # First who exists at all, by the unique blind index alone (the index decides the query plan); this
        # reads only ids, and reveals nothing of people outside the scope.
        found = dict(Person.objects.filter(id_number_index__in=list(indexes))
                     .values_list("id_number_index", "pk"))
        existing = {}
        if found:
            visible = Person.objects.visible_to(self.scope).filter(pk__in=list(found.values()))
            if self.lock:
                visible = visible.select_for_update(of=("self",))
            existing = {person.id_number_index: person for person in visible}
        elsewhere = set(found) - set(existing)
        planned, errors = [], []
        for index, row in indexes.items():
            row.id_index = index
            if index in elsewhere:
                errors.append(RowError(row.number, self.header_for("id_number"),
                                       _("This person is registered outside your scope; ask the bureau above "
                                         "to move the file or import it there.")))
            elif index in existing:
                planned.append(self._update(row, existing[index]))
            else:
                result = self._new(row)
                (planned if isinstance(result, Planned) else errors).append(result)
        return planned, errors

    def _new(self, row):
        if row.values.get("category") is None:
            return RowError(row.number, self.header_for("category"),
                            _("The category (离休 or 退休) is required for a person not yet registered."))
        if not self.build:
            return Planned(row, NEW, None)
        values = {"id_number_index": row.id_index}
        for name in IMPORTED_FIELDS:
            value = _wanted(row, name)
            if value is not None:
                values[name] = _stored(value)
        return Planned(row, NEW, self.new_people.make(values))

    def _update(self, row, person):
        changes = {}
        for name in IMPORTED_FIELDS:
            new = _wanted(row, name)
            if new is None or (new == "" and name != "id_number"):
                continue
            old = _current(person, name)
            if _differs(old, new):
                changes[name] = (old, new.pk if hasattr(new, "pk") else _stored(new))
                _apply(person, name, _stored(new))
        return Planned(row, UPDATE if changes else UNCHANGED, person, changes)


def plain(value):
    """A value as JSON can hold it (for summaries and the audit trail)."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value
