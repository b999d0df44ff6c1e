"""FilterSets of the resource list, the service menu and the project list (each serves its page, its export and
the API). Each takes ``scope``; the queryset defaults to the model's ``visible_to(scope)``.

Resources: ``kind`` (provider kind), ``category`` (a kind of service it offers), ``q`` (name, offer, skills, place),
``active`` (``yes``/``no``). Menu: ``category``, ``q``, ``active``. Projects: ``frequency``, ``q``, ``active``.
"""

import django_filters
from django import forms
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yinfa.core.forms import StyledFormMixin
from yinfa.needs.models import Frequency, ProviderKind, Resource, ServiceCategory, ServiceItem, ServiceProject

ACTIVE_CHOICES = [("yes", _("Available / in force")), ("no", _("Not available"))]


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


class ScopedFilter(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, scope, prefix=None):
        self.scope = scope
        if queryset is None:
            queryset = self._meta.model.objects.visible_to(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix)

    def filter_active(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(active=True)
        if value == "no":
            return queryset.filter(active=False)
        return queryset

    def results(self):
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters)


class ResourceFilter(ScopedFilter):
    kind = django_filters.ChoiceFilter(label=_("Kind of provider"), field_name="provider_kind",
                                       choices=ProviderKind.choices, empty_label=_("All kinds"))
    category = django_filters.ChoiceFilter(label=pgettext_lazy("service order", "Kind of service"),
                                           choices=ServiceCategory.choices,
                                           method="filter_category", empty_label=_("All services"))
    q = django_filters.CharFilter(label=_("Name, offer, skill or place"), method="filter_text")
    active = django_filters.ChoiceFilter(label=pgettext_lazy("service order", "Available"), choices=ACTIVE_CHOICES,
                                         method="filter_active",
                                         empty_label=_("All"))

    class Meta:
        model = Resource
        fields = []
        form = StyledFilterForm

    def filter_category(self, queryset, name, value):
        # The kinds are a JSON list; its text holds "value" (works alike on SQLite and PostgreSQL).
        return queryset.annotate(categories_text=Cast("categories", TextField())).filter(
            categories_text__contains=f'"{value}"')

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(provider_name__icontains=value) | Q(offer__icontains=value)
                               | Q(skills__icontains=value) | Q(place__icontains=value))


class MenuFilter(ScopedFilter):
    category = django_filters.ChoiceFilter(label=pgettext_lazy("service order", "Kind of service"),
                                           choices=ServiceCategory.choices,
                                           empty_label=_("All services"))
    q = django_filters.CharFilter(label=_("Service"), method="filter_text")
    active = django_filters.ChoiceFilter(label=_("On the menu"), choices=ACTIVE_CHOICES, method="filter_active",
                                         empty_label=_("All"))

    class Meta:
        model = ServiceItem
        fields = []
        form = StyledFilterForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value)) if value else queryset


class ProjectFilter(ScopedFilter):
    frequency = django_filters.ChoiceFilter(label=_("How often"), choices=Frequency.choices, empty_label=_("All"))
    q = django_filters.CharFilter(label=_("Project or provider"), method="filter_text")
    active = django_filters.ChoiceFilter(label=_("In force"), choices=ACTIVE_CHOICES, method="filter_active",
                                         empty_label=_("All"))

    class Meta:
        model = ServiceProject
        fields = []
        form = StyledFilterForm

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(provider__provider_name__icontains=value)
                               | Q(beneficiaries__icontains=value))
