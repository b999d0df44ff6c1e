"""Forms of the branch and membership pages. Choices are always read within the scope; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput, SetupForm
from yinfa.core.masking import mask_phone
from yinfa.core.models import OrgKind, OrgNode
from yinfa.partylife.models import Branch, BranchKind, CommitteePost, JoinedBy, LeftBy, Membership, Standing
from yinfa.partylife.services.branches import POST_ORDER
from yinfa.people.models import Person


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person.name


class BranchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, branch):
        return branch.node.name


def open_branches(scope, *, functional=None, exclude=None):
    today = timezone.localdate()
    branches = Branch.objects.visible_to(scope).open_on(today).select_related("node").order_by("path")
    if functional is True:
        branches = branches.filter(kind=BranchKind.FUNCTIONAL)
    elif functional is False:
        branches = branches.exclude(kind=BranchKind.FUNCTIONAL)
    if exclude is not None:
        branches = branches.exclude(pk=exclude.pk)
    return branches


def full_members(branch):
    """People holding a full, open organisational membership in the branch, by name."""
    held = Membership.objects.organisational().open().filter(branch=branch, standing=Standing.FULL)
    return Person.objects.filter(pk__in=held.values("person_id")).order_by("name_pinyin", "pk")


class RadioStyleMixin:
    """Radio buttons styled as Bootstrap check inputs (StyledFormMixin gives every other widget its class)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"


# --- the branch ---------------------------------------------------------------------------------------------------

