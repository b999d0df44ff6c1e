"""Forms of the meetings pages: the meeting, choosing its branch, a file, and the attendance screen."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.partylife.models import AttendanceStatus, MeetingKind
from yinfa.partylife.services.meeting_files import ACCEPT
from yinfa.partylife.services.meetings import MAKEUP_MONTHS_BACK


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def month_choices():
    return [("", _("The month it is held"))] + [(m, _("Month %(month)s") % {"month": m}) for m in range(1, 13)]


class MeetingForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type of meeting"), choices=[("", "—"), *MeetingKind.choices])
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    starts_at = forms.TimeField(label=_("Time"), required=False, widget=TimeInput)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    host = forms.CharField(label=_("Meeting host"), max_length=60, required=False)
    speaker = forms.CharField(label=_("Speaker"), max_length=60, required=False,
                              help_text=_("For a party lecture: who gave it."))
    party_group = forms.ModelChoiceField(label=_("Party group"), queryset=None, required=False,
                                         help_text=_("Only for a party group meeting: the group that met. Its "
                                                     "members make the roster."))
    agenda = forms.CharField(label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=_("A meeting counts for compliance once its minutes are written and its "
                                          "attendance is recorded."))
    counts_month = forms.TypedChoiceField(
        label=_("Counts for month"), coerce=int, empty_value=None, required=False, choices=month_choices,
        help_text=_("For a make-up meeting (补开): the month it makes up for — the month it is held or up to "
                    "%(months)s earlier months of the same year.") % {"months": MAKEUP_MONTHS_BACK})

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_group"].queryset = groups
        self.fields["party_group"].empty_label = "—"
        self.fields["kind"].widget.attrs["data-yf-meeting-kind"] = ""
        self.fields["party_group"].widget.attrs["data-yf-group-field"] = ""

    def values(self):
        return dict(self.cleaned_data)


class BranchChoiceForm(StyledFormMixin, forms.Form):
    """The first step of recording a meeting when the scope holds several branches."""

    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].label_from_instance = lambda branch: branch.node.name


class MeetingFileForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("Leave empty for “Photo” or “Document”."))
    file = forms.FileField(label=_("File"), help_text=_("A photo (JPEG, PNG, GIF, WebP), a PDF, or a Word or Excel "
                                                        "file, at most 10 MB."),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)


STATUS_CHOICES = [(AttendanceStatus.PRESENT, _("Present")), (AttendanceStatus.LEAVE, _("On leave")),
                  (AttendanceStatus.ABSENT, _("Absent")), (AttendanceStatus.DELIVERED, _("Delivered (送学上门)"))]


class AttendanceForm(forms.Form):
    """One row of fields per roster member: ``status-<id>``, ``reason-<id>``, ``by-<id>``, ``on-<id>``. The rules
    between them (leave needs a reason …) are the service's; its errors come back per row."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            pid = row.person_id
            self.fields[f"status-{pid}"] = forms.ChoiceField(choices=STATUS_CHOICES, widget=forms.RadioSelect)
            self.fields[f"reason-{pid}"] = forms.CharField(max_length=120, required=False)
            self.fields[f"by-{pid}"] = forms.CharField(max_length=60, required=False)
            self.fields[f"on-{pid}"] = forms.DateField(required=False, widget=DateInput)
            self.initial.setdefault(f"status-{pid}", row.status)
            self.initial.setdefault(f"reason-{pid}", row.leave_reason)
            self.initial.setdefault(f"by-{pid}", row.delivered_by)
            self.initial.setdefault(f"on-{pid}", row.delivered_on)

    def service_rows(self):
        data = self.cleaned_data
        return [{"person": row.person_id, "status": data[f"status-{row.person_id}"],
                 "leave_reason": data[f"reason-{row.person_id}"], "delivered_by": data[f"by-{row.person_id}"],
                 "delivered_on": data[f"on-{row.person_id}"]} for row in self.rows]

    def value_of(self, name, pid):
        """The value to show in the row's input (as typed when bound)."""
        key = f"{name}-{pid}"
        if self.is_bound:
            return self.data.get(key, "")
        value = self.initial.get(key)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value or ""
