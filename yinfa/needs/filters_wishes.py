"""The one FilterSet of the staff's wish list: the list page, its Excel export and the JSON API.

``WishFilter(data, queryset=None, *, scope)``; the queryset defaults to ``Wish.objects.visible_to(scope)`` (one given
by the caller must already be scoped). GET parameters (stable, the API documents them): ``status``, ``wall`` (an
organisation id: a wall at, above or inside the scope), ``year`` (the year the wish was collected), ``person`` (a
person id of the scope), ``q`` (words of the wish or the person's name).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.models import OrgNode
from yinfa.core.scope import above_or_within
from yinfa.needs.models import Wish, WishStatus
from yinfa.people.models import Person

FIRST_YEAR = 2000
LAST_YEAR = 2100


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


class WishFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=WishStatus.choices, empty_label=_("All"))
    wall = django_filters.ModelChoiceFilter(label=_("Wish wall"), queryset=OrgNode.objects.none(),
                                            empty_label=_("All walls"))
    year = django_filters.NumberFilter(label=_("Year collected"), field_name="created_at", lookup_expr="year",
                                       min_value=FIRST_YEAR, max_value=LAST_YEAR)
    person = django_filters.ModelChoiceFilter(label=_("Person"), queryset=Person.objects.none(),
                                              widget=forms.HiddenInput)
    q = django_filters.CharFilter(label=_("Wish or name"), method="filter_text", max_length=60)

    class Meta:
        model = Wish
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, scope, prefix=None):
        self.scope = scope
        if queryset is None:
            queryset = Wish.objects.visible_to(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix)
        walls = above_or_within(scope, "path")
        self.filters["wall"].queryset = (OrgNode.objects.filter(walls).filter(
            path__in=Wish.objects.visible_to(scope).order_by().values("wall_path")).only("pk", "name", "path")
            .order_by("path") if walls is not None else OrgNode.objects.none())
        self.filters["person"].queryset = Person.objects.visible_to(scope)

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__contains=value) | Q(person__name__contains=value))

    def results(self):
        """The filtered wishes; none when a filter is not valid (e.g. a person outside the scope)."""
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters)

    def chosen_person(self):
        if self.is_valid():
            return self.form.cleaned_data.get("person")
        return None
