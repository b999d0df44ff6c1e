"""Forms of the person registry and the person file. Each form carries the ``version`` of the file it was
read at (optimistic lock); the services decide and write."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput, SetupForm
from yinfa.core.masking import mask_address, mask_phone
from yinfa.core.models import OrgKind, OrgNode, normalize_mobile
from yinfa.people import idnumbers
from yinfa.people.filters import BRANCH_KINDS, COMMUNITY_KINDS, UNIT_KINDS
from yinfa.people.models import Contact, Document, Health, Honour, LifeEvent, LifeEventKind, Person, Relation
from yinfa.people.services.file import CONTACT_FIELDS, HEALTH_FIELDS, HONOUR_FIELDS
from yinfa.people.services.person import REVEALABLE, SECTION_FIELDS

# Which organisations each anchor may be chosen from (inside the scope).
NODE_KINDS = {
    "unit": UNIT_KINDS,
    "managing_unit": (OrgKind.UNIT, OrgKind.BUREAU, OrgKind.DISTRICT, OrgKind.STREET, OrgKind.COMMUNITY),
    "branch": BRANCH_KINDS,
    "community": COMMUNITY_KINDS,
    "registered_community": COMMUNITY_KINDS,
}
PROTECTED_INPUTS = {"phone": mask_phone, "landline": mask_phone, "address": mask_address}


def model_formfield(model, name, **overrides):
    field = model._meta.get_field(name).formfield(**overrides)
    if isinstance(field, forms.DateField):
        field.widget = DateInput()
    if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
        field.widget.attrs["rows"] = 3
    return field


def scoped_nodes(scope, name, current=None):
    """The organisations an anchor may be set to: inside the scope, of the right kind (and the current one)."""
    nodes = OrgNode.objects.visible_to(scope).filter(kind__in=NODE_KINDS[name]).open_on()
    if current is not None:
        nodes = nodes | OrgNode.objects.filter(pk=current.pk)
    return nodes.order_by("path")


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


# --- the list --------------------------------------------------------------------------------------------------

class ExactSearchForm(StyledFormMixin, forms.Form):
    """An exact lookup by ID number or mobile number, posted so the number never appears in a URL."""

    number = forms.CharField(label=_("ID number or mobile number"), max_length=40,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def clean_number(self):
        raw = self.cleaned_data["number"].strip()
        mobile = normalize_mobile(raw)
        if len(mobile) == 11 and mobile.startswith("1") and len(re.sub(r"[\s\-+]", "", raw)) <= 14:
            self.kind, self.value = "phone", mobile
            return mobile
        try:
            self.value = idnumbers.validate(raw)
        except idnumbers.IdNumberError as exc:
            raise forms.ValidationError(
                _("Type a full 18-character ID number (or an old 15-digit one) or an 11-digit mobile number. %s")
                % exc.message) from None
        self.kind = "id_number"
        return self.value


class ExportForm(StyledFormMixin, forms.Form):
    full_values = forms.BooleanField(label=_("Full ID numbers and phone numbers (audited as personal data)"),
                                     required=False)


# --- creating a file -------------------------------------------------------------------------------------------

class PersonCreateForm(StyledFormMixin, SetupForm):
    name = model_formfield(Person, "name", label=_("Full name"))
    id_number = forms.CharField(label=_("ID number"), max_length=40,
                                help_text=_("Birth date and gender are taken from it."),
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    category = model_formfield(Person, "category")
    joined_revolution_on = model_formfield(
        Person, "joined_revolution_on", help_text=_("Required for lixiu cadres (before 1949-10-01)."))
    retired_on = model_formfield(Person, "retired_on")
    unit = forms.ModelChoiceField(label=_("Former work unit"), queryset=OrgNode.objects.none())
    community = forms.ModelChoiceField(label=_("Community of residence"), queryset=OrgNode.objects.none(),
                                       required=False)
    political_status = model_formfield(Person, "political_status")
    phone = forms.CharField(label=_("Mobile number"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))

    setup_options = ("scope",)

    def setup(self, *, scope):
        self.fields["unit"].queryset = scoped_nodes(scope, "unit")
        self.fields["community"].queryset = scoped_nodes(scope, "community")

    def clean_id_number(self):
        try:
            return idnumbers.parse(self.cleaned_data["id_number"]).number
        except idnumbers.IdNumberError as exc:
            raise forms.ValidationError(exc.message) from None

    def person_values(self):
        data = dict(self.cleaned_data)
        return {name: value for name, value in data.items() if value not in (None, "") or name == "id_number"}


# --- sections of the file ---------------------------------------------------------------------------------------

class SectionForm(StyledFormMixin, SetupForm, VersionMixin):
    """A section of the person's own fields, built from the model's field definitions.

    Protected values (phone, landline, address) are never put into the form: an empty input keeps the
    stored value, a typed one replaces it, a ticked "remove" box clears it.
    """

    setup_options = ("person", "scope", "section")

    def setup(self, *, person, scope, section):
        self.person, self.section = person, section
        names = [name for name in SECTION_FIELDS[section] if name != "id_number"]
        initial = {"version": person.version}
        for name in names:
            if name in NODE_KINDS:
                current = getattr(person, name)
                field = forms.ModelChoiceField(label=Person._meta.get_field(name).verbose_name.capitalize(),
                                               queryset=scoped_nodes(scope, name, current),
                                               required=name == "unit")
                initial[name] = current.pk if current else None
            elif name in PROTECTED_INPUTS:
                field = self._protected_field(person, name)
            else:
                field = model_formfield(Person, name)
                initial[name] = getattr(person, name)
            if name == "name":
                field.label = _("Full name")  # 姓名 (the model's "name" is shared with organisations: 名称)
            self.fields[name] = field
        if section == "identity":
            self.fields["new_id_number"] = forms.CharField(
                label=_("New ID number"), max_length=40, required=False,
                help_text=_("Only to correct it: type the full number. Leave empty to keep the current one."),
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
        self.initial = {**initial, **self.initial}
        order = []
        for name in names:
            order += [name, f"clear_{name}"] if name in PROTECTED_INPUTS else [name]
        self.order_fields([*order, "new_id_number", "version"])

    def _protected_field(self, person, name):
        current = getattr(person, name)
        label = Person._meta.get_field(name).verbose_name.capitalize()
        shown = PROTECTED_INPUTS[name](current) if current else ""
        widget = forms.Textarea(attrs={"rows": 2}) if name == "address" else forms.TextInput(
            attrs={"inputmode": "tel"})
        widget.attrs["autocomplete"] = "off"
        field = forms.CharField(label=label, required=False, max_length=200, widget=widget,
                                help_text=_("Now: %(value)s. Leave empty to keep it; type a new value to replace "
                                            "it.") % {"value": shown} if shown else _("Not recorded yet."))
        if current:
            self.fields[f"clear_{name}"] = forms.BooleanField(
                label=_("Remove the %(field)s") % {"field": label.lower()}, required=False)
        return field

    def clean(self):
        cleaned = super().clean()
        for name in PROTECTED_INPUTS:
            if cleaned.get(name) and cleaned.get(f"clear_{name}"):
                self.add_error(f"clear_{name}", _("Either type a new value or remove it, not both."))
        return cleaned

    def section_values(self):
        """{field: value} for the service; protected values only when typed or removed."""
        values = {}
        for name in SECTION_FIELDS[self.section]:
            if name == "id_number":
                if self.cleaned_data.get("new_id_number", "").strip():
                    values["id_number"] = self.cleaned_data["new_id_number"].strip()
            elif name in PROTECTED_INPUTS:
                typed = (self.cleaned_data.get(name) or "").strip()
                if typed:
                    values[name] = typed
                elif self.cleaned_data.get(f"clear_{name}"):
                    values[name] = ""
            else:
                values[name] = self.cleaned_data.get(name)
        return values


class RowForm(StyledFormMixin, VersionMixin):
    """A form for one row of a file (health, contact, honour), its fields built from the model's."""

    model = None
    row_fields = ()
    own_fields = ()  # fields declared on the form instead

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        built = {name: model_formfield(self.model, name) for name in self.row_fields if name not in self.own_fields}
        self.fields = {**built, **{name: field for name, field in self.fields.items() if name not in built}}
        self.order_fields([*self.row_fields, "version"])
        for field in built.values():
            widget = field.widget
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else (
                "form-select" if isinstance(widget, forms.Select) else "form-control")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def row_values(self):
        return {name: self.cleaned_data.get(name) for name in self.row_fields if name in self.cleaned_data}


