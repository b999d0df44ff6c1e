"""The one FilterSet of aid applications: the list page, its Excel export and the JSON API.

``AidFilter(data, queryset=None, *, scope)``; the queryset defaults to ``AidApplication.objects.visible_to(scope)``
(one given by the caller must already be scoped). GET parameters (stable, the API documents them): ``status``,
``kind``, ``year`` (of the application day), ``name`` (the person's name contains), ``person`` (a person id),
``mine`` (``1``: the applications waiting for a step of the role in use).
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.care.models import AidApplication, AidKind, AidStatus
from yinfa.care.services.aid import acting_statuses
from yinfa.core.forms import StyledFormMixin

MIN_YEAR, MAX_YEAR = 1990, 2100


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


def waiting_for(scope):
    """Q: the applications the role in use can take a step on (a state it acts from, the person's former unit in
    the scope). None when it can act on none."""
    statuses = acting_statuses(scope)
    if not statuses:
        return None
    return Q(status__in=statuses, person__unit_path__startswith=scope.path)


class AidFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AidStatus.choices, empty_label=_("All states"))
    kind = django_filters.ChoiceFilter(label=_("Kind of aid"), choices=AidKind.choices, empty_label=_("All kinds"))
    year = django_filters.NumberFilter(label=_("Year"), method="filter_year", min_value=MIN_YEAR,
                                       max_value=MAX_YEAR)
    name = django_filters.CharFilter(label=_("Full name"), field_name="person__name", lookup_expr="icontains",
                                     max_length=60)
    person = django_filters.NumberFilter(label=_("Person"), field_name="person_id", widget=forms.HiddenInput)
    mine = django_filters.BooleanFilter(label=_("Waiting for me"), method="filter_mine",
                                        widget=forms.CheckboxInput)

    class Meta:
        model = AidApplication
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, scope, prefix=None):
        self.scope = scope
        if queryset is None:
            queryset = AidApplication.objects.visible_to(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix)

    def filter_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(applied_on__gte=datetime.date(year, 1, 1), applied_on__lte=datetime.date(year, 12, 31))

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        condition = waiting_for(self.scope)
        return queryset.none() if condition is None else queryset.filter(condition)

    def results(self):
        """The filtered applications; none when a filter is not valid."""
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters)

    def used(self):
        """{name: value} of the filters given (for the audit row of an export)."""
        return {name: self.form.data.get(name) for name in self.filters if self.form.data.get(name)}