class BranchEditForm(StyledFormMixin, forms.ModelForm):
    liaison_phone = forms.CharField(label=_("Liaison's phone"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))

    clear_liaison_phone = forms.BooleanField(label=_("Remove the liaison's phone"), required=False)

    class Meta:
        model = Branch
        fields = ["kind", "liaison_name", "liaison_position", "liaison_phone", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The stored phone is never sent back to the browser: shown masked, kept when the field is left empty.
        stored = self.instance.liaison_phone if self.instance and self.instance.pk else ""
        self.initial["liaison_phone"] = ""
        field = self.fields["liaison_phone"]
        if stored:
            field.widget.attrs["placeholder"] = mask_phone(stored)
            field.help_text = _("Leave empty to keep the number on record (%(masked)s).") % {
                "masked": mask_phone(stored)}
        else:
            del self.fields["clear_liaison_phone"]

    def branch_values(self):
        values = {name: self.cleaned_data.get(name) or "" for name in self.Meta.fields}
        if not values["liaison_phone"] and not self.cleaned_data.get("clear_liaison_phone"):
            del values["liaison_phone"]  # unchanged
        return values


class ElectionForm(StyledFormMixin, SetupForm):
    """A new committee term: one choice per post among the branch's current full members."""

    setup_options = ("branch",)
    elected_on = forms.DateField(label=_("Elected on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Term ends on"), widget=DateInput, required=False,
                              help_text=_("Leave empty for the usual term: 3 years, 5 for community branches."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def setup(self, *, branch):
        people = full_members(branch)
        for post in POST_ORDER:
            secretary = post == CommitteePost.SECRETARY
            self.fields[post] = PersonChoiceField(label=CommitteePost(post).label, queryset=people,
                                                  required=secretary,
                                                  empty_label=_("— choose —") if secretary else _("— vacant —"))
        self.order_fields(["elected_on", "ends_on", *POST_ORDER, "note"])

    def posts(self):
        return {post: self.cleaned_data.get(post) for post in POST_ORDER if self.cleaned_data.get(post)}


class PostChangeForm(StyledFormMixin, SetupForm):
    setup_options = ("branch",)
    post = forms.ChoiceField(label=_("Post"), choices=[(p, CommitteePost(p).label) for p in POST_ORDER])
    person = PersonChoiceField(label=_("New holder"), queryset=Person.objects.none(), required=False,
                               empty_label=_("— leave the post vacant —"))
    on_date = forms.DateField(label=_("From"), widget=DateInput)

    def setup(self, *, branch):
        self.fields["person"].queryset = full_members(branch)


# --- memberships ------------------------------------------------------------------------------------------------

class Origin:
    BRANCH = "branch"
    OUTSIDE = "outside"
    FIRST = "first"
    ADMITTED = "admitted"
    CHOICES = [(BRANCH, _("Transferred from another branch of the system")),
               (OUTSIDE, _("Transferred in from outside the system")),
               (FIRST, _("First record (already a member here)")),
               (ADMITTED, _("Newly admitted to the party"))]


class AddMemberForm(RadioStyleMixin, StyledFormMixin, SetupForm):
    setup_options = ("scope", "branch")
    origin = forms.ChoiceField(label=_("Where from"), choices=Origin.CHOICES, initial=Origin.OUTSIDE,
                               widget=forms.RadioSelect)
    from_branch = BranchChoiceField(label=_("From the branch"), queryset=Branch.objects.none(), required=False,
                                    help_text=_("Only branches of your scope; the membership there is closed on "
                                                "the same day."))
    from_outside = forms.CharField(label=_("From (outside the system)"), max_length=120, required=False,
                                   help_text=_("The party organisation that issued the transfer letter."))
    started_on = forms.DateField(label=_("Member here from"), widget=DateInput)
    standing = forms.ChoiceField(label=_("Standing"), choices=Standing.choices, initial=Standing.FULL)
    probation_from = forms.DateField(label=_("Probation from"), widget=DateInput, required=False)
    probation_until = forms.DateField(label=_("Probation until"), widget=DateInput, required=False,
                                      help_text=_("Leave empty for one year."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def setup(self, *, scope, branch):
        self.fields["from_branch"].queryset = open_branches(scope, functional=False, exclude=branch)

    def clean(self):
        cleaned = super().clean()
        origin = cleaned.get("origin")
        if origin == Origin.BRANCH and not cleaned.get("from_branch"):
            self.add_error("from_branch", _("Choose the branch the member comes from."))
        if origin == Origin.OUTSIDE and not (cleaned.get("from_outside") or "").strip():
            self.add_error("from_outside", _("Say where the member was transferred in from."))
        return cleaned

    def service_values(self):
        data = self.cleaned_data
        origin = data["origin"]
        joined_by = {Origin.OUTSIDE: JoinedBy.TRANSFER_IN, Origin.FIRST: JoinedBy.FOUNDING,
                     Origin.ADMITTED: JoinedBy.ADMITTED}.get(origin)
        return {"started_on": data["started_on"], "standing": data["standing"],
                "probation_from": data.get("probation_from"), "probation_until": data.get("probation_until"),
                "from_branch": data.get("from_branch") if origin == Origin.BRANCH else None,
                "from_outside": data.get("from_outside", "") if origin == Origin.OUTSIDE else "",
                "joined_by": joined_by, "note": data.get("note", "")}


TRANSFER_CHOICES = [(LeftBy.TRANSFER, _("Transferred to another branch of the system")),
                    (LeftBy.TRANSFER_OUT, _("Transferred outside the system")),
                    (LeftBy.DIED, LeftBy.DIED.label), (LeftBy.LEFT, LeftBy.LEFT.label)]


class TransferForm(RadioStyleMixin, StyledFormMixin, SetupForm):
    setup_options = ("scope", "branch")
    how = forms.ChoiceField(label=_("How the member leaves"), choices=TRANSFER_CHOICES, widget=forms.RadioSelect,
                            initial=LeftBy.TRANSFER)
    to_branch = BranchChoiceField(label=_("To the branch"), queryset=Branch.objects.none(), required=False,
                                  help_text=_("Only branches of your scope. For another county, choose "
                                              "“outside the system” or ask the administrator above you."))
    to_outside = forms.CharField(label=_("To (outside the system)"), max_length=120, required=False)
    on_date = forms.DateField(label=_("On"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def setup(self, *, scope, branch):
        self.fields["to_branch"].queryset = open_branches(scope, functional=False, exclude=branch)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("how") == LeftBy.TRANSFER and not cleaned.get("to_branch"):
            self.add_error("to_branch", _("Choose the branch the member is transferred to."))
        if cleaned.get("how") == LeftBy.TRANSFER_OUT and not (cleaned.get("to_outside") or "").strip():
            self.add_error("to_outside", _("Say which organisation receives the member."))
        return cleaned


class DateForm(StyledFormMixin, forms.Form):
    on_date = forms.DateField(label=_("On"), widget=DateInput)


class GroupForm(StyledFormMixin, SetupForm):
    setup_options = ("branch",)
    group = forms.ModelChoiceField(label=_("Party group"), queryset=OrgNode.objects.none(), required=False,
                                   empty_label=_("— no party group —"))

    def setup(self, *, branch):
        self.fields["group"].queryset = OrgNode.objects.filter(parent_id=branch.pk, kind=OrgKind.PARTY_GROUP,
                                                               closed_on__isnull=True).order_by("sort_order", "name")


class JoinFunctionalForm(StyledFormMixin, SetupForm):
    setup_options = ("scope",)
    branch = BranchChoiceField(label=_("Functional branch"), queryset=Branch.objects.none())
    started_on = forms.DateField(label=_("Member from"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def setup(self, *, scope):
        self.fields["branch"].queryset = open_branches(scope, functional=True)


class FunctionalMemberForm(StyledFormMixin, forms.Form):
    started_on = forms.DateField(label=_("Member from"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


# --- community registration -------------------------------------------------------------------------------------

def scope_communities(scope):
    return (OrgNode.objects.visible_to(scope).filter(kind=OrgKind.COMMUNITY, closed_on__isnull=True)
            .order_by("path"))


class RegistrationForm(StyledFormMixin, SetupForm):
    setup_options = ("scope",)
    community = forms.ModelChoiceField(label=_("Community"), queryset=OrgNode.objects.none())
    registered_on = forms.DateField(label=_("Registered on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def setup(self, *, scope):
        self.fields["community"].queryset = scope_communities(scope)

