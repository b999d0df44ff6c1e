"""Checking each data row on its own and against the rest of the file (duplicate ID numbers).

A row is valid or carries errors, each naming the column as the file calls it and the reason; other rows go
on. Nothing here reads the database except the scope's communities, loaded once by the caller.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yinfa.people.imports import normalize
from yinfa.people.imports.columns import BY_FIELD
from yinfa.people.imports.normalize import CellError, PartialDate
from yinfa.people.models import LIXIU_CUTOFF, Category, Person

TEXT_LIMITS = {f.name: f.max_length for f in Person._meta.concrete_fields
               if getattr(f, "max_length", None) and f.name in BY_FIELD}
CHOICE_PARSERS = {
    "gender": normalize.parse_gender,
    "category": normalize.parse_category,
    "level": normalize.parse_level,
    "political": normalize.parse_political,
    "living": normalize.parse_living,
    "self_care": normalize.parse_self_care,
}


@dataclass
class RowError:
    number: int
    column: str
    reason: str


@dataclass
class ValidRow:
    number: int
    values: dict  # field -> value: str, choice value, bool, PartialDate, or an OrgNode (community)
    id_number: str
    birth_date: object
    gender: str
    raw: list = field(default_factory=list)
    id_index: str = ""  # the blind index of the ID number, set by the planner


@dataclass
class CheckedRow:
    number: int
    raw: list
    errors: list  # RowError
    valid: ValidRow | None = None


def community_key(name: str) -> str:
    """Community names compared without spaces and the 居委会/居民委员会 suffixes: 东门社区居委会 → 东门社区."""
    key = normalize.text(name).replace(" ", "")
    for suffix in ("居民委员会", "居委会"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return key if key.endswith("社区") else key + "社区"


class Validator:
    """Validates rows in file order; remembers each ID number's first row to find duplicates."""

    def __init__(self, roster, communities=None):
        self.roster = roster
        self.communities = communities or {}  # community_key(name) -> [OrgNode, ...]
        self.first_row_of_id = {}

    def header(self, field_name):
        return self.roster.header_for(field_name)

    def check(self, source) -> CheckedRow:
        errors = []
        values = {}

        def fail(field_name, reason):
            errors.append(RowError(source.number, self.header(field_name), str(reason)))

        for field_name, raw in source.cells.items():
            try:
                self._parse(field_name, raw, values)
            except CellError as exc:
                fail(field_name, exc.reason)
        if not values.get("name"):
            fail("name", _("The name is missing."))
        parsed_id = values.pop("_id", None)
        if parsed_id is None and "id_number" not in source.cells:
            fail("id_number", _("The ID number is missing."))
        if parsed_id is not None:
            self._check_against_id(parsed_id, values, fail)
            first = self.first_row_of_id.setdefault(parsed_id.number, source.number)
            if first != source.number:
                fail("id_number", _("The same ID number is already on row %(row)s; each person may appear only "
                                    "once.") % {"row": first})
        self._check_category(values, fail)
        checked = CheckedRow(source.number, source.raw, errors)
        if not errors:
            checked.valid = ValidRow(source.number, values, parsed_id.number, parsed_id.birth_date,
                                     parsed_id.gender, source.raw)
        return checked

    def _parse(self, field_name, raw, values):
        column = BY_FIELD[field_name]
        kind = column.kind
        if kind == "id":
            values["_id"] = normalize.parse_id_number(raw)
        elif kind == "date":
            values[field_name] = normalize.parse_date(raw)
        elif kind in CHOICE_PARSERS:
            values[field_name] = CHOICE_PARSERS[kind](raw)
        elif kind == "level":
            values[field_name] = normalize.parse_level(raw)
        elif kind == "phone":
            phones = normalize.parse_phones(raw)
            if field_name == "phone":
                values["phone"] = phones[0] if phones else ""
                if len(phones) > 1:
                    values.setdefault("_extra_phones", phones[1:])
            else:
                values["landline"] = "、".join(phones)
        elif kind == "community":
            values["community"] = self._community(raw)
        elif kind == "elsewhere":
            elsewhere, place = normalize.parse_elsewhere(raw)
            values["lives_elsewhere"] = elsewhere
            if place:
                values.setdefault("elsewhere_place", place)
        else:
            value = normalize.text(raw)
            limit = TEXT_LIMITS.get(field_name)
            if limit and len(value) > limit:
                raise CellError(_("Longer than %(limit)s characters.") % {"limit": limit})
            values[field_name] = value

    def _community(self, raw):
        name = normalize.text(raw)
        found = self.communities.get(community_key(name), [])
        if len(found) == 1:
            return found[0]
        if not found:
            raise CellError(_("No community named “%(name)s” in your scope; check the name against the "
                              "organisation tree.") % {"name": name[:40]})
        raise CellError(_("Several communities in your scope are named “%(name)s”; edit the person's file "
                          "after the import to choose one.") % {"name": name[:40]})

    def _check_against_id(self, parsed_id, values, fail):
        extra = values.pop("_extra_phones", None)
        if extra and not values.get("landline"):
            values["landline"] = "、".join(extra)
        birth = values.pop("birth_date", None)
        if birth is not None and not birth.same_as(parsed_id.birth_date):
            fail("birth_date", _("The date of birth %(sheet)s differs from the one in the ID number "
                                 "(%(id)s).") % {"sheet": _shown(birth), "id": parsed_id.birth_date.isoformat()})
        gender = values.pop("gender", None)
        if gender is not None and gender != parsed_id.gender:
            fail("gender", _("The gender differs from the one in the ID number."))

    def _check_category(self, values, fail):
        joined = values.get("joined_revolution_on")
        category = values.get("category")
        if joined is None:
            return
        before_cutoff = joined.value < LIXIU_CUTOFF
        if category is None:
            values["category"] = Category.LIXIU if before_cutoff else Category.TUIXIU
        elif category == Category.LIXIU and not before_cutoff:
            fail("joined_revolution_on", _("A lixiu cadre joined revolutionary work before 1949-10-01."))
        elif category == Category.TUIXIU and before_cutoff:
            fail("category", _("Whoever joined revolutionary work before 1949-10-01 is a lixiu cadre."))


def _shown(partial: PartialDate):
    if partial.precision == normalize.MONTH:
        return partial.value.strftime("%Y-%m")
    return partial.value.isoformat()
