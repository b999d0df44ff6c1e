"""Forms of the visit, hospital and birthday pages. They check the shape of the input; the rules are the services'
(``yinfa.care.services.visits`` / ``hospital``)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.care.birthdays import DAY_CHOICES, DEFAULT_DAYS
from yinfa.care.models import VisitKind
from yinfa.care.services.visits import MAX_PHOTOS, PHOTO_ACCEPT
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none was chosen)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT, "multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in files if item]


def stay_label(stay):
    end = f"{stay.ends_on:%Y-%m-%d}" if stay.ends_on else _("still in hospital")
    return f"{stay.place} · {stay.starts_on:%Y-%m-%d} – {end}"


class VisitForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=[("", "—"), *VisitKind.choices])
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)
    visitors = forms.CharField(label=_("Visitors"), max_length=200,
                               help_text=_("Who visited, e.g. 局老干部科 王科长、李干事."))
    leaders = forms.CharField(label=_("Leaders present"), max_length=200, required=False)
    gift = forms.CharField(label=_("Gift"), max_length=200, required=False,
                           help_text=_("What was brought, e.g. 慰问品 (米、油、牛奶), a birthday cake."))
    money = forms.DecimalField(label=_("Money (yuan)"), required=False, min_value=0, max_digits=10,
                               decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))
    feedback = forms.CharField(label=_("What the person said"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))
    needs = forms.CharField(label=_("Needs"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What they need help with. A need can become a service order or a "
                                        "micro-wish from the visit's page."))
    hospital_stay = forms.ModelChoiceField(label=_("Hospital stay"), queryset=None, required=False,
                                           help_text=_("For a visit in hospital: the stay it belongs to."))
    organisation = forms.ModelChoiceField(label=_("Visiting organisation"), queryset=None)
    photos = PhotosField(label=_("Photos"), help_text=_("Up to %(n)s images (JPEG, PNG, GIF or WebP), 10 MB each.")
                         % {"n": MAX_PHOTOS})

    def __init__(self, *args, stays, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital_stay"].queryset = stays
        self.fields["hospital_stay"].label_from_instance = stay_label
        self.fields["hospital_stay"].empty_label = "—"
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        self.fields["visited_on"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m-%d}"

    def values(self):
        return {name: self.cleaned_data.get(name) for name in (
            "kind", "visited_on", "visitors", "leaders", "gift", "money", "feedback", "needs", "hospital_stay",
            "organisation")}


class VisitDeleteForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("Why is the visit deleted?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("E.g. recorded twice, recorded for the wrong person. Kept in the audit "
                                         "trail."))


class PhotoDeleteForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)


class VersionField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, **kwargs)


class AdmissionForm(StyledFormMixin, forms.Form):
    place = forms.CharField(label=_("Hospital"), max_length=200)
    department = forms.CharField(label=_("Department"), max_length=120, required=False)
    starts_on = forms.DateField(label=_("Admitted on"), widget=DateInput)
    diagnosis = forms.CharField(label=_("Diagnosis"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()

    def __init__(self, *args, can_see_health, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_see_health:  # health data: the department and the diagnosis
            del self.fields["department"]
            del self.fields["diagnosis"]
        self.fields["starts_on"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m-%d}"

    def values(self):
        names = [name for name in ("place", "department", "starts_on", "diagnosis", "note") if name in self.fields]
        return {name: self.cleaned_data.get(name) for name in names}


class DischargeForm(StyledFormMixin, forms.Form):
    ends_on = forms.DateField(label=_("Discharged on"), widget=DateInput)
    diagnosis = forms.CharField(label=_("Diagnosis"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = VersionField()

    def __init__(self, *args, can_see_health, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_see_health:
            del self.fields["diagnosis"]
        self.fields["ends_on"].widget.attrs["max"] = f"{timezone.localdate():%Y-%m-%d}"

    def diagnosis_value(self):
        """The diagnosis typed (None when the form does not offer it)."""
        return self.cleaned_data.get("diagnosis", "") if "diagnosis" in self.fields else None


def day_choices():
    return [(n, _("%(n)s days") % {"n": n}) for n in DAY_CHOICES]


class BirthdayWindowForm(StyledFormMixin, forms.Form):
    days = forms.TypedChoiceField(label=_("In the next"), coerce=int, required=False, empty_value=DEFAULT_DAYS,
                                  choices=day_choices)

    def window(self):
        return self.cleaned_data["days"] if self.is_valid() else DEFAULT_DAYS
