"""The organisation tree: a lazily loaded tree, search by name, the node card and the edits of the tree.

The tree never loads more than one level of one node per request (a province holds 100,000 nodes):
each request runs a constant number of queries whatever the number of children.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import CloseForm, MoveForm, NodeEditForm, NodeForm, add_service_errors
from yinfa.core.history import object_history
from yinfa.core.models import OrgKind, OrgNode, RoleGrant, UnitKind
from yinfa.core.permissions import Perm
from yinfa.core.services import org as org_services
from yinfa.core.views.home import module

CHILDREN_PAGE = 200  # children listed per level before "show more"
SEARCH_LIMIT = 50
HISTORY_LIMIT = 20
HOLDERS_LIMIT = 20
# The form fields that search results may fill in (radio buttons of that name).
PICK_FIELDS = {"new_parent", "node"}
NODE_FIELD_LABELS = {f.name: f.verbose_name for f in OrgNode._meta.fields}
NODE_CHOICE_LABELS = {"kind": dict(OrgKind.choices), "unit_kind": dict(UnitKind.choices)}


def as_int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def visible_nodes(request):
    return OrgNode.objects.visible_to(request.scope)


def get_node(request, pk):
    """A node of the scope's subtree, or 404."""
    return get_object_or_404(visible_nodes(request), pk=pk)


def show_closed_wanted(request):
    return request.GET.get("show_closed") == "1"


def children_page(request, parent, *, show_closed, after_pk=None):
    """One page of ``parent``'s children in (sort order, name, id) order: keyset after ``after_pk``."""
    children = visible_nodes(request).filter(parent=parent)
    if not show_closed:
        children = children.open_on()
    if after_pk is not None:
        cursor = visible_nodes(request).filter(parent=parent, pk=after_pk).values("sort_order", "name", "pk").first()
        if cursor is None:
            raise Http404
        children = children.filter(
            Q(sort_order__gt=cursor["sort_order"])
            | Q(sort_order=cursor["sort_order"], name__gt=cursor["name"])
            | Q(sort_order=cursor["sort_order"], name=cursor["name"], pk__gt=cursor["pk"])
        )
    rows = list(children.order_by("sort_order", "name", "pk")[: CHILDREN_PAGE + 1])
    return rows[:CHILDREN_PAGE], len(rows) > CHILDREN_PAGE


def ancestors_in_scope(request, node):
    """The node's ancestors inside the scope, top first (one query)."""
    ids = node.ancestor_ids
    if not ids:
        return []
    return list(visible_nodes(request).filter(pk__in=ids).order_by("depth"))


def _tree_page(request, top, *, show_closed):
    children, has_more = children_page(request, top, show_closed=show_closed)
    return render(request, "core/org/tree.html", {
        "top": top,
        "top_ancestors": ancestors_in_scope(request, top) if top.pk != request.scope.node_id else [],
        "children": children,
        "has_more": has_more,
        "parent": top,
        "show_closed": show_closed,
        "can_manage": request.scope.has(Perm.ORG_MANAGE),
    })


@module("org")
@scope_checked(Perm.ORG_VIEW)
def tree(request):
    """The scope's top node and its children; deeper levels load on demand."""
    top = get_node(request, request.scope.node_id)
    return _tree_page(request, top, show_closed=show_closed_wanted(request))


@module("org")
@scope_checked(Perm.ORG_VIEW)
def children(request, pk):
    """One level of children (an htmx fragment); without htmx, the tree page opened at this node."""
    parent = get_node(request, pk)
    show_closed = show_closed_wanted(request)
    if not request.htmx:
        response = _tree_page(request, parent, show_closed=show_closed)
    else:
        after_pk = as_int(request.GET.get("after"))
        rows, has_more = children_page(request, parent, show_closed=show_closed, after_pk=after_pk)
        response = render(request, "core/org/tree.html#children", {
            "children": rows, "has_more": has_more, "parent": parent, "show_closed": show_closed,
            "after": after_pk,
        })
    patch_vary_headers(response, ["HX-Request"])
    return response


def search_results(request, query, *, show_closed, exclude=None):
    """Up to SEARCH_LIMIT nodes of the scope whose name contains ``query``, each with its path of
    ancestor names (all ancestors fetched in one query)."""
    nodes = visible_nodes(request).filter(name__icontains=query)
    if not show_closed:
        nodes = nodes.open_on()
    if exclude is not None:
        nodes = nodes.exclude(path__startswith=exclude.path)
    rows = list(nodes.order_by("depth", "name", "pk")[: SEARCH_LIMIT + 1])
    truncated = len(rows) > SEARCH_LIMIT
    rows = rows[:SEARCH_LIMIT]
    wanted = {pk for node in rows for pk in node.ancestor_ids}
    names = dict(visible_nodes(request).filter(pk__in=wanted).values_list("pk", "name")) if wanted else {}
    for node in rows:
        node.ancestor_names = [names[pk] for pk in node.ancestor_ids if pk in names]
    return rows, truncated


