"""The one FilterSet of person lists: it serves the list page, the Excel export and the JSON API.

``PersonFilter(data, queryset=None, *, request=None, scope=None)``

- ``scope`` (a ``yinfa.core.scope.Scope``) or ``request`` (whose ``scope`` is used) limits the organisation
  choices; ``queryset`` defaults to ``Person.objects.visible_to(scope)``. A queryset given by the caller must
  already be scoped (``visible_to``).
- ``data`` is always treated as bound (``None`` means no filter), so the default "living people only" applies
  to an empty query too.

Filters (GET parameter names, stable: the API documents them): ``q``, ``category``, ``unit``, ``community``,
``branch``, ``node``, ``age``, ``treatment``, ``political_status``, ``living_status``, ``self_care``,
``status`` (alive — the default —, deceased, all), ``elsewhere`` (yes/no) and ``sort`` (read by
``yinfa.people.selectors``; the FilterSet itself does not order).

``q`` is decided by what was typed: ASCII letters search the pinyin of the name by prefix (``wangguohua``,
``wangg``) or its initials by prefix (``wgh``); anything else (Chinese characters) the name by "contains".
ID numbers and phones are never a GET filter: they are looked up exactly through a POST form.
"""

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.models import OrgKind, OrgNode
from yinfa.people.models import Category, Level, LivingStatus, Person, PoliticalStatus, SelfCare


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


class LifeStatus:
    ALIVE = "alive"
    DECEASED = "deceased"
    ALL = "all"
    CHOICES = [(ALIVE, _("Living")), (DECEASED, _("Deceased")), (ALL, _("Living and deceased"))]


class AgeBand:
    """Age bands as (lowest age, first age past the band); computed from birth dates relative to today."""

    UNDER_70 = "lt70"
    SEVENTIES = "70"
    EIGHTIES = "80"
    NINETIES = "90"
    CENTENARIANS = "100"
    BOUNDS = {UNDER_70: (None, 70), SEVENTIES: (70, 80), EIGHTIES: (80, 90), NINETIES: (90, 100),
              CENTENARIANS: (100, None)}
    CHOICES = [
        (UNDER_70, _("Under 70")),
        (SEVENTIES, _("70 to 79")),
        (EIGHTIES, _("80 to 89")),
        (NINETIES, _("90 to 99")),
        (CENTENARIANS, _("100 and over")),
    ]


class SortOrder:
    NAME = "name"
    BIRTH = "birth"
    UNIT = "unit"
    DEFAULT = NAME
    CHOICES = [(NAME, _("Name (pinyin)")), (BIRTH, _("Date of birth (oldest first)")),
               (UNIT, _("Former work unit"))]


YES_NO = [("yes", _("Yes")), ("no", _("No"))]

# Organisation kinds offered by the unit, community and branch filters.
UNIT_KINDS = (OrgKind.UNIT,)
COMMUNITY_KINDS = (OrgKind.COMMUNITY,)
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)

_PINYIN_INPUT = re.compile(r"^[A-Za-z][A-Za-z\s'’·-]*$")
_NOT_LETTER = re.compile(r"[^a-z]")