class HealthForm(RowForm):
    model = Health
    row_fields = HEALTH_FIELDS


class ContactForm(RowForm):
    model = Contact
    row_fields = CONTACT_FIELDS
    own_fields = ("phone",)
    phone = forms.CharField(label=_("Phone number"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))

    def __init__(self, *args, contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contact = contact
        if contact is not None and contact.phone:
            shown = mask_phone(contact.phone)
            self.fields["phone"].help_text = _("Now: %(value)s. Leave empty to keep it.") % {"value": shown}
            self.fields["clear_phone"] = forms.BooleanField(label=_("Remove the phone number"), required=False)
            self.fields["clear_phone"].widget.attrs["class"] = "form-check-input"

    def row_values(self):
        values = {name: self.cleaned_data.get(name) for name in CONTACT_FIELDS if name != "phone"}
        typed = (self.cleaned_data.get("phone") or "").strip()
        if typed:
            values["phone"] = typed
        elif self.contact is None or self.cleaned_data.get("clear_phone"):
            values["phone"] = ""
        return values


class HonourForm(RowForm):
    model = Honour
    row_fields = HONOUR_FIELDS


class DocumentForm(StyledFormMixin, VersionMixin):
    kind = model_formfield(Document, "kind")
    title = forms.CharField(label=_("Title"), max_length=200, required=False,
                            help_text=_("E.g. approval of the treatment level, a certificate."))
    file = forms.FileField(label=_("File"), help_text=_("An image (JPEG, PNG, GIF, WebP) or a PDF, at most 10 MB."),
                           widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,"
                                                                            "image/webp,application/pdf"}))


