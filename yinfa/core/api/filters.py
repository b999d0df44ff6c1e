"""Query filters of the API (django-filter). Filtering narrows a query that is already scoped."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yinfa.core.models import OrgKind, OrgNode, RoleGrant, User
from yinfa.core.permissions import Role


class OrgNodeFilter(django_filters.FilterSet):
    # A plain number, not a choice of existing nodes: an unknown or out-of-scope id gives an empty list,
    # never an error that would tell whether the node exists.
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Parent organisation id"))
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("Kind"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name contains"))
    include_closed = django_filters.BooleanFilter(method="filter_include_closed",
                                                  label=_("Include closed organisations"))

    class Meta:
        model = OrgNode
        fields = []

    def filter_include_closed(self, queryset, name, value):
        return queryset  # applied in filter_queryset, because the default (open only) needs no parameter

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("include_closed"):
            queryset = queryset.open_on()
        return queryset


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("User name or full name contains"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    role = django_filters.ChoiceFilter(choices=Role.choices, method="filter_role",
                                       label=_("Holds this role (inside the scope)"))

    class Meta:
        model = User
        fields = []

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))

    def filter_role(self, queryset, name, value):
        scope = getattr(self.request, "scope", None)
        holders = RoleGrant.objects.visible_to(scope).active().filter(role=value).values("user_id")
        return queryset.filter(pk__in=holders)

