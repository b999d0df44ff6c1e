"""The module's entry and the pages of those who are served or serve: ``home`` (sends each role to its page),
the retiree's own page (``self_home``: the menu as big buttons, their orders, their wishes to confirm), ordering
from it, and the volunteer's tasks (``my_tasks``: the orders assigned to them and their wish claims).

A retiree works only with their own person file (``Person.objects.filter(account=request.user)``) and their own
orders; anything else answers 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.workdays import WorkCalendar
from yinfa.needs import sla
from yinfa.needs.forms_orders import DoneForm, SelfOrderForm
from yinfa.needs.models import (
    OPEN_ORDER_STATUSES,
    ClaimStatus,
    OrderChannel,
    OrderStatus,
    ServiceCategory,
    ServiceOrder,
    Wish,
    WishClaim,
    WishStatus,
)
from yinfa.needs.services import orders as services
from yinfa.needs.services.resources import menu_for_person
from yinfa.people.models import Person

OWN_ORDERS_LIMIT = 30
TASKS_LIMIT = 200


@module("needs")
@require_GET
@scope_checked()
def home(request):
    scope = request.scope
    if scope.has(Perm.CARE_VIEW):
        return redirect("needs:order_list")
    if scope.has(Perm.SERVICE_FULFIL):
        return redirect("needs:my_tasks")
    if scope.has(Perm.SELF_SERVICE):
        return redirect("needs:self_home")
    raise PermissionDenied


def own_person(request):
    """The retiree's own person file (None when the account is not linked to one)."""
    return Person.objects.filter(account=request.user).select_related("community", "unit").first()


def menu_groups(person):
    """The person's menu (on the menu only) grouped by kind of service: [(label, [items])]."""
    items = list(menu_for_person(person).filter(active=True).order_by("category", "name", "pk"))
    labels = dict(ServiceCategory.choices)
    groups = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    return [(labels.get(key, key), rows) for key, rows in groups.items()]


def own_orders(person):
    """The person's orders: open ones first, then the latest closed ones."""
    open_first = Case(When(status__in=OPEN_ORDER_STATUSES, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    return list(ServiceOrder.objects.of_person(person).select_related("item", "provider")
                .annotate(open_first=open_first).order_by("open_first", "-created_at", "-pk")[:OWN_ORDERS_LIMIT])


@module("needs")
@require_GET
@scope_checked(Perm.SELF_SERVICE)
def self_home(request):
    person = own_person(request)
    context = {"person": person}
    if person is not None:
        context.update({
            "groups": menu_groups(person),
            "orders": own_orders(person),
            "to_confirm_status": OrderStatus.DONE,
            "wishes": list(Wish.objects.filter(person=person, status=WishStatus.FULFILLED).order_by("-pk")[:20]),
        })
    return render(request, "needs/self/home.html", context)


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.SELF_SERVICE)
def self_order(request):
    """The retiree orders one service of their menu (chosen with a big button: ``?item=``)."""
    person = own_person(request)
    if person is None:
        raise Http404
    wanted = request.POST.get("item") or request.GET.get("item") or ""
    if not str(wanted).isdigit():
        raise Http404
    item = get_object_or_404(menu_for_person(person).filter(active=True), pk=int(wanted))
    form = SelfOrderForm(request.POST or None, initial={"item": item.pk})
    if request.method == "POST" and form.is_valid():
        try:
            order = services.create_order(
                actor=request.user, scope=request.scope, person=person, item=item, channel=OrderChannel.SELF,
                values={"details": form.cleaned_data["details"], "wanted_on": form.cleaned_data["wanted_on"]})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your order is placed. We will get back to you by %(day)s.")
                             % {"day": order.accept_by.isoformat()})
            return redirect("needs:order_detail", pk=order.pk)
    today = timezone.localdate()
    clock = sla.deadlines(today, accept_days=item.accept_days, complete_days=item.complete_days,
                          calendar=WorkCalendar.load())
    return render(request, "needs/self/order_form.html", {"person": person, "item": item, "form": form,
                                                          "clock": clock})


@module("needs")
@require_GET
@scope_checked(Perm.SERVICE_FULFIL)
def my_tasks(request):
    today, calendar = timezone.localdate(), WorkCalendar.load()
    orders = list(ServiceOrder.objects.assigned_to(request.user)
                  .filter(status__in=[OrderStatus.ASSIGNED, OrderStatus.DONE])
                  .select_related("person__community", "item", "handler", "provider")
                  .order_by("status", "due_on", "pk")[:TASKS_LIMIT])
    for order in orders:
        order.lateness = sla.lateness(order, today, calendar)
    claims = list(WishClaim.objects.by(request.user).filter(status=ClaimStatus.ACTIVE)
                  .select_related("wish").order_by("fulfil_by", "pk")[:TASKS_LIMIT])
    return render(request, "needs/self/my_tasks.html", {
        "to_do": [o for o in orders if o.status == OrderStatus.ASSIGNED],
        "awaiting": [o for o in orders if o.status == OrderStatus.DONE],
        "claims": claims, "done_form": DoneForm(), "today": today,
    })
