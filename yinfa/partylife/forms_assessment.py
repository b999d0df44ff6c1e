"""Forms of the assessment pages: templates and their items, rounds, moves of a round, the branch's
self-assessment (one score, evidence and file per item) and the review (final score and comment per item)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.partylife.assessment_presets import PRESETS
from yinfa.partylife.models import AssessmentStatus, ItemSource, RoundStatus, Scheme

SCORE_ATTRS = {"class": "form-control form-control-sm yf-score-input", "inputmode": "decimal", "step": "0.5"}
EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx"


class TemplateCreateForm(StyledFormMixin, forms.Form):
    start_from = forms.ChoiceField(label=_("Start from"), required=False, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Name"), max_length=80, required=False,
                           help_text=_("Leave empty to keep the ready-made template's name."))
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices, initial=Scheme.CUSTOM)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start_from"].choices = [("", _("An empty template: add the items yourself")),
                                             *[(key, preset["name"]) for key, preset in PRESETS.items()]]
        self.fields["start_from"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("start_from") and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Give the template a name."))
        return cleaned


class TemplateForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    scheme = forms.ChoiceField(label=_("Scheme"), choices=Scheme.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    active = forms.BooleanField(label=_("In use (offered for new rounds)"), required=False)


class ItemForm(StyledFormMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Item"), max_length=120)
    description = forms.CharField(label=_("How it is scored"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.DecimalField(label=_("Points"), max_digits=6, decimal_places=2, min_value=Decimal("0.5"),
                                max_value=Decimal(1000), widget=forms.NumberInput(attrs={"class": "yf-score-input",
                                                                                         "step": "0.5"}))
    source = forms.ChoiceField(label=_("Scored from"), choices=ItemSource.choices, initial=ItemSource.MANUAL)
    threshold = forms.DecimalField(label=_("N"), max_digits=6, decimal_places=2, required=False, min_value=0,
                                   help_text=_("Empty: the usual value."))


class BaseItemFormSet(forms.BaseFormSet):
    def items(self):
        """The item dicts of the filled rows not marked for deletion, in the order shown."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("title"):
                continue
            rows.append({key: data.get(key) for key in ("id", "title", "description", "points", "source",
                                                         "threshold")})
        return rows


ItemFormSet = forms.formset_factory(ItemForm, formset=BaseItemFormSet, extra=3, can_delete=True, max_num=60,
                                    validate_max=True)


class CopyForm(forms.Form):
    name = forms.CharField(max_length=80, required=False)


class RoundForm(StyledFormMixin, forms.Form):
    template = forms.TypedChoiceField(label=_("Template"), coerce=int)
    node = forms.TypedChoiceField(label=_("Organisation"), coerce=int,
                                  help_text=_("Every open branch under it takes part."))
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    self_due_on = forms.DateField(label=_("Self-assessment due on"), widget=DateInput)
    title = forms.CharField(label=_("Title"), max_length=120, required=False,
                            help_text=_("Leave empty for the usual title."))

    def __init__(self, *args, templates, nodes, this_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t.pk, t.name) for t in templates]
        self.fields["node"].choices = [(n.pk, n.name) for n in nodes]
        self.fields["year"].choices = [(y, str(y)) for y in (this_year, this_year - 1, this_year + 1)]


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=RoundStatus.choices)
    confirm_unreviewed = forms.BooleanField(required=False)


class ReturnForm(StyledFormMixin, forms.Form):
    comment = forms.CharField(label=_("What should the branch change?"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


def _score_field(item, required):
    return forms.DecimalField(required=required, min_value=0, max_value=item.points, max_digits=6, decimal_places=2,
                              widget=forms.NumberInput(attrs={**SCORE_ATTRS, "max": str(item.points), "min": "0",
                                                              "data-yf-points": str(item.points)}))


class SelfAssessmentForm(forms.Form):
    """One row per item: the self score, the evidence text, an evidence file (and removing the one kept)."""

    def __init__(self, *args, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = scores
        for score in scores:
            pk = score.pk
            self.fields[f"self_{pk}"] = _score_field(score.item, required=False)
            if score.system_score is not None:
                attrs = self.fields[f"self_{pk}"].widget.attrs
                attrs["data-yf-default"] = attrs["placeholder"] = str(score.system_score)
            self.fields[f"evidence_{pk}"] = forms.CharField(
                required=False, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}))
            self.fields[f"file_{pk}"] = forms.FileField(
                required=False, widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm",
                                                                       "accept": EVIDENCE_ACCEPT}))
            self.fields[f"clear_{pk}"] = forms.BooleanField(
                required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
            if not self.is_bound:
                self.initial[f"self_{pk}"] = score.self_score
                self.initial[f"evidence_{pk}"] = score.evidence
        for name in self.errors if self.is_bound else ():
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def rows(self):
        return [{"score": score, "self": self[f"self_{score.pk}"], "evidence": self[f"evidence_{score.pk}"],
                 "file": self[f"file_{score.pk}"], "clear": self[f"clear_{score.pk}"]} for score in self.scores]

    def entries(self):
        data = self.cleaned_data
        return {score.pk: {"self_score": data.get(f"self_{score.pk}"), "evidence": data.get(f"evidence_{score.pk}"),
                           "file": data.get(f"file_{score.pk}") or None, "clear_file": data.get(f"clear_{score.pk}")}
                for score in self.scores}


class ReviewForm(forms.Form):
    """The final score and the reviewer's comment per item, and an overall comment."""

    comment = forms.CharField(required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))

    def __init__(self, *args, assessment, scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = scores
        for score in scores:
            pk = score.pk
            self.fields[f"final_{pk}"] = _score_field(score.item, required=True)
            self.fields[f"comment_{pk}"] = forms.CharField(
                required=False, max_length=300,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}))
            if not self.is_bound:
                own = score.self_score if score.self_score is not None else score.system_score
                self.initial[f"final_{pk}"] = score.final_score if score.final_score is not None else own
                self.initial[f"comment_{pk}"] = score.comment
        if not self.is_bound and assessment.status == AssessmentStatus.REVIEWED:
            self.initial["comment"] = assessment.review_comment
        for name in self.errors if self.is_bound else ():
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def rows(self):
        return [{"score": score, "final": self[f"final_{score.pk}"], "comment": self[f"comment_{score.pk}"]}
                for score in self.scores]

    def entries(self):
        data = self.cleaned_data
        return {score.pk: {"final_score": data.get(f"final_{score.pk}"), "comment": data.get(f"comment_{score.pk}")}
                for score in self.scores}
