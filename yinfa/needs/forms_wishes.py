"""Forms of the micro-wish pages. They check the shape of the input; the rules (cost cap, walls of the scope,
states, who may act) are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.uploads import IMAGE_TYPES
from yinfa.needs.services.wishes import MAX_COST, MAX_TITLE

PHOTO_ACCEPT = ",".join(IMAGE_TYPES)


class WishForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("The wish"), max_length=MAX_TITLE,
                            help_text=_("What the person wishes for, in a few words, e.g. “a walking frame”."))
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("The person's situation and why this would help. It is shown on the wall "
                                         "without the name, address or phone."))
    estimated_cost = forms.DecimalField(label=_("Estimated cost (yuan)"), max_digits=8, decimal_places=2,
                                        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    wall = forms.TypedChoiceField(label=_("Wish wall"), coerce=int, choices=(),
                                  help_text=_("The person's community by default; an organisation above it reaches "
                                              "more party organisations and members."))

    def __init__(self, *args, walls=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estimated_cost"].help_text = _("More than ¥0 and at most ¥%(cap)s.") % {
            "cap": f"{MAX_COST:,.0f}"}
        self.walls = {node.pk: node for node in walls}
        self.fields["wall"].choices = [(node.pk, node.name) for node in walls]

    def values(self):
        data = self.cleaned_data
        return {"title": data["title"], "reason": data["reason"], "estimated_cost": data["estimated_cost"],
                "wall": self.walls.get(data["wall"])}


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class OptionalReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(StyledFormMixin, forms.Form):
    confirm = forms.BooleanField(initial=True, widget=forms.HiddenInput)


class ClaimForm(StyledFormMixin, forms.Form):
    org = forms.TypedChoiceField(label=_("Claim for"), coerce=int, required=False, empty_value=None, choices=(),
                                 help_text=_("Your party organisation or team, or yourself."))

    def __init__(self, *args, orgs=(), own_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.orgs = {node.pk: node for node in orgs}
        self.fields["org"].choices = [("", own_name or _("Myself"))] + [(node.pk, node.name) for node in orgs]
        if not orgs:
            self.fields["org"].widget = forms.HiddenInput()

    def chosen_org(self):
        return self.orgs.get(self.cleaned_data.get("org"))


class FulfilForm(StyledFormMixin, forms.Form):
    note = forms.CharField(label=_("What was given or done"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo"), widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
                            help_text=_("A photo of the wish fulfilled (an image of at most 10 MB)."))


class ThanksForm(StyledFormMixin, forms.Form):
    words = forms.CharField(label=_("What the person said (optional)"), max_length=300, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
