"""Display of money, months and payment methods on the dues pages: ¥1,234.50, 2026-01."""

from decimal import Decimal

from django import template

from yinfa.dues.models import PaymentMethod
from yinfa.dues.rules import month_key, monthly_dues

register = template.Library()


@register.filter
def money(value):
    """¥1,234.50; empty for None."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def month(value):
    return month_key(value) if value else ""


@register.filter
def dues_for(base):
    """The monthly dues the rule gives for a base."""
    return monthly_dues(Decimal(base)) if base is not None else None


@register.filter
def method_label(value):
    try:
        return PaymentMethod(value).label
    except ValueError:
        return value
