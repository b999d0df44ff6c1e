"""Forms of the order pages: placing an order (staff or family for a retiree; the retiree from their own page) and
the steps of an order. The services check the rules; the forms collect the values."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.needs.models import OrderChannel

PROXY_CHANNEL_CHOICES = [(OrderChannel.STAFF, _("Staff for the retiree")),
                         (OrderChannel.FAMILY, _("Family for the retiree (by phone or in person)")),
                         (OrderChannel.VISIT, _("From a visit"))]
RATING_CHOICES = [(n, str(n)) for n in range(5, 0, -1)]


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, item):
        return f"{item.name} · {item.get_category_display()}"


class StaffOrderForm(StyledFormMixin, forms.Form):
    item = ItemChoiceField(label=_("Service"), queryset=None, empty_label="—")
    details = forms.CharField(label=_("What is needed"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    wanted_on = forms.DateField(label=_("Wanted on"), required=False, widget=DateInput)
    channel = forms.ChoiceField(label=pgettext_lazy("service order", "Ordered"), choices=PROXY_CHANNEL_CHOICES,
                                initial=OrderChannel.STAFF)
    proxy_name = forms.CharField(label=_("Name of the person acting for the retiree"), max_length=60,
                                 required=False, help_text=_("Family: their name. Staff: leave empty for yours."))
    proxy_relation = forms.CharField(label=_("Relationship to the retiree"), max_length=30, required=False,
                                     help_text=_("For example: son, daughter, neighbour."))
    project = forms.ModelChoiceField(label=_("Under the project"), queryset=None, required=False,
                                     empty_label=_("— none —"))

    def __init__(self, *args, items, projects, visit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["project"].queryset = projects
        if visit is None:
            self.fields["channel"].choices = PROXY_CHANNEL_CHOICES[:2]
        else:
            self.fields["channel"].choices = PROXY_CHANNEL_CHOICES[2:]
            self.fields["channel"].initial = OrderChannel.VISIT

    def values(self, visit=None):
        data = dict(self.cleaned_data)
        return {"details": data["details"], "wanted_on": data["wanted_on"], "proxy_name": data["proxy_name"],
                "proxy_relation": data["proxy_relation"], "project": data["project"],
                "source_visit": visit if data["channel"] == OrderChannel.VISIT else None}


class SelfOrderForm(StyledFormMixin, forms.Form):
    """The retiree's own order: the service was chosen with a big button."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    details = forms.CharField(label=_("What do you need? (optional)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    wanted_on = forms.DateField(label=_("Which day would suit you? (optional)"), required=False, widget=DateInput)


class CommentForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def values(self):
        return {"comment": self.cleaned_data["comment"]}


class AssignForm(StyledFormMixin, forms.Form):
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None, widget=forms.RadioSelect,
                                      empty_label=None)
    comment = forms.CharField(label=_("Note to the provider (optional)"), required=False, max_length=300,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["provider"].widget.attrs["class"] = "form-check-input"

    def values(self):
        return {"provider": self.cleaned_data["provider"], "comment": self.cleaned_data["comment"]}


class DoneForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def values(self):
        return {"note": self.cleaned_data["note"]}


class ConfirmForm(StyledFormMixin, forms.Form):
    rating = forms.TypedChoiceField(label=_("How satisfied are you?"), choices=RATING_CHOICES, coerce=int,
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything to say about the service? (optional)"), required=False,
                              max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    proxy_name = forms.CharField(label=_("Confirmed with (name)"), max_length=60, required=False,
                                 help_text=_("When you confirm for the retiree: who gave the rating (the retiree "
                                             "on the phone, a family member). Leave empty for yourself."))
    proxy_relation = forms.CharField(label=_("Relationship to the retiree"), max_length=30, required=False)

    def __init__(self, *args, by_proxy=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.attrs["class"] = "form-check-input"
        if not by_proxy:
            del self.fields["proxy_name"]
            del self.fields["proxy_relation"]

    def values(self):
        data = self.cleaned_data
        return {"rating": data["rating"], "comment": data["comment"], "proxy_name": data.get("proxy_name", ""),
                "proxy_relation": data.get("proxy_relation", "")}


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def values(self):
        return {"reason": self.cleaned_data["reason"]}


ACTION_FORMS = {"accept": CommentForm, "assign": AssignForm, "done": DoneForm, "confirm": ConfirmForm,
                "cancel": ReasonForm, "reject": ReasonForm}
