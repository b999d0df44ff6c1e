"""Forms of the resource list, the service menu and the project list. The services check everything again (scope,
kind of provider); the forms only offer what the scope holds."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.core.models import OrgKind
from yinfa.needs.models import Frequency, ProviderKind, Resource, ServiceCategory, ServiceItem
from yinfa.needs.services.resources import scope_nodes, volunteer_accounts
from yinfa.people.models import Person

NODE_LIMIT = 500
KEEPING_KINDS = (OrgKind.BUREAU, OrgKind.DISTRICT, OrgKind.UNIT, OrgKind.STREET, OrgKind.COMMUNITY,
                 OrgKind.ASSOCIATION)


class ScopeNodeField(forms.ModelChoiceField):
    def label_from_instance(self, node):
        return f"{'　' * max(0, node.depth - 1)}{node.name}"


def _limit(queryset):
    """A queryset of at most NODE_LIMIT rows that can still validate a choice (pk__in of the first rows)."""
    pks = list(queryset.values_list("pk", flat=True)[:NODE_LIMIT])
    return queryset.model.objects.filter(pk__in=pks).order_by("path")


class ResourceForm(StyledFormMixin, forms.Form):
    node = ScopeNodeField(label=_("Organisation keeping the entry"), queryset=None, empty_label=None)
    provider_kind = forms.ChoiceField(label=_("Kind of provider"), choices=ProviderKind.choices)
    provider_name = forms.CharField(label=_("Provider"), max_length=120, required=False,
                                    help_text=_("Leave empty to use the name of the linked account, person or "
                                                "organisation."))
    provider_user = forms.ModelChoiceField(label=_("Volunteer's account"), queryset=None, required=False,
                                           help_text=_("For a volunteer: the orders assigned go to this account."))
    provider_person = forms.ModelChoiceField(label=_("Retiree (person number)"), queryset=None, required=False,
                                             widget=forms.NumberInput,
                                             help_text=_("For a retiree with a talent: pick one of the suggestions "
                                                         "below."))
    provider_node = ScopeNodeField(label=_("Providing organisation"), queryset=None, required=False,
                                   help_text=_("For a unit or a community."))
    community = ScopeNodeField(label=_("Community served"), queryset=None, required=False,
                               help_text=_("Providers of the person's own community are suggested first."))
    categories = forms.MultipleChoiceField(label=pgettext_lazy("service order", "Kinds of service"),
                                           choices=ServiceCategory.choices,
                                           widget=forms.CheckboxSelectMultiple)
    offer = forms.CharField(label=_("What is offered"), max_length=200)
    skills = forms.CharField(label=_("Skills (separated by spaces)"), max_length=200, required=False)
    place = forms.CharField(label=pgettext_lazy("service order", "Where"), max_length=120, required=False)
    available = forms.CharField(label=pgettext_lazy("service order", "When"), max_length=120, required=False,
                                help_text=_("For example: weekday mornings."))
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    active = forms.BooleanField(label=pgettext_lazy("service order", "Available"), required=False, initial=True)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        nodes = scope_nodes(scope, KEEPING_KINDS)
        self.fields["node"].queryset = _limit(nodes)
        self.fields["provider_node"].queryset = _limit(nodes.filter(kind__in=[OrgKind.UNIT, OrgKind.COMMUNITY,
                                                                               OrgKind.STREET]))
        self.fields["community"].queryset = _limit(scope_nodes(scope, [OrgKind.COMMUNITY]))
        self.fields["provider_user"].queryset = volunteer_accounts(scope)
        self.fields["provider_user"].label_from_instance = lambda user: f"{user.full_name or user.username}"
        self.fields["provider_person"].queryset = Person.objects.visible_to(scope).alive()
        self.fields["categories"].widget.attrs["class"] = "form-check-input"

    def values(self):
        return dict(self.cleaned_data)


def resource_initial(resource):
    return {"node": resource.node_id, "provider_kind": resource.provider_kind,
            "provider_name": resource.provider_name, "provider_user": resource.provider_user_id,
            "provider_person": resource.provider_person_id, "provider_node": resource.provider_node_id,
            "community": resource.community_id, "categories": resource.categories, "offer": resource.offer,
            "skills": resource.skills, "place": resource.place, "available": resource.available,
            "contact_name": resource.contact_name, "active": resource.active}


class ItemForm(StyledFormMixin, forms.Form):
    node = ScopeNodeField(label=_("Organisation offering it"), queryset=None, empty_label=None)
    name = forms.CharField(label=_("Service"), max_length=80)
    category = forms.ChoiceField(label=pgettext_lazy("service order", "Kind of service"),
                                 choices=ServiceCategory.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accept_days = forms.IntegerField(label=_("Accepted within (working days)"), min_value=0, max_value=60,
                                     initial=1)
    complete_days = forms.IntegerField(label=_("Carried out within (working days)"), min_value=1, max_value=60,
                                       initial=5)
    free = forms.BooleanField(label=_("Free of charge"), required=False, initial=True)
    price_note = forms.CharField(label=_("Charges"), max_length=120, required=False,
                                 help_text=_("When it is not free: what it costs."))
    active = forms.BooleanField(label=_("On the menu"), required=False, initial=True)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = _limit(scope_nodes(scope, KEEPING_KINDS))

    def values(self):
        return dict(self.cleaned_data)


def item_initial(item):
    return {name: getattr(item, name) for name in ("name", "category", "description", "accept_days",
                                                    "complete_days", "free", "price_note", "active")} | {
        "node": item.node_id}


class ProjectForm(StyledFormMixin, forms.Form):
    node = ScopeNodeField(label=_("Organisation"), queryset=None, empty_label=None)
    title = forms.CharField(label=pgettext_lazy("service order", "Project"), max_length=120)
    item = forms.ModelChoiceField(label=_("Service"), queryset=None, required=False)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=None)
    frequency = forms.ChoiceField(label=_("How often"), choices=Frequency.choices)
    beneficiaries = forms.CharField(label=_("For whom"), max_length=200, required=False,
                                    help_text=_("For example: the 离休 cadres of the community."))
    agreement = forms.CharField(label=_("What was agreed"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    active = forms.BooleanField(label=_("In force"), required=False, initial=True)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = _limit(scope_nodes(scope, KEEPING_KINDS))
        self.fields["item"].queryset = ServiceItem.objects.visible_to(scope).order_by("category", "name", "pk")
        self.fields["provider"].queryset = (Resource.objects.visible_to(scope)
                                            .order_by("provider_name", "pk"))

    def values(self):
        return dict(self.cleaned_data)


def project_initial(project):
    return {name: getattr(project, name) for name in ("title", "frequency", "beneficiaries", "agreement",
                                                       "starts_on", "ends_on", "active")} | {
        "node": project.node_id, "item": project.item_id, "provider": project.provider_id}