class DeleteForm(StyledFormMixin, VersionMixin):
    pass


# --- life events ------------------------------------------------------------------------------------------------

# kind -> (fields, labels overriding the model's)
EVENT_FORMS = {
    LifeEventKind.HOSPITAL: (["starts_on", "place", "department", "diagnosis", "ends_on", "note"],
                             {"starts_on": _("Admitted on"), "place": _("Hospital"), "ends_on": _("Discharged on"),
                              "diagnosis": _("Diagnosis")}),
    LifeEventKind.AWAY: (["starts_on", "ends_on", "place", "reason", "note"],
                         {"starts_on": _("Leaves on"), "ends_on": _("Back by"), "place": _("Destination")}),
    LifeEventKind.ABROAD: (["starts_on", "ends_on", "place", "reason", "note"],
                           {"starts_on": _("Leaves on"), "ends_on": _("Back by"),
                            "place": _("Destination country or region")}),
    LifeEventKind.RELOCATION: (["starts_on", "place", "reason", "ends_on", "note"],
                               {"starts_on": _("Living there since"), "place": _("City and address area"),
                                "reason": _("Reason (e.g. living with children)"), "ends_on": _("Moved back on")}),
}
HEALTH_EVENT_FIELDS = {"diagnosis", "department"}


class EventForm(StyledFormMixin, SetupForm, VersionMixin):
    setup_options = ("kind", "can_see_health")

    def setup(self, *, kind, can_see_health):
        self.kind = kind
        names, labels = EVENT_FORMS[kind]
        self.event_fields = [n for n in names if can_see_health or n not in HEALTH_EVENT_FIELDS]
        for name in self.event_fields:
            field = model_formfield(LifeEvent, name)
            if name in labels:
                field.label = labels[name]
            if name == "place":
                field.required = True
            self.fields[name] = field
        self.order_fields([*self.event_fields, "version"])

    def event_values(self):
        return {name: self.cleaned_data.get(name) if name.endswith("_on") else self.cleaned_data.get(name) or ""
                for name in self.event_fields}


class DeathForm(StyledFormMixin, SetupForm, VersionMixin):
    died_on = forms.DateField(label=_("Died on"), widget=DateInput)
    farewell = model_formfield(LifeEvent, "farewell")
    pension_recipient = model_formfield(LifeEvent, "pension_recipient")
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    survivors = forms.ModelMultipleChoiceField(
        label=_("Survivors to keep visiting (遗属)"), queryset=Contact.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    survivor_relation = forms.ChoiceField(label=_("Another survivor: relation"), choices=[("", "—"),
                                                                                          *Relation.choices],
                                          required=False)
    survivor_name = forms.CharField(label=_("Another survivor: name"), max_length=60, required=False)
    survivor_phone = forms.CharField(label=_("Another survivor: phone number"), max_length=20, required=False)
    confirm = forms.BooleanField(
        label=_("I confirm the death. The person leaves the active lists; the file and the survivors stay."))

    setup_options = ("contacts", "can_see_health")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivors"].widget.attrs["class"] = "form-check-input"  # not a text box (StyledFormMixin)

    def setup(self, *, contacts, can_see_health):
        self.fields["survivors"].queryset = contacts
        self.fields["survivors"].label_from_instance = lambda c: f"{c.get_relation_display()} {c.name}"
        if can_see_health:
            self.fields["cause"] = forms.CharField(label=_("Cause of death"), required=False,
                                                   widget=forms.Textarea(attrs={"rows": 2}))
            self.order_fields(["died_on", "cause"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("survivor_name") and not cleaned.get("survivor_relation"):
            self.add_error("survivor_relation", _("Choose the relation of the new survivor."))
        if (cleaned.get("survivor_relation") or cleaned.get("survivor_phone")) and not cleaned.get("survivor_name"):
            self.add_error("survivor_name", _("Give the name of the new survivor."))
        return cleaned

    def new_survivor(self):
        if not self.cleaned_data.get("survivor_name"):
            return None
        return {"relation": self.cleaned_data["survivor_relation"], "name": self.cleaned_data["survivor_name"],
                "phone": self.cleaned_data.get("survivor_phone", "")}


class UndoDeathForm(StyledFormMixin, VersionMixin):
    reason = forms.CharField(label=_("Why is the death record wrong?"), max_length=300)


# --- reveal -------------------------------------------------------------------------------------------------------

REVEAL_LABELS = {"id_number": _("ID number"), "phone": _("Phone number"), "landline": _("Landline"),
                 "address": _("Address"), "contact_phone": _("Contact's phone number")}


class RevealForm(StyledFormMixin, forms.Form):
    field = forms.ChoiceField(choices=[(name, REVEAL_LABELS[name]) for name in REVEALABLE], widget=forms.HiddenInput)
    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for seeing the full value"), max_length=300,
                             help_text=_("Recorded in the audit trail, e.g. “booking a hospital bed”."),
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
