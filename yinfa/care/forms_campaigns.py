"""Forms of visit campaigns: planning one (occasion, year, due date, who is visited and by whom), marking a task
"not visited" with a reason, and the confirmation of a campaign's status change."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.care import campaign_rules as rules
from yinfa.care.models import Festival
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput, SetupForm

CRITERIA_FIELDS = ("groups", "alone_age", "age", "visited_by")
SKIP_REASONS = [("hospital", _("In hospital")), ("away", _("Away from home")), ("declined", _("Declined the visit")),
                ("other", _("Another reason"))]


def check_style(form, *names):
    """Radio buttons and check boxes styled as such (the mixin styles every other widget as a text box)."""
    for name in names:
        form.fields[name].widget.attrs["class"] = "form-check-input"


class CampaignForm(StyledFormMixin, SetupForm):
    """The campaign's organisation is picked from search results (radio buttons named ``node``)."""

    node = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, widget=forms.HiddenInput,
        error_messages={"required": _("Search for the organisation and choose it from the list."),
                        "invalid_choice": _("Choose the organisation from the search results.")})
    title = forms.CharField(label=_("Title"), max_length=120, required=False,
                            help_text=_("E.g. 2026 Spring Festival visits; left empty, it is made from the occasion "
                                        "and the year."))
    festival = forms.ChoiceField(label=_("Occasion"), choices=Festival.choices)
    year = forms.IntegerField(label=_("Year"), min_value=rules.FIRST_YEAR, max_value=2100)
    due_on = forms.DateField(label=_("Visits due by"), required=False, widget=DateInput,
                             help_text=_("Left empty: the festival's day by the lunar calendar (春节 is the first day "
                                         "of the first month, 重阳节 the ninth day of the ninth month). You may "
                                         "choose an earlier day. Another occasion needs its date."))
    groups = forms.MultipleChoiceField(label=_("Who is visited"), choices=rules.Group.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("Choose at least one group of people to "
                                                                     "visit.")},
                                       help_text=_("Each person is visited once, even when in several groups. "
                                                   "Living people only, except the survivors' households."))
    alone_age = forms.IntegerField(label=_("Living alone from the age of"), min_value=rules.MIN_AGE,
                                   max_value=rules.MAX_AGE, initial=rules.DEFAULT_ALONE_AGE, required=False)
    age = forms.IntegerField(label=_("Everyone from the age of"), min_value=rules.MIN_AGE, max_value=rules.MAX_AGE,
                             initial=rules.DEFAULT_AGE, required=False,
                             help_text=_("Ages are counted on the due date."))
    visited_by = forms.ChoiceField(label=_("Visited by"), choices=rules.VisitedBy.choices,
                                   initial=rules.VisitedBy.UNIT, widget=forms.RadioSelect)

    setup_options = ("nodes", "locked")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_style(self, "groups", "visited_by")

    def setup(self, *, nodes, locked=False):
        """``nodes``: the organisations the campaign may be for; ``locked``: an open campaign (only its title and
        due date change)."""
        self.fields["node"].queryset = nodes
        self.locked = locked
        if locked:
            for name in ("node", "festival", "year", *CRITERIA_FIELDS):
                self.fields[name].disabled = True
                self.fields[name].required = False

    def values(self):
        data = self.cleaned_data
        return {
            "title": data.get("title", ""), "festival": data.get("festival"), "year": data.get("year"),
            "due_on": data.get("due_on"),
            "criteria": {name: data.get(name) for name in CRITERIA_FIELDS},
        }

    @staticmethod
    def initial_from(campaign):
        criteria = campaign.criteria or {}
        return {"node": campaign.node_id, "title": campaign.title, "festival": campaign.festival,
                "year": campaign.year, "due_on": campaign.due_on, **{n: criteria.get(n) for n in CRITERIA_FIELDS}}


class SkipForm(StyledFormMixin, forms.Form):
    choice = forms.ChoiceField(label=_("Why was the person not visited?"), choices=SKIP_REASONS,
                               widget=forms.RadioSelect)
    detail = forms.CharField(label=_("Details"), max_length=150, required=False,
                             help_text=_("E.g. which hospital, until when; needed for another reason."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_style(self, "choice")

    def clean(self):
        cleaned = super().clean()
        choice, detail = cleaned.get("choice"), (cleaned.get("detail") or "").strip()
        if choice == "other" and not detail:
            self.add_error("detail", _("Say why the person was not visited."))
        return cleaned

    def reason(self):
        choice, detail = self.cleaned_data["choice"], (self.cleaned_data.get("detail") or "").strip()
        if choice == "other":
            return detail
        label = str(dict(SKIP_REASONS)[choice])
        return f"{label}: {detail}" if detail else label


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
