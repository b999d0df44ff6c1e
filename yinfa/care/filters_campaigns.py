"""The FilterSets of visit campaigns and their tasks: the pages, the Excel export and the JSON API.

``CampaignFilter(data, queryset=None, *, scope)``: ``year``, ``festival``, ``status``; the queryset defaults to
``VisitCampaign.objects.visible_to(scope)`` (the scope's campaigns and those of the organisations above it).

``TaskFilter(data, queryset=None, *, scope)``: ``campaign`` (id), ``status``, ``unit`` (the visiting organisation,
a node id of the scope), ``q`` (part of a name); the queryset defaults to the scope's own tasks
(``services.campaigns.own_tasks``: tasks assigned to organisations within the scope).
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.care.models import CampaignStatus, CampaignTask, Festival, TaskStatus, VisitCampaign
from yinfa.care.services.campaigns import own_tasks
from yinfa.core.forms import StyledFormMixin
from yinfa.core.models import OrgNode


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


class CampaignFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"), min_value=2000, max_value=2100)
    festival = django_filters.ChoiceFilter(label=_("Occasion"), choices=Festival.choices,
                                           empty_label=_("All occasions"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CampaignStatus.choices,
                                         empty_label=_("All campaigns"))

    class Meta:
        model = VisitCampaign
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, scope, prefix=None, request=None):
        self.scope = scope
        if queryset is None:
            queryset = VisitCampaign.objects.visible_to(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix, request=request)

    def results(self):
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters)


class TaskFilter(django_filters.FilterSet):
    campaign = django_filters.NumberFilter(label=_("Campaign"), field_name="campaign_id")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=TaskStatus.choices, empty_label=_("Everyone"))
    unit = django_filters.ModelChoiceFilter(label=_("Visiting organisation"), field_name="assignee",
                                            queryset=OrgNode.objects.none(), widget=forms.HiddenInput)
    q = django_filters.CharFilter(label=_("Full name"), field_name="person__name", lookup_expr="contains",
                                  max_length=60)

    class Meta:
        model = CampaignTask
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, scope, prefix=None, request=None):
        self.scope = scope
        if queryset is None:
            queryset = own_tasks(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix, request=request)
        self.filters["unit"].queryset = OrgNode.objects.visible_to(scope)

    def results(self):
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in ("status", "q"))
