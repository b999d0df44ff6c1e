"""Forms of the accounts-and-roles pages."""

import secrets

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yinfa.core.fields import lookup_index
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput, SetupForm
from yinfa.core.models import User, normalize_mobile
from yinfa.core.permissions import Role

# Characters that are hard to confuse when read aloud or copied from a screen (no 0/O, 1/l/I).
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "#%*?!@$&"
GENERATE, TYPE = "generate", "type"


def generate_temporary_password(username="", length=14):
    """A strong random password with all four character classes that does not contain the user name."""
    rng = secrets.SystemRandom()
    everything = _UPPER + _LOWER + _DIGITS + _SYMBOLS
    while True:
        chars = [rng.choice(_UPPER), rng.choice(_LOWER), rng.choice(_DIGITS), rng.choice(_SYMBOLS)]
        chars += [rng.choice(everything) for _ in range(length - len(chars))]
        rng.shuffle(chars)
        password = "".join(chars)
        if not username or username.lower() not in password.lower():
            return password


def clean_mobile_value(value, *, exclude_pk=None):
    """'138 0013 8000' → '13800138000'; a mainland mobile number used by no other account."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = normalize_mobile(value)
    if len(digits) != 11 or not digits.startswith("1"):
        raise ValidationError(_("Enter an 11-digit mobile number, e.g. 13800138000."))
    taken = User.objects.filter(mobile_index=lookup_index(User, "mobile_index", digits))
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(_("This mobile number is already used by another account."))
    return digits


def role_choices(roles):
    """The given roles in catalogue order."""
    return [(value, label) for value, label in Role.choices if value in roles]


class MobileSearchForm(StyledFormMixin, forms.Form):
    """Exact lookup by mobile number; posted, so the number never appears in a URL or a log."""

    mobile = forms.CharField(label=_("Mobile number"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))

    def clean_mobile(self):
        digits = normalize_mobile(self.cleaned_data["mobile"])
        if len(digits) != 11:
            raise ValidationError(_("Enter the whole 11-digit mobile number."))
        return digits


class PasswordChoiceMixin:
    """A generated temporary password (shown once), or one typed by the administrator."""

    def _password_fields(self):
        self.fields["password_mode"] = forms.ChoiceField(
            label=_("Initial password"), widget=forms.RadioSelect, initial=GENERATE,
            choices=[(GENERATE, _("Generate a strong temporary password (shown once on the next page)")),
                     (TYPE, _("Type a temporary password"))],
        )
        self.fields["password1"] = forms.CharField(
            label=_("Temporary password"), required=False, strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            help_text=password_validation.password_validators_help_text_html(),
        )
        self.fields["password2"] = forms.CharField(
            label=_("Temporary password again"), required=False, strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        )

    def _clean_password(self, cleaned, user):
        if cleaned.get("password_mode") != TYPE:
            cleaned["password"] = generate_temporary_password(user.username)
            cleaned["generated"] = True
            return
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if not first:
            self.add_error("password1", _("Type the temporary password, or let the system generate one."))
        elif first != second:
            self.add_error("password2", _("The two passwords differ."))
        else:
            try:
                password_validation.validate_password(first, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
            cleaned["password"] = first
            cleaned["generated"] = False


class UserCreateForm(PasswordChoiceMixin, StyledFormMixin, SetupForm):
    username = forms.CharField(label=_("User name"), max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text=_("Used to log in. Letters, digits and @ . + - _ only."))
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    mobile = forms.CharField(label=_("Mobile number"), max_length=20, required=False,
                             help_text=_("Optional. The account can also log in with it."),
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("First role"), required=False)
    node = forms.ModelChoiceField(label=_("At organisation"), queryset=None, required=False,
                                  widget=forms.HiddenInput,
                                  error_messages={"invalid_choice": _("Choose an open organisation of your scope.")})

    setup_options = ("grantable_roles", "node_queryset", "role_required")

    def setup(self, *, grantable_roles, node_queryset, role_required):
        self._password_fields()
        self.role_required = role_required
        blank = _("— choose a role —") if role_required else _("— no role yet —")
        self.fields["role"].choices = [("", blank), *role_choices(grantable_roles)]
        self.fields["role"].required = role_required
        self.fields["role"].help_text = (
            _("An account is visible in your scope through the roles it holds here, so give it one now.")
            if role_required else _("Optional: a role can also be granted later on the account's page.")
        )
        self.fields["node"].queryset = node_queryset
        if not grantable_roles:
            del self.fields["role"]
            del self.fields["node"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is already taken."))
        return username

    def clean_mobile(self):
        return clean_mobile_value(self.cleaned_data.get("mobile"))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") and not cleaned.get("node"):
            self.add_error("node", _("Choose the organisation where the role is held."))
        if cleaned.get("username"):
            self._clean_password(cleaned, User(username=cleaned["username"], full_name=cleaned.get("full_name", "")))
        return cleaned


class UserEditForm(StyledFormMixin, SetupForm):
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    mobile = forms.CharField(label=_("New mobile number"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    clear_mobile = forms.BooleanField(label=_("Remove the mobile number"), required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    setup_options = ("user", "masked_mobile")

    def setup(self, *, user, masked_mobile):
        self.user = user
        self.initial = {"full_name": user.full_name, "email": user.email, **self.initial}
        if masked_mobile:
            self.fields["mobile"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {"masked": masked_mobile}
        else:
            self.fields["mobile"].help_text = _("No mobile number yet.")
            del self.fields["clear_mobile"]

    def clean_mobile(self):
        return clean_mobile_value(self.cleaned_data.get("mobile"), exclude_pk=self.user.pk)

    def changes(self):
        """The values for the update service: the mobile only when a new one is typed or removal asked."""
        values = {"full_name": self.cleaned_data["full_name"].strip(), "email": self.cleaned_data["email"]}
        if self.cleaned_data.get("clear_mobile"):
            values["mobile"] = ""
        elif self.cleaned_data.get("mobile"):
            values["mobile"] = self.cleaned_data["mobile"]
        return values


class SetActiveForm(StyledFormMixin, forms.Form):
    active = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1",
                                    widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason for disabling"), max_length=200, required=False,
                             help_text=_("E.g. left the post, retired, account no longer needed. Kept in the "
                                         "audit trail."))


class ResetPasswordForm(PasswordChoiceMixin, StyledFormMixin, SetupForm):
    setup_options = ("user",)

    def setup(self, *, user):
        self.user = user
        self._password_fields()
        self.fields["password_mode"].label = _("New temporary password")

    def clean(self):
        cleaned = super().clean()
        self._clean_password(cleaned, self.user)
        return cleaned


class GrantForm(StyledFormMixin, SetupForm):
    role = forms.ChoiceField(label=_("Role"))
    node = forms.ModelChoiceField(
        label=_("At organisation"), queryset=None, widget=forms.HiddenInput,
        error_messages={"required": _("Search for the organisation and choose it from the list."),
                        "invalid_choice": _("Choose an open organisation of your scope.")},
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DateInput,
                                help_text=_("Empty: from today."))
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput,
                              help_text=_("Empty: until revoked."))

    setup_options = ("grantable_roles", "node_queryset")

    def setup(self, *, grantable_roles, node_queryset):
        self.fields["role"].choices = [("", _("— choose a role —")), *role_choices(grantable_roles)]
        self.fields["node"].queryset = node_queryset
