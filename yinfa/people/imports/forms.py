"""The upload form of the import page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import SetupForm
from yinfa.people.imports.safety import MAX_FILE_BYTES

# Up to this many units are offered in a drop-down; beyond, the unit is searched by name (the org picker).
UNIT_SELECT_LIMIT = 300


class UploadForm(StyledFormMixin, SetupForm):
    # Named "node" so that the organisation picker's search results fill it in.
    node = forms.ModelChoiceField(
        label=_("Work unit"), queryset=None, empty_label=_("— choose the unit —"),
        help_text=_("Everyone in the file is registered under this unit (原工作单位)."),
        error_messages={"required": _("Choose the work unit the roster belongs to."),
                        "invalid_choice": _("Choose a work unit within your scope.")})
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("An .xlsx, .xls or .csv file of at most %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv,.ods"}))

    setup_options = ("units", "use_picker")

    def setup(self, *, units, use_picker=False):
        self.fields["node"].queryset = units
        if use_picker:
            self.fields["node"].widget = forms.HiddenInput()