@module("org")
@scope_checked(Perm.ORG_VIEW)
def search(request):
    """Search the scope's organisations by name.

    ``?pick=<field>`` renders the results as radio buttons of that name, for forms that choose a node
    (move, role grant); ``exclude=<pk>`` leaves out that node's subtree (a node cannot move under itself).
    """
    query = request.GET.get("q", "").strip()[:60]
    pick = request.GET.get("pick", "")
    if pick and pick not in PICK_FIELDS:
        raise Http404
    show_closed = show_closed_wanted(request) and not pick
    exclude = None
    if pick and as_int(request.GET.get("exclude")):
        exclude = get_node(request, as_int(request.GET.get("exclude")))
    results, truncated = search_results(request, query, show_closed=show_closed, exclude=exclude) \
        if query else ([], False)
    context = {"q": query, "results": results, "truncated": truncated, "limit": SEARCH_LIMIT,
               "show_closed": show_closed, "pick": pick}
    if request.htmx:
        template = "core/org/search.html#pick" if pick else "core/org/search.html#results"
    else:
        template = "core/org/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _value_label(field, value):
    return NODE_CHOICE_LABELS.get(field, {}).get(value, value)


def _history(request, node):
    return object_history(request.scope, node, labels=NODE_FIELD_LABELS, value_label=_value_label,
                          skip=("parent", "path"), limit=HISTORY_LIMIT)


@module("org")
@scope_checked(Perm.ORG_VIEW)
def detail(request, pk):
    node = get_node(request, pk)
    ancestors = ancestors_in_scope(request, node)
    holders = list(
        RoleGrant.objects.visible_to(request.scope).active().filter(node=node)
        .select_related("user").order_by("role", "user__username")[: HOLDERS_LIMIT + 1]
    )
    can_manage = request.scope.has(Perm.ORG_MANAGE)
    is_scope_top = node.pk == request.scope.node_id
    return render(request, "core/org/detail.html", {
        "node": node,
        "ancestors": ancestors,
        "parent": ancestors[-1] if ancestors and ancestors[-1].pk == node.parent_id else None,
        "open_children": visible_nodes(request).filter(parent=node).open_on().count(),
        "holders": holders[:HOLDERS_LIMIT],
        "more_holders": len(holders) > HOLDERS_LIMIT,
        "can_view_accounts": request.scope.has(Perm.USER_VIEW),
        "history": _history(request, node),
        "is_scope_top": is_scope_top,
        "can_edit": can_manage,
        "can_add_child": can_manage and not node.is_closed,
        "can_move": can_manage and not is_scope_top,
        "can_close": can_manage and not is_scope_top and node.closed_on is None,
        "can_reopen": can_manage and node.closed_on is not None,
    })


@module("org")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.ORG_MANAGE)
def create(request):
    parent_pk = as_int(request.GET.get("parent")) or request.scope.node_id
    parent = get_node(request, parent_pk)
    form = NodeForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            node = org_services.create_node(actor=request.user, actor_scope=request.scope, parent=parent,
                                            **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” has been created.") % {"name": node.name})
            return redirect("core:org_detail", pk=node.pk)
    return render(request, "core/org/form.html", {"form": form, "parent": parent, "node": None})


@module("org")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.ORG_MANAGE)
def edit(request, pk):
    node = get_node(request, pk)
    form = NodeEditForm(request.POST or None, node=node)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.update_node(actor=request.user, actor_scope=request.scope, node=node, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("core:org_detail", pk=node.pk)
    return render(request, "core/org/form.html", {"form": form, "parent": None, "node": node})


@module("org")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.ORG_MANAGE)
def move(request, pk):
    node = get_node(request, pk)
    form = MoveForm(request.POST or None, queryset=visible_nodes(request))
    if request.method == "POST" and form.is_valid():
        try:
            org_services.move_node(actor=request.user, actor_scope=request.scope, node=node,
                                   new_parent=form.cleaned_data["new_parent"])
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"parent": "new_parent"})
        else:
            messages.success(request, _("“%(name)s” has been moved.") % {"name": node.name})
            return redirect("core:org_detail", pk=node.pk)
    picked = form.cleaned_data.get("new_parent") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(request, "core/org/move.html", {
        "form": form, "node": node, "ancestors": ancestors_in_scope(request, node), "picked": picked,
        "is_scope_top": node.pk == request.scope.node_id,
    })


@module("org")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.ORG_MANAGE)
def close(request, pk):
    node = get_node(request, pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org_services.close_node(actor=request.user, actor_scope=request.scope, node=node,
                                    closed_on=form.cleaned_data["closed_on"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” has been closed. It stays in the tree and in history.")
                             % {"name": node.name})
            return redirect("core:org_detail", pk=node.pk)
    return render(request, "core/org/close.html", {
        "form": form, "node": node, "is_scope_top": node.pk == request.scope.node_id,
        "open_children": visible_nodes(request).filter(parent=node).open_on().count(),
    })


@module("org")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.ORG_MANAGE)
def reopen(request, pk):
    node = get_node(request, pk)
    errors = []
    if request.method == "POST":
        try:
            org_services.reopen_node(actor=request.user, actor_scope=request.scope, node=node)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("“%(name)s” has been reopened.") % {"name": node.name})
            return redirect("core:org_detail", pk=node.pk)
    return render(request, "core/org/reopen.html", {"node": node, "errors": errors})
