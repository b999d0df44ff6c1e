"""Order pages for staff: the needs list (需求清单) with its statistics and Excel export, the overdue list, placing
an order for a retiree (staff or family; from a visit), and the order page.

Reads go through ``visible_orders`` (staff: the scope's orders; a volunteer: those assigned to them and those they
placed; in the retiree role, the retiree's own): an order outside it answers 404. Writes are the services'
(``services.orders``).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list
from yinfa.core.workdays import WorkCalendar
from yinfa.needs import exports_orders, filters_orders, sla
from yinfa.needs.filters_orders import OrderFilter, statistics
from yinfa.needs.forms_orders import StaffOrderForm
from yinfa.needs.models import OrderChannel, Resource, ServiceOrder, ServiceProject
from yinfa.needs.services import orders as services
from yinfa.needs.services.order_overdue import overdue_orders, with_lateness
from yinfa.needs.services.resources import menu_for_person, record_export

PAGE_SIZE = 50
PROVIDER_SELECT_LIMIT = 300
OVERDUE_LIMIT = 500
PERSON_SEARCH_LIMIT = 20
LIST_RELATED = ("person__community", "item", "provider", "handler")


# --- helpers shared by the order views ------------------------------------------------------------------------

def visible_orders(request):
    """The orders the role in use may open (see ``filters_orders.visible_orders``)."""
    return filters_orders.visible_orders(request.scope, request.user)


def get_order(request, pk):
    return get_object_or_404(visible_orders(request).select_related(
        "person__community", "person__unit", "item", "provider", "assignee", "handler", "project", "ordered_by",
        "source_visit"), pk=pk)


def is_retiree_view(request, order):
    """The retiree opening their own order in the retiree role: their own large page."""
    scope = request.scope
    return (scope.has(Perm.SELF_SERVICE) and not scope.has(Perm.CARE_VIEW)
            and order.person.account_id == request.user.pk)


def can_place_orders(scope):
    return scope.has(Perm.CARE_MANAGE) or scope.has(Perm.SERVICE_FULFIL)


def provider_options(request):
    providers = list(Resource.objects.visible_to(request.scope).only("pk", "provider_name")
                     .order_by("provider_name", "pk")[: PROVIDER_SELECT_LIMIT + 1])
    return None if len(providers) > PROVIDER_SELECT_LIMIT else providers


def decorate(order, today, calendar):
    order.lateness = sla.lateness(order, today, calendar) if order.is_open else []
    return order


# --- the needs list -------------------------------------------------------------------------------------------

@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def order_list(request):
    filterset = OrderFilter(request.GET, scope=request.scope)
    results = filterset.results()
    page = keyset_page(results.select_related(*LIST_RELATED), before=request.GET.get("before"), size=PAGE_SIZE)
    today, calendar = timezone.localdate(), WorkCalendar.load()
    first_page = not request.GET.get("before")
    context = {
        "filter": filterset, "orders": [decorate(o, today, calendar) for o in page.rows],
        "next_url": next_page_url(request, page), "is_first_page": first_page,
        "stats": statistics(results) if first_page else None, "providers": provider_options(request),
        "filtered": filterset.is_filtered, "can_order": can_place_orders(request.scope),
        "export_query": request.GET.urlencode(),
    }
    return render_list(request, "needs/orders/list.html", context, more=not first_page)


@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def order_export(request):
    filterset = OrderFilter(request.GET, scope=request.scope)
    response, rows = exports_orders.orders_workbook(filterset.results())
    filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
    record_export(actor=request.user, scope=request.scope, model=ServiceOrder, personal_data=True,
                  title=_("Needs list of %(node)s") % {"node": request.scope.node_name}, filters=filters, rows=rows)
    return response


@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def order_overdue(request):
    today, calendar = timezone.localdate(), WorkCalendar.load()
    orders = overdue_orders(ServiceOrder.objects.visible_to(request.scope), today, calendar).select_related(
        *LIST_RELATED)
    rows = list(orders[: OVERDUE_LIMIT + 1])
    return render(request, "needs/orders/overdue.html", {
        "orders": with_lateness(rows[:OVERDUE_LIMIT], today, calendar), "more": len(rows) > OVERDUE_LIMIT,
        "limit": OVERDUE_LIMIT, "today": today,
    })


# --- placing an order for a retiree ---------------------------------------------------------------------------

def _visit(request):
    """The visit an order is turned from (``?visit=``): its notes are care records, read only with CARE_VIEW."""
    wanted = request.GET.get("visit") or request.POST.get("visit")
    if not wanted:
        return None
    if not request.scope.has(Perm.CARE_VIEW):
        raise PermissionDenied
    if not str(wanted).isdigit():
        raise Http404
    from yinfa.care.models import Visit

    visits = Visit.objects.visible_to(request.scope).select_related("person__community", "person__unit")
    return get_object_or_404(visits, pk=int(wanted))


def _orderable(request):
    """Whom the role in use may order for: staff, anyone of the scope; a volunteer, the people they serve."""
    return services.orderable_people(request.scope, request.user)


def _person(request):
    wanted = request.GET.get("person") or request.POST.get("person")
    if not wanted:
        return None
    if not str(wanted).isdigit():
        raise Http404
    return get_object_or_404(_orderable(request).select_related("community", "unit"), pk=int(wanted))


def _person_search(request):
    """People matching ``?q=`` among those the role may order for; a volunteer without a query sees theirs."""
    text = (request.GET.get("q") or "").strip()
    people = _orderable(request).alive()
    if text:
        people = people.filter(Q(name__icontains=text) | Q(name_initials__icontains=text.lower())
                               | Q(name_pinyin__icontains=text.lower()))
    elif request.scope.has(Perm.CARE_MANAGE):
        return text, []
    people = (people.select_related("community", "unit").only("pk", "name", "community__name", "unit__name")
              .order_by("name_pinyin", "pk")[:PERSON_SEARCH_LIMIT])
    return text, list(people)


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked()
def order_create(request):
    """Staff or a volunteer places an order for a retiree (``?person=``), for family on the phone, or, with
    CARE_VIEW, from a visit (``?visit=``: the person and what they need are filled in, the visit is linked). A
    volunteer orders only for the people they serve (their open care assignments, the orders assigned to them)."""
    if not can_place_orders(request.scope):
        raise PermissionDenied
    visit = _visit(request)
    person = visit.person if visit is not None else _person(request)
    if person is None:
        text, found = _person_search(request)
        return render(request, "needs/orders/pick_person.html", {"query": text, "found": found,
                                                                 "limit": PERSON_SEARCH_LIMIT})
    items = menu_for_person(person).filter(active=True).order_by("category", "name", "pk")
    projects = ServiceProject.objects.visible_to(request.scope).active().order_by("title", "pk")
    if request.method == "POST":
        form = StaffOrderForm(request.POST, items=items, projects=projects, visit=visit)
        if form.is_valid():
            try:
                order = services.create_order(actor=request.user, scope=request.scope, person=person,
                                              item=form.cleaned_data["item"], channel=form.cleaned_data["channel"],
                                              values=form.values(visit))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The order is placed. %(handler)s is asked to accept it by %(day)s.")
                                 % {"handler": order.handler.name, "day": order.accept_by.isoformat()})
                return redirect("needs:order_detail", pk=order.pk)
    else:
        initial = {}
        if visit is not None:
            initial = {"channel": OrderChannel.VISIT,
                       "details": "\n".join(t for t in (visit.needs, visit.feedback) if t)}
        form = StaffOrderForm(initial=initial, items=items, projects=projects, visit=visit)
    return render(request, "needs/orders/create.html", {"form": form, "person": person, "visit": visit,
                                                        "has_items": items.exists()})


# --- the order page -------------------------------------------------------------------------------------------

@module("needs")
@require_GET
@scope_checked()
def order_detail(request, pk):
    order = get_order(request, pk)
    today, calendar = timezone.localdate(), WorkCalendar.load()
    decorate(order, today, calendar)
    context = {
        "order": order,
        "steps": list(order.steps.select_related("actor").order_by("at", "pk")),
        "actions": services.allowed_actions(order, actor=request.user, scope=request.scope),
        "weekdays_only": sla.weekdays_only_years(order, calendar),
        "today": today,
    }
    if is_retiree_view(request, order):
        return render(request, "needs/self/order.html", context)
    return render(request, "needs/orders/detail.html", context)
