"""Reads for the person list: filtered, sorted, keyset-paginated pages of the people of a scope.

Public API (used by the list page, the export and the JSON API; keep the names stable):

``person_list_page(scope, params, *, after=None, size=50, request=None) -> PersonPage``
    ``scope``: the role in use (``request.scope``). ``params``: a dict or QueryDict of ``PersonFilter``
    parameters, including ``sort`` (``name`` — default —, ``birth``, ``unit``). ``after``: the cursor of
    the previous page (``PersonPage.next_cursor``) or None for the first page. ``size``: rows per page.
    Raises ``Http404`` for a malformed cursor, a cursor of another sort, or one naming a person outside the
    scope. Queries: a probe (the sort keys of at most COUNT_CAP + 1 matching people, unordered), the page,
    and on later pages one primary-key lookup for the cursor row; never OFFSET, never an unbounded COUNT(*).

``person_list_queryset(scope, params, *, request=None) -> (PersonFilter, QuerySet)``
    The filtered, ordered queryset (no page), e.g. for the export.

``file_history(person, *, include_health, limit=20) -> list[AuditEvent]``
    The change history of one (visible) file, with ``change_rows`` ready for a table.

``SORT_KEYS``: sort name -> the ordering columns (the last one is always ``id``).
``COUNT_CAP``: the first page counts matching rows up to this many, then says "more than" (see the probe in
    ``person_list_page``).

Scoping goes through ``Person.objects.visible_to(scope)`` (the copies of the four anchors' paths, each a
prefix LIKE on a pattern index); the name search is a prefix LIKE on ``name_pinyin``/``name_initials``.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import F, Lookup, Q
from django.http import Http404
from django.utils.translation import gettext

from yinfa.core.history import is_blank, shown_value
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.people.filters import PersonFilter, SortOrder, pinyin_search_branches
from yinfa.people.models import Contact, Document, Health, Honour, LifeEvent, Person

COUNT_CAP = 5000

# sort -> ordering columns; ``birth_date`` is the only nullable one (NULLs sort last).
SORT_KEYS = {
    SortOrder.NAME: ("name_pinyin", "id"),
    SortOrder.BIRTH: ("birth_date", "name_pinyin", "id"),
    # Grouped by former unit: unit_id leads, so the (unit, deceased_on) index gives the order and the database
    # sorts only within a unit (incremental sort). Units follow one another in the order they were created.
    SortOrder.UNIT: ("unit_id", "name_pinyin", "id"),
}
NULLABLE = {"birth_date"}

# The columns a list row needs (uid: the encryption of id_number/phone is bound to it).
LIST_COLUMNS = (
    "id", "uid", "name", "name_pinyin", "gender", "birth_date", "category", "treatment", "level",
    "id_number", "phone", "deceased_on", "lives_elsewhere", "unit_id", "unit__id", "unit__name",
    "community__id", "community__name",
)


@dataclass
class PersonPage:
    rows: list
    next_cursor: str | None
    sort: str
    filterset: PersonFilter
    count: int | None = None  # matching rows, up to COUNT_CAP (None: not counted)
    count_capped: bool = False  # True: more than COUNT_CAP match
    extra: dict = field(default_factory=dict)

    @property
    def has_more(self):
        return self.next_cursor is not None


class AmongIds(Lookup):
    """``id = ANY(%s)`` with the ids as one array parameter on PostgreSQL (thousands of ids bind as one value);
    an IN list elsewhere. Used as an expression: ``filter(AmongIds(F("id"), ids))``."""

    lookup_name = "among_ids"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = compiler.compile(self.lhs)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


def ordering(sort):
    columns = SORT_KEYS[sort]
    return [F(c).asc(nulls_last=True) if c in NULLABLE else F(c).asc() for c in columns]


def encode_cursor(sort, person_id):
    return f"{sort}.{person_id}"


def decode_cursor(cursor, sort):
    """The person id in ``cursor``; 404 unless it is ``<sort>.<id>`` for the sort in use."""
    prefix, _, number = str(cursor).partition(".")
    if prefix != sort or not number.isdigit():
        raise Http404
    return int(number)


def after_condition(sort, anchor):
    """Rows strictly after ``anchor`` (a dict of the sort columns' values) in the order of ``sort``.

    For columns (c1, c2, …, id): c1 > v1 OR (c1 = v1 AND (c2 > v2 OR (…))). A NULL birth date sorts last:
    after a NULL only NULLs with a larger rest follow; after a value, every NULL follows.
    """
    columns = SORT_KEYS[sort]
    condition = None
    for column in reversed(columns):
        value = anchor[column]
        if column in NULLABLE:
            if value is None:
                later = Q(pk__in=[])  # nothing sorts after NULL in this column
                equal = Q(**{f"{column}__isnull": True})
            else:
                later = Q(**{f"{column}__gt": value}) | Q(**{f"{column}__isnull": True})
                equal = Q(**{column: value})
        else:
            later = Q(**{f"{column}__gt": value})
            equal = Q(**{column: value})
        condition = later if condition is None else later | (equal & condition)
    # The same rows, with the leading column's bound stated on its own so an index range scan can start there.
    lead, value = columns[0], anchor[columns[0]]
    if lead not in NULLABLE:
        condition &= Q(**{f"{lead}__gte": value})
    return condition


def person_list_queryset(scope, params, *, request=None):
    filterset = PersonFilter(params, scope=scope, request=request)
    queryset = filterset.qs.order_by(*ordering(filterset.sort_order))
    return filterset, queryset


def sort_key(sort, values):
    """The order of ``sort`` for a tuple of its columns' values, in Python (NULL birth dates last), the same
    order as ``ordering(sort)`` gives in the database (the pinyin is lower-case ASCII)."""
    key = []
    for column, value in zip(SORT_KEYS[sort], values, strict=True):
        key.append((value is None, value if value is not None else datetime.date.min) if column in NULLABLE
                   else value)
    return tuple(key)


def person_list_page(scope, params, *, after=None, size=50, request=None, count=True):
    filterset, queryset = person_list_queryset(scope, params, request=request)
    sort = filterset.sort_order
    columns = SORT_KEYS[sort]
    # The probe: the sort keys of the matching people, unordered, at most COUNT_CAP + 1 of them. Without
    # ORDER BY the database takes the selective indexes (pinyin prefix, community path…), so this is cheap.
    # A narrow filter (≤ COUNT_CAP matches) is paged here, in Python, and only that page's rows are read
    # by primary key: no planner can fall into the trap of ORDER BY … LIMIT with a selective filter (walking
    # the whole name index to find a few matches). A wide filter is paged by the database along the
    # name-order index, which finds a page quickly because matches are dense. The probe also gives the first
    # page's count ("more than COUNT_CAP" when wide) without a COUNT(*) over the scope.
    probe = list(filterset.qs.order_by().values_list(*columns)[: COUNT_CAP + 1])
    narrow = len(probe) <= COUNT_CAP
    anchor = None
    if after not in (None, ""):
        anchor_id = decode_cursor(after, sort)
        anchor = Person.objects.visible_to(scope).filter(pk=anchor_id).values(*columns).first()
        if anchor is None:
            raise Http404
    if narrow:
        ordered = sorted(probe, key=lambda values: sort_key(sort, values))
        if anchor is not None:
            start = sort_key(sort, [anchor[column] for column in columns])
            ordered = [values for values in ordered if sort_key(sort, values) > start]
        page_ids = [values[-1] for values in ordered[: size + 1]]
        found = {person.pk: person for person in Person.objects.filter(AmongIds(F("id"), page_ids))
                 .select_related("unit", "community").only(*LIST_COLUMNS)} if page_ids else {}
        rows = [found[pk] for pk in page_ids if pk in found]
    else:
        rows = _wide_page(scope, params, filterset, queryset, sort, anchor, size, request)
    more = len(rows) > size
    rows = rows[:size]
    page = PersonPage(rows=rows, next_cursor=encode_cursor(sort, rows[-1].pk) if more and rows else None,
                      sort=sort, filterset=filterset)
    if count and after in (None, ""):
        page.count, page.count_capped = min(len(probe), COUNT_CAP), not narrow
    return page


def _wide_page(scope, params, filterset, queryset, sort, anchor, size, request):
    """A page of a wide filter, read by the database along the sort index.

    A pinyin search sorted by name is split in two (the pinyin prefix as a range; the initials prefix), each
    read in name order and merged: a single OR would walk past every more common name on the way
    (``wu`` past all the ``wang``)."""
    branches = pinyin_search_branches(params.get("q")) if sort == SortOrder.NAME else None
    if branches is None:
        if anchor is not None:
            queryset = queryset.filter(after_condition(sort, anchor))
        return list(queryset.select_related("unit", "community").only(*LIST_COLUMNS)[: size + 1])
    without_q = params.copy()
    without_q.pop("q", None)
    base = PersonFilter(without_q, scope=scope, request=request).qs.order_by(*ordering(sort))
    if anchor is not None:
        base = base.filter(after_condition(sort, anchor))
    merged = {}
    for branch in branches:
        for person in base.filter(branch).select_related("unit", "community").only(*LIST_COLUMNS)[: size + 1]:
            merged[person.pk] = person
    return sorted(merged.values(), key=lambda person: (person.name_pinyin, person.pk))[: size + 1]


# --- the change history of one file -----------------------------------------------------------------------------

HISTORY_ACTIONS = (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.IMPORT)
# Prefixes of the keys under which the rows of a file are audited (services.file).
ROW_MODELS = {"contact": Contact, "health": Health, "honour": Honour, "life_event": LifeEvent, "document": Document}
HEALTH_KEYS = ("health.", "life_event.diagnosis", "life_event.department")


def history_labels():
    """{audited key: (label, choices)} for the person's fields and the rows' fields, in the active language."""
    labels = {}
    for model_field in Person._meta.fields:
        labels[model_field.name] = (str(model_field.verbose_name).capitalize(), dict(model_field.flatchoices))
    labels["name"] = (gettext("Full name"), {})  # the model's "name" is shared with organisations (名称)
    for prefix, model in ROW_MODELS.items():
        row_label = str(model._meta.verbose_name).capitalize()
        for model_field in model._meta.fields:
            labels[f"{prefix}.{model_field.name}"] = (f"{row_label} · {model_field.verbose_name}",
                                                      dict(model_field.flatchoices))
    return labels


def is_health_key(name):
    return name.startswith(HEALTH_KEYS)


def file_history(person, *, include_health, limit=20):
    """The newest changes to ``person``'s file, newest first, each with ``change_rows`` ({label, old, new}).

    Read through the person (who must come from ``visible_to``): the history of a file is visible to whoever
    sees the file. Without ``include_health`` the health keys are left out (and events that were only health).
    """
    events = list(AuditEvent.objects.filter(object_type=Person._meta.label_lower, object_id=str(person.pk),
                                            action__in=HISTORY_ACTIONS).order_by("-at", "-id")[:limit])
    labels = history_labels()
    shown = []
    for event in events:
        rows = []
        for name, pair in (event.changes or {}).items():
            if not include_health and is_health_key(name):
                continue
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            if is_blank(old) and is_blank(new):
                continue
            label, choices = labels.get(name, (name, {}))
            rows.append({"label": label, "old": _shown(old, choices), "new": _shown(new, choices)})
        event.change_rows = rows
        detail = event.detail or {}
        if not include_health and not rows and (detail.get("section") == "health" or event.changes):
            continue
        shown.append(event)
    return shown


def _shown(value, choices):
    if isinstance(value, str) and value in choices:
        return choices[value]
    return shown_value(None, value)
