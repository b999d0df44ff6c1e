"""FilterSets of the core app: one FilterSet serves a list page, its export and the API.

The mobile number is not a filter here: an exact lookup by mobile is posted (see the account list), so
the number never appears in a URL.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.core.models import OrgNode, RoleGrant, User
from yinfa.core.permissions import Role


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


def current_grants(scope, day=None):
    """Role grants of the scope that are not revoked and not yet ended (current or starting later)."""
    day = day or timezone.localdate()
    return RoleGrant.objects.visible_to(scope).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day), revoked_at__isnull=True
    )


class AccountStatus:
    ACTIVE = "active"
    DISABLED = "disabled"
    CHOICES = [(ACTIVE, _("Active")), (DISABLED, _("Disabled"))]


class UserFilter(django_filters.FilterSet):
    """Accounts of the scope. Needs ``request`` (its ``scope`` limits the role and organisation filters)."""

    q = django_filters.CharFilter(label=_("User name or full name"), method="filter_text")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, method="filter_role",
                                       empty_label=_("Any role"))
    org = django_filters.CharFilter(label=_("Organisation name contains"), method="filter_org")
    node = django_filters.NumberFilter(method="filter_node", widget=forms.HiddenInput)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AccountStatus.CHOICES,
                                         method="filter_status", empty_label=_("All"))

    class Meta:
        model = User
        fields = []
        form = StyledFilterForm

    node_object = None

    @property
    def scope(self):
        return getattr(self.request, "scope", None)

    def _holding(self, queryset, grants):
        return queryset.filter(pk__in=grants.values("user_id"))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(username__icontains=value) | Q(full_name__icontains=value))

    def filter_role(self, queryset, name, value):
        return self._holding(queryset, current_grants(self.scope).filter(role=value))

    def filter_org(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return self._holding(queryset, current_grants(self.scope).filter(node__name__icontains=value))

    def filter_node(self, queryset, name, value):
        """Accounts with a role at this organisation or below it."""
        self.node_object = OrgNode.objects.visible_to(self.scope).filter(pk=value).first()
        if self.node_object is None:
            return queryset.none()
        return self._holding(queryset, current_grants(self.scope).filter(node__path__startswith=self.node_object.path))

    def filter_status(self, queryset, name, value):
        if value == AccountStatus.ACTIVE:
            return queryset.filter(is_active=True)
        if value == AccountStatus.DISABLED:
            return queryset.filter(is_active=False)
        return queryset
