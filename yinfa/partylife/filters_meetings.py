"""The one FilterSet of meeting lists: the list page, its Excel export and the JSON API.

``MeetingFilter(data, queryset=None, *, scope)``; the queryset defaults to ``Meeting.objects.visible_to(scope)``
(one given by the caller must already be scoped). GET parameters (stable, the API documents them): ``branch``
(a Branch id of the scope), ``kind``, ``date_from``, ``date_to`` (the meeting day), ``missing`` (``attendance``,
``minutes`` or ``any``: meetings that do not yet count for compliance).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.partylife.models import Branch, Meeting, MeetingKind


class StyledFilterForm(StyledFormMixin, forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned


class Missing:
    ANY = "any"
    ATTENDANCE = "attendance"
    MINUTES = "minutes"
    CHOICES = [(ANY, _("Attendance or minutes missing")), (ATTENDANCE, _("Attendance missing")),
               (MINUTES, _("Minutes missing"))]


class MeetingFilter(django_filters.FilterSet):
    branch = django_filters.ModelChoiceFilter(label=_("Branch"), queryset=Branch.objects.none(),
                                              widget=forms.NumberInput)
    kind = django_filters.ChoiceFilter(label=_("Type of meeting"), choices=MeetingKind.choices,
                                       empty_label=_("All types"))
    date_from = django_filters.DateFilter(label=_("From"), field_name="held_on", lookup_expr="gte",
                                          widget=DateInput)
    date_to = django_filters.DateFilter(label=_("To"), field_name="held_on", lookup_expr="lte", widget=DateInput)
    missing = django_filters.ChoiceFilter(label=_("Not yet counting"), choices=Missing.CHOICES,
                                          method="filter_missing", empty_label=_("All meetings"))

    class Meta:
        model = Meeting
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, scope, prefix=None):
        self.scope = scope
        if queryset is None:
            queryset = Meeting.objects.visible_to(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix)
        self.filters["branch"].queryset = Branch.objects.visible_to(scope)

    def filter_missing(self, queryset, name, value):
        if value == Missing.ATTENDANCE:
            return queryset.filter(attendance_recorded=False)
        if value == Missing.MINUTES:
            return queryset.filter(minutes="")
        if value == Missing.ANY:
            return queryset.filter(Q(attendance_recorded=False) | Q(minutes=""))
        return queryset

    def results(self):
        """The filtered meetings; none when a filter is not valid (e.g. a branch outside the scope)."""
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters)
