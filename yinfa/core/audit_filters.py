"""The audit trail's filter: one FilterSet serves the audit page and its Excel export."""

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.models import AuditAction, AuditEvent, AuditOutcome


class AuditFilterForm(StyledFormMixin, forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class IpAddressFilter(django_filters.CharFilter):
    field_class = forms.GenericIPAddressField


class AuditEventFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"}))
    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor_name", lookup_expr="icontains",
                                      max_length=150)
    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditAction.choices, empty_label=_("Any"))
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=AuditOutcome.choices, empty_label=_("Any"))
    object_type = django_filters.CharFilter(label=_("Object type"), field_name="object_type",
                                            lookup_expr="icontains", max_length=60)
    object_id = django_filters.CharFilter(label=_("Object id"), field_name="object_id", max_length=64)
    ip = IpAddressFilter(label=_("IP address"), field_name="ip")
    request_id = django_filters.CharFilter(label=_("Request id"), field_name="request_id", max_length=36)
    personal_data = django_filters.BooleanFilter(
        label=_("Personal data access only"), method="filter_personal_data", widget=forms.CheckboxInput)

    class Meta:
        model = AuditEvent
        fields = []
        form = AuditFilterForm

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))

    def filter_personal_data(self, queryset, name, value):
        return queryset.filter(personal_data=True) if value else queryset


FILTER_FIELDS = tuple(AuditEventFilter.base_filters)


def filter_params(data):
    """The non-empty filter values of a query dict, as plain JSON (stored with an export and its audit row)."""
    return {name: data.get(name) for name in FILTER_FIELDS if data.get(name) not in (None, "")}