def years_before(day, years):
    """The same calendar day ``years`` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_condition(band, today=None):
    """A Q on birth_date for people whose age today lies in ``band`` (a key of AgeBand.BOUNDS)."""
    today = today or timezone.localdate()
    lowest, past = AgeBand.BOUNDS[band]
    condition = Q(birth_date__isnull=False)
    if lowest is not None:  # age >= lowest  <=>  born on or before today minus `lowest` years
        condition &= Q(birth_date__lte=years_before(today, lowest))
    if past is not None:  # age < past  <=>  born after today minus `past` years
        condition &= Q(birth_date__gt=years_before(today, past))
    return condition


def name_search_condition(text):
    """The Q for the free-text search ``q``, or None when nothing was typed."""
    text = (text or "").strip()
    if not text:
        return None
    if _PINYIN_INPUT.match(text):
        letters = _NOT_LETTER.sub("", text.lower())
        if letters:
            # Both branches imply that the pinyin starts with the first letter typed (the initials are the
            # syllables' first letters): stated as a range, it lets the name-order index start there instead of
            # at "a" when many people match (a surname alone, "wang").
            first = letters[0]
            same_letter = Q(name_pinyin__gte=first)
            if first < "z":
                same_letter &= Q(name_pinyin__lt=chr(ord(first) + 1))
            return same_letter & (Q(name_pinyin__startswith=letters) | Q(name_initials__startswith=letters))
    return Q(name__contains=text)


def pinyin_search_branches(text):
    """For pinyin typed into ``q``: the two halves of its condition, each readable in name order along an
    index without walking past other names — (pinyin prefix as a range, initials prefix within the first
    letter's range). None when ``q`` is not pinyin."""
    text = (text or "").strip()
    if not text or not _PINYIN_INPUT.match(text):
        return None
    letters = _NOT_LETTER.sub("", text.lower())
    if not letters:
        return None
    first = letters[0]
    same_letter = Q(name_pinyin__gte=first)
    if first < "z":
        same_letter &= Q(name_pinyin__lt=chr(ord(first) + 1))
    pinyin_range = Q(name_pinyin__gte=letters, name_pinyin__lt=letters[:-1] + chr(ord(letters[-1]) + 1))
    return [pinyin_range, same_letter & Q(name_initials__startswith=letters)]


def looks_like_id_or_phone(text):
    """Digits typed into the name search: an ID number or phone belongs in the exact (POST) search."""
    compact = re.sub(r"[\s\-]", "", text or "")
    return len(compact) >= 6 and bool(re.fullmatch(r"\d+[Xx]?", compact))


class ScopedNodeFilter(django_filters.ModelChoiceFilter):
    """An organisation of the scope (validated through ``visible_to``); people anchored in its subtree."""

    def __init__(self, *args, kinds=None, path_fields=(), **kwargs):
        self.kinds = kinds
        self.path_fields = path_fields
        kwargs.setdefault("queryset", OrgNode.objects.none())  # replaced by the scope's nodes in PersonFilter
        kwargs.setdefault("widget", forms.NumberInput)  # the page shows a select when the list is short
        super().__init__(*args, **kwargs)

    def nodes_in_scope(self, scope):
        nodes = OrgNode.objects.visible_to(scope)
        if self.kinds:
            nodes = nodes.filter(kind__in=self.kinds)
        return nodes.order_by("path")

    def filter(self, queryset, value):
        if value in (None, ""):
            return queryset
        condition = Q()
        for path_field in self.path_fields:
            condition |= Q(**{f"{path_field}__startswith": value.path})
        return queryset.filter(condition)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, pinyin or initials"), method="filter_q")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices, empty_label=_("All"))
    unit = ScopedNodeFilter(label=_("Former work unit"), kinds=UNIT_KINDS, path_fields=("unit_path",))
    community = ScopedNodeFilter(label=_("Community"), kinds=COMMUNITY_KINDS,
                                 path_fields=("community_path", "registered_path"))
    branch = ScopedNodeFilter(label=_("Party branch"), kinds=BRANCH_KINDS, path_fields=("branch_path",))
    node = ScopedNodeFilter(label=_("Organisation and below"),
                            path_fields=("unit_path", "branch_path", "community_path", "registered_path"))
    age = django_filters.ChoiceFilter(label=_("Age"), choices=AgeBand.CHOICES, method="filter_age",
                                      empty_label=_("Any age"))
    treatment = django_filters.ChoiceFilter(label=_("Treatment level"), choices=Level.choices,
                                            empty_label=_("Any level"))
    political_status = django_filters.ChoiceFilter(label=_("Political status"), choices=PoliticalStatus.choices,
                                                   empty_label=_("All"))
    living_status = django_filters.ChoiceFilter(label=_("Living situation"), choices=LivingStatus.choices,
                                                empty_label=_("All"))
    self_care = django_filters.ChoiceFilter(label=_("Self-care ability"), choices=SelfCare.choices,
                                            empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Living or deceased"), choices=LifeStatus.CHOICES,
                                         method="filter_status", empty_label=None)
    elsewhere = django_filters.ChoiceFilter(label=_("Lives in another city"), choices=YES_NO,
                                            method="filter_elsewhere", empty_label=_("All"))
    sort = django_filters.ChoiceFilter(label=_("Sort by"), choices=SortOrder.CHOICES, method="keep_order",
                                       empty_label=None)

    class Meta:
        model = Person
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, scope=None, prefix=None):
        self.scope = scope if scope is not None else getattr(request, "scope", None)
        if queryset is None:
            queryset = Person.objects.visible_to(self.scope)
        super().__init__({} if data is None else data, queryset, request=request, prefix=prefix)
        for filter_ in self.filters.values():
            if isinstance(filter_, ScopedNodeFilter):
                filter_.queryset = filter_.nodes_in_scope(self.scope)

    # --- filter methods ---

    def filter_q(self, queryset, name, value):
        condition = name_search_condition(value)
        return queryset if condition is None else queryset.filter(condition)

    def filter_age(self, queryset, name, value):
        return queryset.filter(age_band_condition(value))

    def filter_status(self, queryset, name, value):
        return queryset  # applied in filter_queryset (the default, living only, needs no value)

    def filter_elsewhere(self, queryset, name, value):
        return queryset.filter(lives_elsewhere=(value == "yes"))

    def keep_order(self, queryset, name, value):
        return queryset  # ordering is the selector's job (keyset pagination)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        status = self.life_status
        if status == LifeStatus.ALIVE:
            queryset = queryset.alive()
        elif status == LifeStatus.DECEASED:
            queryset = queryset.deceased()
        return queryset

    # --- what the page and the selector read ---

    @property
    def life_status(self):
        data = getattr(self.form, "cleaned_data", {}) if self.form.is_bound else {}
        return data.get("status") or LifeStatus.ALIVE

    @property
    def sort_order(self):
        self.is_valid()
        return self.form.cleaned_data.get("sort") or SortOrder.DEFAULT

    def active_filters(self):
        """{name: value} of the filters actually applied (for the audit of an export), as plain strings."""
        self.is_valid()
        shown = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, "") or name == "sort":
                continue
            shown[name] = str(value.pk) if isinstance(value, OrgNode) else str(value)
        shown.setdefault("status", LifeStatus.ALIVE)
        return shown
