"""Filters of the dues API lists (GET parameter names are part of the API)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.dues.models import DuesPayment, PensionBase
from yinfa.dues.rules import parse_month


class MonthFilterField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise forms.ValidationError(_("Give a month like 2026-01."), code="invalid") from None


class MonthFilter(django_filters.Filter):
    field_class = MonthFilterField


class PaymentFilter(django_filters.FilterSet):
    branch = django_filters.NumberFilter(field_name="branch_id", label=_("Branch id"))
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person id"))
    month_from = MonthFilter(field_name="month", lookup_expr="gte", label=_("From month (2026-01)"))
    month_to = MonthFilter(field_name="month", lookup_expr="lte", label=_("Until month (2026-12)"))

    class Meta:
        model = DuesPayment
        fields = []


class BaseFilter(django_filters.FilterSet):
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person id"))

    class Meta:
        model = PensionBase
        fields = []
