"""Pages of the resource list (资源清单), the service menu and the project list (项目清单): lists with filters,
the resource list's Excel export, entry and editing by staff with CARE_MANAGE, and a project's page with the count
and average rating of its orders. Reads go through ``visible_to(request.scope)`` (outside: 404); a project's figures
count only the orders of the scope (a county's project seen from a community: that community's orders)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list
from yinfa.needs import exports_orders
from yinfa.needs.filters_orders import project_figures
from yinfa.needs.filters_resources import MenuFilter, ProjectFilter, ResourceFilter
from yinfa.needs.forms_resources import (
    ItemForm,
    ProjectForm,
    ResourceForm,
    item_initial,
    project_initial,
    resource_initial,
)
from yinfa.needs.models import (
    ProviderKind,
    Resource,
    ServiceCategory,
    ServiceItem,
    ServiceOrder,
    ServiceProject,
)
from yinfa.needs.services import resources as services
from yinfa.needs.suggestions import talents
from yinfa.people.models import Person

PAGE_SIZE = 50
PROJECT_ORDERS = 50


def can_manage(request):
    return request.scope.has(Perm.CARE_MANAGE)


# --- the resource list ----------------------------------------------------------------------------------------

@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def resource_list(request):
    filterset = ResourceFilter(request.GET, scope=request.scope)
    rows = filterset.results().select_related("node", "community", "provider_user", "provider_person")
    page = keyset_page(rows, before=request.GET.get("before"), size=PAGE_SIZE)
    labels = dict(ServiceCategory.choices)
    for resource in page.rows:
        resource.category_labels = [labels.get(c, c) for c in resource.categories or []]
    return render_list(request, "needs/resources/list.html", {
        "filter": filterset, "resources": page.rows, "next_url": next_page_url(request, page),
        "is_first_page": not request.GET.get("before"), "filtered": filterset.is_filtered,
        "can_manage": can_manage(request), "export_query": request.GET.urlencode(),
    })


@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def resource_export(request):
    filterset = ResourceFilter(request.GET, scope=request.scope)
    response, rows = exports_orders.resources_workbook(filterset.results())
    filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
    services.record_export(actor=request.user, scope=request.scope, model=Resource, filters=filters, rows=rows,
                           title=_("Resource list of %(node)s") % {"node": request.scope.node_name})
    return response


def _talent_initial(request):
    """Pre-fill from a talent suggestion (``?person=``: a retiree of the scope with specialties)."""
    wanted = request.GET.get("person", "")
    if not wanted.isdigit():
        return {}
    person = Person.objects.visible_to(request.scope).alive().filter(pk=int(wanted)).select_related(
        "community").first()
    if person is None:
        return {}
    return {"provider_kind": ProviderKind.RETIREE, "provider_person": person.pk, "provider_name": person.name,
            "skills": " ".join(person.specialties.split())[:200], "offer": person.specialties[:200],
            "community": person.community_id}


def _resource_form(request, *, resource=None):
    scope = request.scope
    if request.method == "POST":
        form = ResourceForm(request.POST, scope=scope)
        if form.is_valid():
            try:
                saved = services.save_resource(actor=request.user, scope=scope, values=form.values(),
                                               resource=resource)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” is saved in the resource list.")
                                 % {"name": saved.provider_name})
                return redirect("needs:resource_list")
    else:
        initial = resource_initial(resource) if resource else {"node": scope.node_id, "active": True}
        if resource is None:
            initial.update(_talent_initial(request))
        form = ResourceForm(initial=initial, scope=scope)
    text = (request.GET.get("talent") or "").strip()
    return render(request, "needs/resources/form.html", {
        "form": form, "resource": resource, "talents": talents(scope, text), "talent_query": text,
        "retiree_kind": ProviderKind.RETIREE,
    })


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def resource_create(request):
    return _resource_form(request)


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def resource_edit(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.scope).select_related("node"), pk=pk)
    if not request.scope.contains_path(resource.node_path):
        raise PermissionDenied  # an entry kept above the scope is seen, not edited
    return _resource_form(request, resource=resource)


# --- the service menu -----------------------------------------------------------------------------------------

@module("needs")
@require_GET
@scope_checked()
def menu(request):
    scope = request.scope
    if not (scope.has(Perm.CARE_VIEW) or scope.has(Perm.SERVICE_FULFIL)):
        if scope.has(Perm.SELF_SERVICE):
            return redirect("needs:self_home")
        raise PermissionDenied
    filterset = MenuFilter(request.GET, scope=scope)
    items = list(filterset.results().select_related("node").order_by("category", "name", "pk")[:1000])
    return render(request, "needs/resources/menu.html", {
        "filter": filterset, "items": items, "filtered": filterset.is_filtered, "can_manage": can_manage(request),
    })


def _item_form(request, *, item=None):
    if request.method == "POST":
        form = ItemForm(request.POST, scope=request.scope)
        if form.is_valid():
            try:
                saved = services.save_item(actor=request.user, scope=request.scope, values=form.values(), item=item)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” is saved on the menu.") % {"name": saved.name})
                return redirect("needs:menu")
    else:
        form = ItemForm(initial=item_initial(item) if item else {"node": request.scope.node_id}, scope=request.scope)
    return render(request, "needs/resources/item_form.html", {"form": form, "item": item})


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def menu_create(request):
    return _item_form(request)


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def menu_edit(request, pk):
    item = get_object_or_404(ServiceItem.objects.visible_to(request.scope), pk=pk)
    if not request.scope.contains_path(item.node_path):
        raise PermissionDenied
    return _item_form(request, item=item)


# --- the project list -----------------------------------------------------------------------------------------

@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def project_list(request):
    filterset = ProjectFilter(request.GET, scope=request.scope)
    projects = project_figures(filterset.results().select_related("node", "item", "provider"), request.scope)
    page = keyset_page(projects, before=request.GET.get("before"), size=PAGE_SIZE)
    return render_list(request, "needs/resources/projects.html", {
        "filter": filterset, "projects": page.rows, "next_url": next_page_url(request, page),
        "is_first_page": not request.GET.get("before"), "filtered": filterset.is_filtered,
        "can_manage": can_manage(request),
    })


@module("needs")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def project_detail(request, pk):
    projects = project_figures(ServiceProject.objects.visible_to(request.scope).select_related(
        "node", "item", "provider"), request.scope)
    project = get_object_or_404(projects, pk=pk)
    orders = list(ServiceOrder.objects.visible_to(request.scope).filter(project=project)
                  .select_related("person", "item").order_by("-created_at", "-pk")[:PROJECT_ORDERS])
    return render(request, "needs/resources/project_detail.html", {
        "project": project, "orders": orders, "can_manage": can_manage(request)
        and request.scope.contains_path(project.node_path),
    })


def _project_form(request, *, project=None):
    if request.method == "POST":
        form = ProjectForm(request.POST, scope=request.scope)
        if form.is_valid():
            try:
                saved = services.save_project(actor=request.user, scope=request.scope, values=form.values(),
                                              project=project)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The project “%(title)s” is saved.") % {"title": saved.title})
                return redirect("needs:project_detail", pk=saved.pk)
    else:
        initial = project_initial(project) if project else {"node": request.scope.node_id}
        form = ProjectForm(initial=initial, scope=request.scope)
    return render(request, "needs/resources/project_form.html", {"form": form, "project": project})


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def project_create(request):
    return _project_form(request)


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def project_edit(request, pk):
    project = get_object_or_404(ServiceProject.objects.visible_to(request.scope), pk=pk)
    if not request.scope.contains_path(project.node_path):
        raise PermissionDenied
    return _project_form(request, project=project)
