"""The one FilterSet of visit lists: the list page, its Excel export and the JSON API.

``VisitFilter(data, queryset=None, *, scope)``; the queryset defaults to ``Visit.objects.visible_to(scope)`` (one
given by the caller must already be scoped). GET parameters (stable, the API documents them): ``kind``,
``date_from``, ``date_to`` (the day of the visit), ``name`` (the person's name, pinyin or initials),
``organisation`` (an organisation of the scope: visits made by it or below it, or to people of it or below it),
``person`` (a person's id).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.care.models import Visit, VisitKind
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.core.models import OrgNode
from yinfa.people.filters import name_search_condition
from yinfa.people.models import Person
from yinfa.people.querysets import PERSON_ANCHORS


class StyledFilterForm(StyledFormMixin, forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned


class VisitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind of visit"), choices=VisitKind.choices,
                                       empty_label=_("All kinds"))
    date_from = django_filters.DateFilter(label=_("From"), field_name="visited_on", lookup_expr="gte",
                                          widget=DateInput)
    date_to = django_filters.DateFilter(label=_("To"), field_name="visited_on", lookup_expr="lte", widget=DateInput)
    name = django_filters.CharFilter(label=_("Name, pinyin or initials"), method="filter_name")
    organisation = django_filters.ModelChoiceFilter(label=_("Organisation"), queryset=OrgNode.objects.none(),
                                                    widget=forms.NumberInput, method="filter_organisation")
    person = django_filters.NumberFilter(label=_("Person"), field_name="person_id", widget=forms.HiddenInput)

    class Meta:
        model = Visit
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, scope, prefix=None):
        self.scope = scope
        if queryset is None:
            queryset = Visit.objects.visible_to(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix)
        self.filters["organisation"].queryset = OrgNode.objects.visible_to(scope)

    def filter_name(self, queryset, name, value):
        condition = name_search_condition(value)
        if condition is None:
            return queryset
        return queryset.filter(person__in=Person.objects.visible_to(self.scope).filter(condition).values("pk"))

    def filter_organisation(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        condition = Q(organisation__path__startswith=value.path)
        for anchor in PERSON_ANCHORS:
            condition |= Q(**{f"{anchor}__startswith": value.path})
        return queryset.filter(condition)

    def results(self):
        """The filtered visits; none when a filter is not valid (e.g. an organisation outside the scope)."""
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters)
