"""The one FilterSet of the needs list (需求清单): the list page, its statistics, the Excel export and the API.

``OrderFilter(data, queryset=None, *, scope)``; the queryset defaults to ``ServiceOrder.objects.visible_to(scope)``
(one given by the caller must already be scoped). GET parameters (stable, the API documents them): ``period``
(``current``, the default: open orders and those of the last 90 days; ``all``), ``status``, ``category`` (kind of
service), ``channel``, ``provider`` (a resource id of the scope), ``date_from``, ``date_to`` (the day ordered),
``q`` (part of the person's name or of the service).
"""

import datetime

import django_filters
from django import forms
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput
from yinfa.core.scope import scope_condition
from yinfa.needs.models import (
    OPEN_ORDER_STATUSES,
    OrderChannel,
    OrderStatus,
    Resource,
    ServiceCategory,
    ServiceOrder,
)

RECENT_DAYS = 90


class Period:
    CURRENT = "current"
    ALL = "all"
    CHOICES = [(CURRENT, _("Open and last 90 days")), (ALL, _("All orders"))]


class OrderFilterForm(StyledFormMixin, forms.Form):
    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return cleaned


def visible_orders(scope, user):
    """The orders the role in use may open: staff who see care (CARE_VIEW), the scope's; a volunteer (SERVICE_FULFIL
    without CARE_VIEW), only the orders assigned to them and those they placed for a retiree of the scope; in the
    retiree role, the retiree's own. Staff roles that also fulfil (the community) see the scope's and their own."""
    from yinfa.core.permissions import Perm

    orders = ServiceOrder.objects.none()
    if scope is None:
        return orders
    if scope.has(Perm.CARE_VIEW):
        orders = ServiceOrder.objects.visible_to(scope)
    elif scope.has(Perm.SERVICE_FULFIL):
        orders = ServiceOrder.objects.visible_to(scope).filter(ordered_by=user)
    if scope.has(Perm.SERVICE_FULFIL):
        orders = orders | ServiceOrder.objects.assigned_to(user)
    if scope.has(Perm.SELF_SERVICE):
        orders = orders | ServiceOrder.objects.filter(person__account=user)
    return orders


def recent_condition(days=RECENT_DAYS):
    since = timezone.now() - datetime.timedelta(days=days)
    return Q(status__in=OPEN_ORDER_STATUSES) | Q(created_at__gte=since)


class OrderFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(label=pgettext_lazy("service order", "Which orders"), choices=Period.CHOICES,
                                         method="filter_period",
                                         empty_label=None)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OrderStatus.choices, empty_label=_("All"))
    category = django_filters.ChoiceFilter(label=pgettext_lazy("service order", "Kind of service"),
                                           choices=ServiceCategory.choices,
                                           field_name="item__category", empty_label=_("All kinds"))
    channel = django_filters.ChoiceFilter(label=pgettext_lazy("service order", "Ordered"), choices=OrderChannel.choices,
                                          empty_label=_("Any way"))
    provider = django_filters.ModelChoiceFilter(label=_("Provider"), queryset=Resource.objects.none(),
                                                widget=forms.NumberInput)
    date_from = django_filters.DateFilter(label=_("Ordered from"), field_name="created_at__date",
                                          lookup_expr="gte", widget=DateInput)
    date_to = django_filters.DateFilter(label=_("Ordered until"), field_name="created_at__date",
                                        lookup_expr="lte", widget=DateInput)
    q = django_filters.CharFilter(label=_("Person or service"), method="filter_text")

    class Meta:
        model = ServiceOrder
        fields = []
        form = OrderFilterForm

    def __init__(self, data=None, queryset=None, *, scope, prefix=None):
        self.scope = scope
        if queryset is None:
            queryset = ServiceOrder.objects.visible_to(scope)
        data = {} if data is None else data
        super().__init__(data, queryset, prefix=prefix)
        self.filters["provider"].queryset = Resource.objects.visible_to(scope)

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("period"):
            queryset = queryset.filter(recent_condition())
        return super().filter_queryset(queryset)

    def filter_period(self, queryset, name, value):
        if value == Period.ALL:
            return queryset
        return queryset.filter(recent_condition())

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(person__name__icontains=value) | Q(item__name__icontains=value))

    def results(self):
        """The filtered orders; none when a filter is not valid (e.g. a provider outside the scope)."""
        return self.qs if self.is_valid() else self.queryset.none()

    @property
    def is_filtered(self):
        return any(self.form.data.get(name) for name in self.filters if name != "period")


def statistics(orders):
    """Figures of the filtered orders in two aggregate queries: counts per status and per kind of service, the
    on-time rate (carried out by ``due_on``, of those carried out) and the average rating."""
    figures = orders.order_by().aggregate(
        total=Count("pk"),
        finished=Count("pk", filter=Q(done_at__isnull=False)),
        on_time=Count("pk", filter=Q(done_at__isnull=False, done_at__date__lte=F("due_on"))),
        rated=Count("rating"),
        rating=Avg("rating"),
        **{f"status_{value}": Count("pk", filter=Q(status=value)) for value in OrderStatus.values},
    )
    per_category = dict(orders.order_by().values_list("item__category").annotate(n=Count("pk")))
    labels = dict(ServiceCategory.choices)
    return {
        "total": figures["total"],
        "by_status": [{"status": value, "label": label, "count": figures[f"status_{value}"]}
                      for value, label in OrderStatus.choices],
        "by_category": sorted(({"category": key, "label": labels.get(key, key), "count": count}
                               for key, count in per_category.items()),
                              key=lambda row: (-row["count"], row["category"])),
        "finished": figures["finished"],
        "on_time": figures["on_time"],
        "on_time_rate": round(100 * figures["on_time"] / figures["finished"], 1) if figures["finished"] else None,
        "rated": figures["rated"],
        "average_rating": round(float(figures["rating"]), 2) if figures["rating"] is not None else None,
    }


def project_figures(projects, scope):
    """Annotate projects with the figures of their orders visible in ``scope`` (``ServiceOrder.visible_to``): a
    county's project seen from a community counts only that community's orders. ``order_count``,
    ``finished_count`` (done or confirmed) and ``average_rating``."""
    from yinfa.people.querysets import PERSON_ANCHORS

    visible = scope_condition(scope, "orders__handler_path", *(f"orders__{path}" for path in PERSON_ANCHORS))
    if visible is None:
        visible = Q(pk__in=[])
    finished = (OrderStatus.DONE, OrderStatus.CONFIRMED)
    return projects.annotate(order_count=Count("orders", filter=visible, distinct=True),
                             finished_count=Count("orders", filter=visible & Q(orders__status__in=finished),
                                                  distinct=True),
                             average_rating=Avg("orders__rating", filter=visible))
