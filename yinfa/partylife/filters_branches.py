"""The one FilterSet of branch lists: it serves the list page, its Excel export and the JSON API.

``BranchFilter(data, queryset, *, today=None)``: ``queryset`` must already be scoped (``visible_to``).
Filters (GET names, stable: the API documents them): ``q`` (name contains), ``kind``, ``status`` (open — the
default —, closed, all) and ``warnings`` (``yes``: only branches with a warning, as ``warnings_for`` finds them).

``MembershipFilter`` (API): ``branch``, ``person``, ``relation`` and ``current`` (open rows only).
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yinfa.core.forms import StyledFormMixin
from yinfa.partylife.models import Branch, BranchKind, Membership, Relation
from yinfa.partylife.services.branches import with_warnings


class StyledFilterForm(StyledFormMixin, forms.Form):
    pass


class BranchStatus:
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"
    # Not "Open": that msgid is the verb of "open a record" (查看) in the catalogue.
    CHOICES = [(OPEN, _("Open branches")), (CLOSED, _("Closed branches")), (ALL, _("Open and closed branches"))]


class BranchFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="node__name", lookup_expr="icontains", label=_("Name contains"))
    kind = django_filters.ChoiceFilter(choices=BranchKind.choices, label=_("Branch kind"),
                                       empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(choices=BranchStatus.CHOICES, method="filter_status", label=_("Status"),
                                         empty_label=None)
    warnings = django_filters.ChoiceFilter(choices=[("yes", _("With warnings only"))], method="filter_warnings",
                                           label=_("Warnings"), empty_label=_("All branches"))

    class Meta:
        model = Branch
        fields = []
        form = StyledFilterForm

    def __init__(self, data=None, queryset=None, *, request=None, today=None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = BranchStatus.OPEN
        self.today = today or timezone.localdate()
        super().__init__(data, queryset=queryset, request=request, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == BranchStatus.OPEN:
            return queryset.open_on(self.today)
        if value == BranchStatus.CLOSED:
            return queryset.filter(node__closed_on__isnull=False, node__closed_on__lte=self.today)
        return queryset

    def filter_warnings(self, queryset, name, value):
        return with_warnings(queryset, self.today) if value == "yes" else queryset

    def narrowed(self, *, counting_warnings=True):
        """Whether the user narrowed the list (anything but the default "open")."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return bool(data.get("q") or data.get("kind") or (counting_warnings and data.get("warnings"))
                    or data.get("status") not in (None, "", BranchStatus.OPEN))


class MembershipFilter(django_filters.FilterSet):
    # Plain numbers: an unknown or out-of-scope id gives an empty list, never an error telling it exists.
    branch = django_filters.NumberFilter(field_name="branch_id", label=_("Branch id"))
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person id"))
    relation = django_filters.ChoiceFilter(choices=Relation.choices, label=_("Relation"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("Open memberships only"))

    class Meta:
        model = Membership
        fields = []

    def filter_current(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(ended_on__isnull=True) if value else queryset.filter(~Q(ended_on=None))
