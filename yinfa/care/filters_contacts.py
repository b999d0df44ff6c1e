"""The FilterSets of care contacts, each serving a page, its Excel export and the JSON API.

``AssignmentFilter(data, queryset=None, *, scope, today=None)``: GET ``q`` (the person's name, pinyin or initials),
``carer`` (an account id), ``due`` (``overdue`` or ``week``: due within 7 days), ``no_answer`` (``1``: at least one
unanswered contact in a row), ``state`` (``open`` (the default), ``ended`` or ``all``).
``ContactFilter``: ``assignment``, ``person`` (ids), ``method``, ``outcome``, ``date_from``, ``date_to``.
``EscalationFilter``: ``q``, ``reason``, ``status`` (``open`` or ``resolved``), ``date_from``, ``date_to`` (the day
it opened). The queryset defaults to the model's ``visible_to(scope)``.
"""

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.care.models import (
    CareAssignment,
    CareContact,
    ContactMethod,
    ContactOutcome,
    Escalation,
    EscalationReason,
    EscalationStatus,
)
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput

SOON_DAYS = 7


class StyledFilterForm(StyledFormMixin, forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned


def name_q(value, prefix="person__"):
    value = (value or "").strip()
    if not value:
        return Q()
    return (Q(**{f"{prefix}name__icontains": value}) | Q(**{f"{prefix}name_pinyin__istartswith": value.lower()})
            | Q(**{f"{prefix}name_initials__istartswith": value.lower()}))


class ScopedFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, scope, today=None, prefix=None):
        self.scope = scope
        self.today = today or timezone.localdate()
        if queryset is None:
            queryset = self.Meta.model.objects.visible_to(scope)
        super().__init__({} if data is None else data, queryset, prefix=prefix)

    def results(self):
        """The filtered rows; none when a filter is not valid."""
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters)

    def filter_name(self, queryset, name, value):
        return queryset.filter(name_q(value))


class Due:
    OVERDUE = "overdue"
    WEEK = "week"
    CHOICES = [(OVERDUE, _("Overdue")), (WEEK, _("Due within 7 days"))]


class State:
    OPEN = "open"
    ENDED = "ended"
    ALL = "all"
    CHOICES = [(OPEN, _("Current")), (ENDED, _("Ended")), (ALL, _("All"))]


class AssignmentFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Full name"), method="filter_name")
    carer = django_filters.NumberFilter(label=_("Carer"), field_name="carer_id", widget=forms.HiddenInput)
    due = django_filters.ChoiceFilter(label=_("Due"), choices=Due.CHOICES, method="filter_due",
                                      empty_label=_("Any time"))
    no_answer = django_filters.BooleanFilter(label=_("Unanswered lately"), method="filter_no_answer",
                                             widget=forms.CheckboxInput)
    state = django_filters.ChoiceFilter(label=_("Assignments"), choices=State.CHOICES, method="filter_state",
                                        empty_label=None)

    class Meta:
        model = CareAssignment
        fields = []
        form = StyledFilterForm

    def filter_due(self, queryset, name, value):
        if value == Due.OVERDUE:
            return queryset.filter(next_due_on__lt=self.today)
        if value == Due.WEEK:
            return queryset.filter(next_due_on__lte=self.today + datetime.timedelta(days=SOON_DAYS))
        return queryset

    def filter_no_answer(self, queryset, name, value):
        return queryset.filter(unanswered_in_a_row__gt=0) if value else queryset

    def filter_state(self, queryset, name, value):
        return queryset

    @property
    def chosen_state(self):
        value = self.form.cleaned_data.get("state") if self.is_valid() else None
        return value or State.OPEN

    def results(self):
        rows = super().results()
        if self.chosen_state == State.OPEN:
            return rows.filter(ended_on__isnull=True)
        if self.chosen_state == State.ENDED:
            return rows.filter(ended_on__isnull=False)
        return rows

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in ("q", "carer", "due", "no_answer")) or \
            self.chosen_state != State.OPEN

    def people_q(self):
        """The name filter for the unassigned people (a Person queryset)."""
        return name_q(self.form.cleaned_data.get("q") if self.is_valid() else "", prefix="")


class ContactFilter(ScopedFilterSet):
    assignment = django_filters.NumberFilter(label=_("Assignment"), field_name="assignment_id")
    person = django_filters.NumberFilter(label=_("Person"), field_name="person_id")
    method = django_filters.ChoiceFilter(label=_("How"), choices=ContactMethod.choices, empty_label=_("All"))
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=ContactOutcome.choices, empty_label=_("All"))
    date_from = django_filters.DateFilter(label=_("From"), field_name="contacted_at", lookup_expr="date__gte",
                                          widget=DateInput)
    date_to = django_filters.DateFilter(label=_("To"), field_name="contacted_at", lookup_expr="date__lte",
                                        widget=DateInput)

    class Meta:
        model = CareContact
        fields = []
        form = StyledFilterForm


class EscalationFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("Full name"), method="filter_name")
    reason = django_filters.ChoiceFilter(label=_("Reason"), choices=EscalationReason.choices,
                                         empty_label=_("All reasons"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EscalationStatus.choices, empty_label=_("All"))
    date_from = django_filters.DateFilter(label=_("Opened from"), field_name="opened_at", lookup_expr="date__gte",
                                          widget=DateInput)
    date_to = django_filters.DateFilter(label=_("Opened until"), field_name="opened_at", lookup_expr="date__lte",
                                        widget=DateInput)

    class Meta:
        model = Escalation
        fields = []
        form = StyledFilterForm
