"""Forms of care contacts: an organisation's policy for one condition, assigning a carer, logging a contact, the
follow-up of an escalation, and confirming the end of an assignment. They check the input; the rules are the
services' (``yinfa.care.services.contacts`` / ``escalations``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.care.models import Condition, ContactMethod, ContactOutcome
from yinfa.care.policies import MAX_INTERVAL, MIN_INTERVAL
from yinfa.care.services.contacts import NOTE_MAX
from yinfa.care.services.escalations import FOLLOW_UP_MAX
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput, SetupForm


class PolicyForm(StyledFormMixin, forms.Form):
    SAVE, INHERIT = "save", "inherit"

    condition = forms.ChoiceField(choices=Condition.choices, widget=forms.HiddenInput)
    interval_days = forms.IntegerField(label=_("Contact at least every (days)"), min_value=MIN_INTERVAL,
                                       max_value=MAX_INTERVAL, required=False)
    active = forms.BooleanField(label=_("In force"), required=False)
    action = forms.ChoiceField(choices=[(SAVE, SAVE), (INHERIT, INHERIT)], initial=SAVE, widget=forms.HiddenInput,
                               required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") != self.INHERIT and cleaned.get("interval_days") is None \
                and "interval_days" not in self.errors:
            self.add_error("interval_days", _("Give a number of days from %(low)s to %(high)s.")
                           % {"low": MIN_INTERVAL, "high": MAX_INTERVAL})
        return cleaned


class AssignmentForm(StyledFormMixin, SetupForm):
    carer = forms.TypedChoiceField(label=_("Carer"), coerce=int,
                                   help_text=_("Community staff or a volunteer of the person's community or of an "
                                               "organisation above it."))
    started_on = forms.DateField(label=_("From"), widget=DateInput)
    confirm_reassign = forms.BooleanField(label=_("End the current assignment and hand the person over"),
                                          required=False)

    setup_options = ("carers", "current")

    def setup(self, *, carers, current=None):
        self.current = current
        self.fields["carer"].choices = [("", _("— choose —")), *carers]
        self.fields["started_on"].initial = timezone.localdate()
        if current is None:
            del self.fields["confirm_reassign"]
        else:
            self.fields["confirm_reassign"].required = True


class ContactForm(forms.Form):
    method = forms.ChoiceField(label=_("How"), choices=ContactMethod.choices, widget=forms.RadioSelect,
                               initial=ContactMethod.PHONE)
    outcome = forms.ChoiceField(label=_("How did it go?"), choices=ContactOutcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
                           help_text=_("What they said; for \"needs help\", what help is needed."))
    contacted_at = forms.DateTimeField(
        label=_("When"), required=False, help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"},
                                   format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])


class ResolveForm(StyledFormMixin, forms.Form):
    follow_up = forms.CharField(label=_("What was done"), max_length=FOLLOW_UP_MAX,
                                widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("Who went or called, what they found, and what happens next."))


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
