"""Forms of the hardship-aid pages. They shape the input; the rules (amounts, days, states, roles) are the
service's (``yinfa.care.services.aid``), whose errors come back on these forms."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from yinfa.care.models import AidKind, PaymentMethod
from yinfa.care.services.aid import ACCEPT, MAX_AMOUNT, MAX_ATTACHMENTS
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput

AMOUNT_ATTRS = {"inputmode": "decimal", "step": "0.01", "min": "0.01"}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the Django documentation's pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def amount_field(label, **kwargs):
    return forms.DecimalField(label=label, max_digits=10, decimal_places=2, min_value=Decimal("0.01"),
                              max_value=MAX_AMOUNT, widget=forms.NumberInput(attrs=AMOUNT_ATTRS), **kwargs)


class PersonSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Full name"), max_length=60, required=False,
                        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("Name or pinyin initials")}))


class ApplicationForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of aid"), choices=[("", "---------"), *AidKind.choices])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("The person's situation and why the aid is needed. For a widow's "
                                         "allowance, say who the surviving spouse is (the registry does not record "
                                         "it)."))
    amount_requested = amount_field(_("Amount asked (yuan)"))
    applied_on = forms.DateField(label=_("Applied on"), widget=DateInput)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = gettext(
            "Certificates, hospital bills, the written application: PDF, images, Word or Excel, up to %(count)s "
            "files of at most 10 MB each.") % {"count": MAX_ATTACHMENTS}
        self.fields["applied_on"].initial = timezone.localdate()
        self.fields["applied_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class AttachmentForm(StyledFormMixin, forms.Form):
    attachments = MultipleFileField(label=_("Files"), help_text=_("PDF, images, Word or Excel, at most 10 MB "
                                                                  "each."))


class ReviewForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("The unit's opinion"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("E.g. the situation is confirmed; the unit supports the application."))


class ApproveForm(StyledFormMixin, forms.Form):
    amount_granted = amount_field(_("Amount granted (yuan)"),
                                  help_text=_("May differ from the amount asked."))
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(StyledFormMixin, forms.Form):
    amount_paid = amount_field(_("Amount paid out (yuan)"), help_text=_("At most the amount granted."))
    paid_on = forms.DateField(label=_("Paid out on"), widget=DateInput)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class RejectForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Required. The applicant is told."))


ACTION_FORMS = {"review": ReviewForm, "approve": ApproveForm, "pay": PayForm, "reject": RejectForm}


def action_form(action, application, data=None):
    """The form of one step, prefixed with the action (several on one page), prefilled from the application."""
    initial = {}
    if action == "approve":
        initial = {"amount_granted": application.amount_requested}
    elif action == "pay":
        initial = {"amount_paid": application.amount_granted, "paid_on": timezone.localdate()}
    return ACTION_FORMS[action](data, prefix=action, initial=initial)


class TotalsForm(forms.Form):
    year = forms.IntegerField(min_value=1990, max_value=2100, required=False)

    def chosen_year(self):
        if self.is_valid() and self.cleaned_data.get("year"):
            return self.cleaned_data["year"]
        return timezone.localdate().year
