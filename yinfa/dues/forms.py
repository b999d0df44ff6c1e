"""Forms of the party dues pages."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.dues.models import DecisionKind, PaymentMethod
from yinfa.dues.rules import MAX_MONTHS_AT_ONCE, month_key, parse_month
from yinfa.dues.services.payments import PaymentEntry

MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0")}


class MonthInput(forms.TextInput):
    input_type = "month"

    def format_value(self, value):
        if hasattr(value, "year"):
            return month_key(value)
        return super().format_value(value)


class MonthField(forms.Field):
    """A month as ``2026-01`` (the browser's month picker) → the first day of the month."""

    widget = MonthInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise ValidationError(_("Give a month like 2026-01."), code="invalid") from None


class BaseForm(StyledFormMixin, forms.Form):
    effective_month = MonthField(label=_("From month"),
                                 help_text=_("The first month this base applies to; it applies until the next one."))
    amount = forms.DecimalField(label=_("Basic pension per month (yuan)"), **MONEY,
                                help_text=_("基本离退休费: the basic pension only, allowances excluded."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DecisionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Decision"), choices=DecisionKind.choices)
    monthly_amount = forms.DecimalField(label=_("Reduced monthly amount (yuan)"), required=False, **MONEY,
                                        help_text=_("Only for a reduction: what the member pays each month."))
    from_month = MonthField(label=_("From month"))
    to_month = MonthField(label=_("Until month"), required=False, help_text=_("Leave empty when open-ended."))
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput)
    decision = forms.CharField(label=_("Branch decision"), widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("The meeting and its resolution, e.g. 支部委员会 2026-03-05 决定."))


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class UploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Sheet of bases"),
                           help_text=_("An .xlsx, .xls or .csv file with the columns 姓名, 身份证号, 基本离退休费 "
                                       "and 起始月份."))


class WindowForm(StyledFormMixin, forms.Form):
    """Which months the batch screen records: a first month and how many (1 to 6)."""

    month = MonthField(label=_("First month"))
    months = forms.TypedChoiceField(label=_("Number of months"), coerce=int,
                                    choices=[(n, str(n)) for n in range(1, MAX_MONTHS_AT_ONCE + 1)])


class BatchForm(StyledFormMixin, forms.Form):
    """The batch screen: one checkbox, amount, method and note per member, and the day paid."""

    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput)

    def __init__(self, *args, members, **kwargs):
        self.members = members
        super().__init__(*args, **kwargs)
        for member in members:
            if not member.payable:
                continue
            pk = member.person_id
            name = member.name
            self.fields[f"pay_{pk}"] = forms.BooleanField(required=False, initial=True)
            self.fields[f"amount_{pk}"] = forms.DecimalField(
                required=False, initial=member.due, **MONEY, widget=forms.NumberInput(attrs={
                    "class": "form-control form-control-sm", "step": "0.01", "aria-label": _("Amount paid"),
                    "title": name}))
            self.fields[f"method_{pk}"] = forms.ChoiceField(
                choices=PaymentMethod.choices, required=False, initial=PaymentMethod.CASH,
                widget=forms.Select(attrs={"class": "form-select form-select-sm", "aria-label": _("Method")}))
            self.fields[f"note_{pk}"] = forms.CharField(
                required=False, max_length=200,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "aria-label": _("Note")}))

    def rows(self):
        """(member, checkbox, amount, method, note) bound fields for the template."""
        for member in self.members:
            if member.payable:
                pk = member.person_id
                yield member, self[f"pay_{pk}"], self[f"amount_{pk}"], self[f"method_{pk}"], self[f"note_{pk}"]
            else:
                yield member, None, None, None, None

    def entries(self):
        data = self.cleaned_data
        return [PaymentEntry(person_id=member.person_id, amount=data.get(f"amount_{member.person_id}"),
                             method=data.get(f"method_{member.person_id}") or PaymentMethod.CASH,
                             note=data.get(f"note_{member.person_id}") or "")
                for member in self.members if member.payable and data.get(f"pay_{member.person_id}")]
