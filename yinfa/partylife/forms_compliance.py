"""Forms of the compliance pages: a rule of organisational life, and the year / organisation query of the tree."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.partylife.models import BranchKind, MeetingKind
from yinfa.partylife.periods import Frequency
from yinfa.partylife.services.compliance import MAX_GRACE_DAYS


class RuleForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80,
                           help_text=_("As the rule is usually cited, e.g. 支部委员会每月召开一次."))
    meeting_kind = forms.ChoiceField(label=_("Meeting type"), choices=MeetingKind.choices)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    branch_kinds = forms.MultipleChoiceField(
        label=_("Branch kinds"), choices=BranchKind.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick none for every kind of branch."))
    grace_days = forms.IntegerField(
        label=_("Days of grace"), min_value=0, max_value=MAX_GRACE_DAYS, initial=0,
        help_text=_("A meeting held this many days after its period ended still counts as on time; the period is "
                    "only counted as missing after them."))
    active = forms.BooleanField(label=_("In force"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Check boxes in a list read better without the form-control class the mixin gives.
        self.fields["branch_kinds"].widget.attrs["class"] = "form-check-input"

    @classmethod
    def for_rule(cls, rule, data=None):
        initial = {"name": rule.name, "meeting_kind": rule.meeting_kind, "frequency": rule.frequency,
                   "branch_kinds": list(rule.branch_kinds or []), "grace_days": rule.grace_days,
                   "active": rule.active}
        return cls(data, initial=initial)
