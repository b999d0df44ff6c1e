"""Forms of the organisation-tree pages, and the helper that puts a service's errors on a form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.models import ALLOWED_CHILD_KINDS, OrgKind, UnitKind


def add_service_errors(form, exc, rename=None):
    """Show a service's ValidationError on the form: on the fields the form has, the rest on the form itself.

    ``rename`` maps the service's argument names to the form's field names. Nothing the user typed is lost:
    the form stays bound and is rendered again.
    """
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = (rename or {}).get(field, field)
            target = field if field in form.fields else None
            form.add_error(target, errors)
            if target is not None:
                widget = form.fields[target].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
    else:
        form.add_error(None, exc)


class SetupForm(forms.Form):
    """A form whose fields depend on the request (choices, query sets).

    ``setup(**options)`` runs right after the fields are built and before StyledFormMixin styles the
    widgets (it reads ``errors``, which validates a bound form): put StyledFormMixin first in the bases.
    """

    setup_options = ()

    def __init__(self, *args, **kwargs):
        options = {name: kwargs.pop(name) for name in self.setup_options if name in kwargs}
        super().__init__(*args, **kwargs)
        self.setup(**options)

    def setup(self, **options):
        pass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class NodeForm(StyledFormMixin, SetupForm):
    """A new organisation under a given parent: only the kinds allowed under that parent are offered."""

    kind = forms.ChoiceField(label=_("Kind"))
    unit_kind = forms.ChoiceField(label=_("Unit kind"), required=False,
                                  choices=[("", _("— not a work unit —")), *UnitKind.choices],
                                  help_text=_("Only for work units: government organ, public institution or "
                                              "enterprise."))
    code = forms.CharField(label=_("Code"), max_length=40,
                           help_text=_("A unique code, e.g. the unified social credit code or your own "
                                       "numbering."))
    name = forms.CharField(label=_("Name"), max_length=120)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DateInput)
    sort_order = forms.IntegerField(label=_("Sort order"), required=False, initial=0,
                                    help_text=_("Smaller numbers are listed first."))

    setup_options = ("parent",)

    def setup(self, *, parent):
        allowed = ALLOWED_CHILD_KINDS[OrgKind(parent.kind)]
        self.fields["kind"].choices = [(value, label) for value, label in OrgKind.choices if value in allowed]

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_sort_order(self):
        return self.cleaned_data.get("sort_order") or 0


class NodeEditForm(StyledFormMixin, SetupForm):
    """Rename, re-code, re-sort an organisation; the unit kind only for work units."""

    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(label=_("Code"), max_length=40)
    unit_kind = forms.ChoiceField(label=_("Unit kind"), required=False,
                                  choices=[("", _("— not given —")), *UnitKind.choices])
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DateInput)
    sort_order = forms.IntegerField(label=_("Sort order"), required=False,
                                    help_text=_("Smaller numbers are listed first."))

    setup_options = ("node",)

    def setup(self, *, node):
        self.initial = {"name": node.name, "code": node.code, "unit_kind": node.unit_kind,
                        "opened_on": node.opened_on, "sort_order": node.sort_order, **self.initial}
        if node.kind != OrgKind.UNIT:
            del self.fields["unit_kind"]

    def clean_code(self):
        return self.cleaned_data["code"].strip()

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_sort_order(self):
        return self.cleaned_data.get("sort_order") or 0


class MoveForm(StyledFormMixin, SetupForm):
    """The new parent is picked from search results (radio buttons named ``new_parent``)."""

    new_parent = forms.ModelChoiceField(
        label=_("New parent organisation"), queryset=None, widget=forms.HiddenInput,
        error_messages={"required": _("Search for the new parent organisation and choose it from the list."),
                        "invalid_choice": _("Choose the new parent organisation from the search results.")},
    )

    setup_options = ("queryset",)

    def setup(self, *, queryset):
        self.fields["new_parent"].queryset = queryset


class CloseForm(StyledFormMixin, forms.Form):
    closed_on = forms.DateField(label=_("Closing date"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=200,
                             help_text=_("E.g. merged into another unit, dissolved, reorganised."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"closed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
