"""Visit campaign pages: the list of the scope's campaigns (and those of the organisations above it), planning and
editing one, its detail (coverage per visiting organisation, the preview of a draft, the status moves), the
Excel export, an organisation's task list with "record the visit" and "not visited", and undoing "not visited".

Reads go through ``VisitCampaign.objects.visible_to(request.scope)`` and ``services.own_tasks(request.scope)``: a
campaign or task outside the scope answers 404. Writes are the services' (``yinfa.care.services.campaigns``).
"""

import tempfile
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yinfa.care import campaign_rules as rules
from yinfa.care import exports_campaigns as exports
from yinfa.care.filters_campaigns import CampaignFilter, TaskFilter
from yinfa.care.forms_campaigns import CampaignForm, ConfirmForm, SkipForm
from yinfa.care.models import CampaignStatus, TaskStatus, VisitCampaign, VisitKind
from yinfa.care.services import campaigns as services
from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.models import OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list

PAGE_SIZE = 50
TASK_PAGE_SIZE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_BADGES = {CampaignStatus.DRAFT: "text-bg-secondary", CampaignStatus.OPEN: "text-bg-primary",
                 CampaignStatus.CLOSED: "text-bg-dark"}
TASK_BADGES = {TaskStatus.PENDING: "text-bg-warning", TaskStatus.DONE: "text-bg-success",
               TaskStatus.SKIPPED: "text-bg-secondary"}


# --- helpers ------------------------------------------------------------------------------------------------------

def get_campaign(request, pk):
    return get_object_or_404(VisitCampaign.objects.visible_to(request.scope).select_related("node"), pk=pk)


def require_planner(request, campaign=None):
    if not services.can_plan(request.scope) or (campaign is not None
                                                and not services.manages(request.scope, campaign)):
        raise PermissionDenied


def optional_url(name, *args, query=None):
    """The URL of a page of another part of the care app ('' while that part is not built)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(query)}" if query else url


def decorate(campaign, today):
    """Display values: days left to the due date, overdue, the status badge."""
    campaign.days_left = (campaign.due_on - today).days
    campaign.days_overdue = max(0, -campaign.days_left)
    campaign.overdue = campaign.status == CampaignStatus.OPEN and campaign.days_left < 0
    campaign.badge = STATUS_BADGES.get(campaign.status, "text-bg-light")
    campaign.description = rules.describe(campaign.criteria or {})
    visited_by = (campaign.criteria or {}).get("visited_by")
    campaign.visited_by_label = rules.VisitedBy(visited_by).label if visited_by in rules.VisitedBy.values else ""
    if hasattr(campaign, "planned"):
        campaign.percent = services.rate(campaign.done, campaign.planned)
        campaign.pending = campaign.planned - campaign.done - campaign.skipped
    return campaign


def scope_node(request):
    return OrgNode.objects.get(pk=request.scope.node_id)


# --- list ---------------------------------------------------------------------------------------------------------

@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def campaign_list(request):
    scope = request.scope
    filterset = CampaignFilter(request.GET, scope=scope)
    own = Q(tasks__assignee_path__startswith=scope.path)
    campaigns = filterset.results().select_related("node").annotate(
        planned=Count("tasks", filter=own), done=Count("tasks", filter=own & Q(tasks__status=TaskStatus.DONE)),
        skipped=Count("tasks", filter=own & Q(tasks__status=TaskStatus.SKIPPED)))
    page = keyset_page(campaigns, before=request.GET.get("before"), size=PAGE_SIZE, field="due_on")
    today = timezone.localdate()
    rows = [decorate(c, today) for c in page.rows]
    for campaign in rows:
        campaign.supervised = services.supervises(scope, campaign)
    context = {"filter": filterset, "campaigns": rows, "next_url": next_page_url(request, page),
               "filtered": filterset.is_filtered, "can_plan": services.can_plan(scope),
               "is_first_page": not request.GET.get("before")}
    return render_list(request, "care/campaigns/list.html", context)


# --- plan and edit ------------------------------------------------------------------------------------------------

def form_page(request, form, *, campaign=None):
    picked = None
    if form.is_bound and form.is_valid():
        picked = form.cleaned_data.get("node")
    elif campaign is not None:
        picked = campaign.node
    elif not form.is_bound:
        picked = scope_node(request)
    today = timezone.localdate()
    return render(request, "care/campaigns/form.html", {
        "form": form, "campaign": campaign, "picked": picked, "festivals": rules.upcoming_festivals(today),
        "locked": getattr(form, "locked", False),
        "cancel_url": reverse("care:campaign_detail", args=[campaign.pk]) if campaign
        else reverse("care:campaign_list"),
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def campaign_create(request):
    require_planner(request)
    nodes = OrgNode.objects.visible_to(request.scope)
    if request.method == "POST":
        form = CampaignForm(request.POST, nodes=nodes)
        if form.is_valid():
            try:
                campaign = services.create_campaign(actor=request.user, scope=request.scope,
                                                    node=form.cleaned_data["node"], values=form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The campaign is planned as a draft. Check the preview, then open it."))
                return redirect("care:campaign_detail", pk=campaign.pk)
    else:
        today = timezone.localdate()
        festival = request.GET.get("festival") if request.GET.get("festival") in rules.LUNAR_FESTIVALS else (
            rules.Festival.SPRING)
        form = CampaignForm(nodes=nodes, initial={
            "node": request.scope.node_id, "festival": festival, "year": rules.default_year(festival, today),
            "groups": [rules.Group.LIXIU, rules.Group.DEPENDENT, rules.Group.ALONE_AGED],
            "alone_age": rules.DEFAULT_ALONE_AGE, "age": rules.DEFAULT_AGE, "visited_by": rules.VisitedBy.UNIT})
    return form_page(request, form)


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def campaign_edit(request, pk):
    campaign = get_campaign(request, pk)
    require_planner(request, campaign)
    if campaign.status == CampaignStatus.CLOSED:
        messages.error(request, _("The campaign is closed: reopen it to change it."))
        return redirect("care:campaign_detail", pk=campaign.pk)
    locked = campaign.status == CampaignStatus.OPEN
    nodes = OrgNode.objects.filter(pk=campaign.node_id)
    initial = CampaignForm.initial_from(campaign)
    if request.method == "POST":
        form = CampaignForm(request.POST, nodes=nodes, locked=locked, initial=initial)
        if form.is_valid():
            try:
                services.update_campaign(actor=request.user, scope=request.scope, campaign=campaign,
                                         values=form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The campaign is saved."))
                return redirect("care:campaign_detail", pk=campaign.pk)
    else:
        form = CampaignForm(nodes=nodes, locked=locked, initial=initial)
    return form_page(request, form, campaign=campaign)


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def campaign_delete(request, pk):
    campaign = get_campaign(request, pk)
    require_planner(request, campaign)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.delete_campaign(actor=request.user, scope=request.scope, campaign=campaign)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("care:campaign_detail", pk=campaign.pk)
        messages.success(request, _("The draft “%(title)s” is deleted.") % {"title": campaign.title})
        return redirect("care:campaign_list")
    return render(request, "care/campaigns/confirm.html", {
        "campaign": decorate(campaign, timezone.localdate()), "form": form, "action": "delete",
        "post_url": reverse("care:campaign_delete", args=[campaign.pk])})


# --- detail, status moves, roster ---------------------------------------------------------------------------------

@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def campaign_detail(request, pk):
    scope = request.scope
    campaign = decorate(get_campaign(request, pk), timezone.localdate())
    sort = request.GET.get("sort") if request.GET.get("sort") in services.SORTS else "name"
    supervised = services.supervises(scope, campaign)
    manage = services.manages(scope, campaign)
    preview = None
    if campaign.status == CampaignStatus.DRAFT and supervised:
        preview = services.campaign_preview(campaign)
    figures = services.coverage(campaign, scope, sort=sort)
    own_row = next((row for row in figures.rows if row.node_id == scope.node_id), None)
    return render(request, "care/campaigns/detail.html", {
        "campaign": campaign, "coverage": figures, "sort": sort, "supervised": supervised, "can_manage": manage,
        "moves": services.moves(scope, campaign), "preview": preview, "own_row": own_row,
        "can_edit": manage and campaign.status != CampaignStatus.CLOSED,
        "can_delete": manage and campaign.status == CampaignStatus.DRAFT,
        "can_redraw": manage and campaign.status == CampaignStatus.OPEN,
    })


MOVE_SERVICES = {"open": services.open_campaign, "close": services.close_campaign,
                 "reopen": services.reopen_campaign}
MOVE_TARGETS = {"open": (CampaignStatus.DRAFT, CampaignStatus.OPEN),
                "close": (CampaignStatus.OPEN, CampaignStatus.CLOSED),
                "reopen": (CampaignStatus.CLOSED, CampaignStatus.OPEN)}


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def campaign_transition(request, pk):
    """GET ``?move=open|close|reopen``: the confirmation (with the preview before opening); POST: the move."""
    campaign = get_campaign(request, pk)
    require_planner(request, campaign)
    move = request.POST.get("move") or request.GET.get("move")
    if move not in MOVE_SERVICES:
        raise Http404
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = MOVE_SERVICES[move](actor=request.user, scope=request.scope, campaign=campaign)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if move == "open":
                messages.success(request, _("The campaign is open: %(count)s people to visit. Each visiting "
                                            "organisation is notified.") % {"count": result})
            elif move == "close":
                messages.success(request, _("The campaign is closed. Its lists can no longer change."))
            else:
                messages.success(request, _("The campaign is open again."))
        return redirect("care:campaign_detail", pk=campaign.pk)
    frm, _to = MOVE_TARGETS[move]
    context = {"campaign": decorate(campaign, timezone.localdate()), "form": form, "action": move,
               "allowed": campaign.status == frm,
               "post_url": reverse("care:campaign_transition", args=[campaign.pk])}
    if move == "open" and context["allowed"]:
        context["preview"] = services.campaign_preview(campaign)
    if move == "close":
        context["pending"] = campaign.tasks.filter(status=TaskStatus.PENDING).count()
    return render(request, "care/campaigns/confirm.html", context)


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def campaign_redraw(request, pk):
    """Draw the roster of an open campaign again: the newcomers (not yet on it) get their task."""
    campaign = get_campaign(request, pk)
    require_planner(request, campaign)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.redraw_roster(actor=request.user, scope=request.scope, campaign=campaign)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if added:
                messages.success(request, _("%(count)s people added to the campaign; their organisations are "
                                            "notified.") % {"count": added})
            else:
                messages.info(request, _("Nobody new matches the criteria: the roster is unchanged."))
        return redirect("care:campaign_detail", pk=campaign.pk)
    allowed = campaign.status == CampaignStatus.OPEN
    return render(request, "care/campaigns/confirm.html", {
        "campaign": decorate(campaign, timezone.localdate()), "form": form, "action": "redraw", "allowed": allowed,
        "preview": services.campaign_preview(campaign, newcomers_only=True) if allowed else None,
        "post_url": reverse("care:campaign_redraw", args=[campaign.pk])})


# --- export -------------------------------------------------------------------------------------------------------

@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def campaign_export(request, pk):
    """``?part=coverage`` (default) or ``?part=tasks`` (with the task list's filters), audited."""
    campaign = get_campaign(request, pk)
    part = "tasks" if request.GET.get("part") == "tasks" else "coverage"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "campaign.xlsx"
        if part == "coverage":
            rows = exports.write_coverage(path, campaign, services.coverage(campaign, request.scope))
            filters = {}
        else:
            filterset = TaskFilter(request.GET, queryset=services.own_tasks(request.scope).filter(campaign=campaign),
                                   scope=request.scope)
            tasks = (filterset.results().select_related("person", "assignee")
                     .only("pk", "status", "reason", "done_on", "person__name", "assignee__name")
                     .order_by("assignee_path", "person__name_pinyin", "pk")[: exports.TASK_EXPORT_LIMIT])
            rows = exports.write_tasks(path, tasks.iterator(chunk_size=2000))
            filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
        content = path.read_bytes()
    services.record_export(actor=request.user, scope=request.scope, campaign=campaign, part=part, filters=filters,
                           rows=rows)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (f'attachment; filename="campaign-{campaign.pk}-{part}-'
                                       f'{timezone.localdate():%Y%m%d}.xlsx"')
    return response


# --- an organisation's tasks --------------------------------------------------------------------------------------

def decorate_task(task, campaign, scope, today):
    task.badge = TASK_BADGES.get(task.status, "text-bg-light")
    task.overdue = task.status == TaskStatus.PENDING and today > campaign.due_on
    acting = campaign.status == CampaignStatus.OPEN and services.works_on(scope, task)
    task.can_act = acting
    visit = getattr(task, "visit", None) if task.status == TaskStatus.DONE else None
    task.visit_url = optional_url("care:visit_detail", visit.pk) if visit is not None else ""
    task.record_url = optional_url("care:visit_create", query={
        "task": task.pk, "person": task.person_id, "kind": VisitKind.FESTIVAL}) if acting and (
        task.status != TaskStatus.DONE) else ""
    return task


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def campaign_unit(request, pk):
    """The tasks of one visiting organisation (``?unit=``), or of all the scope's organisations."""
    scope = request.scope
    campaign = decorate(get_campaign(request, pk), timezone.localdate())
    tasks = services.own_tasks(scope).filter(campaign=campaign)
    filterset = TaskFilter(request.GET, queryset=tasks, scope=scope)
    if request.GET.get("unit") and not filterset.is_valid() and "unit" in filterset.form.errors:
        raise Http404
    unit = filterset.form.cleaned_data.get("unit") if filterset.is_valid() else None
    base = tasks.filter(assignee=unit) if unit is not None else tasks
    counts = base.aggregate(planned=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE)),
                            skipped=Count("pk", filter=Q(status=TaskStatus.SKIPPED)))
    counts["pending"] = counts["planned"] - counts["done"] - counts["skipped"]
    counts["percent"] = services.rate(counts["done"], counts["planned"])
    rows = filterset.results().select_related("person", "assignee", "visit").only(
        "pk", "campaign_id", "person_id", "assignee_id", "assignee_path", "status", "reason", "done_on",
        "person__name", "assignee__name", "visit__id", "visit__task_id")
    page = keyset_page(rows, before=request.GET.get("before"), size=TASK_PAGE_SIZE, field="id")
    today = timezone.localdate()
    query = {k: v for k, v in request.GET.items() if k in ("unit", "status", "q") and v}
    context = {
        "campaign": campaign, "unit": unit, "filter": filterset, "counts": counts,
        "tasks": [decorate_task(t, campaign, scope, today) for t in page.rows],
        "next_url": next_page_url(request, page), "is_first_page": not request.GET.get("before"),
        "statuses": TaskStatus.choices, "query": query, "export_query": urlencode({**query, "part": "tasks"}),
        "unit_query": urlencode({"unit": unit.pk}) if unit is not None else "",
    }
    return render_list(request, "care/campaigns/unit.html", context)


def get_task(request, pk):
    tasks = services.own_tasks(request.scope).select_related("campaign", "person", "assignee")
    return get_object_or_404(tasks, pk=pk)


def back_to_list(task):
    return redirect(f"{reverse('care:campaign_unit', args=[task.campaign_id])}?unit={task.assignee_id}")


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def task_skip(request, pk):
    """Mark a person "not visited" with a reason."""
    task = get_task(request, pk)
    if request.method == "POST":
        form = SkipForm(request.POST)
        if form.is_valid():
            try:
                services.skip_task(actor=request.user, scope=request.scope, task=task, reason=form.reason())
            except ValidationError as exc:
                add_service_errors(form, exc, rename={"reason": "detail"})
            else:
                messages.success(request, _("%(name)s is marked “not visited”.") % {"name": task.person.name})
                return back_to_list(task)
    else:
        form = SkipForm()
    return render(request, "care/campaigns/skip.html", {
        "task": task, "form": form, "open": task.campaign.status == CampaignStatus.OPEN,
        "allowed": services.works_on(request.scope, task) and task.status == TaskStatus.PENDING})


@module("care")
@require_POST
@scope_checked(Perm.CARE_MANAGE)
def task_unskip(request, pk):
    """Undo "not visited": the person is to visit again."""
    task = get_task(request, pk)
    try:
        services.unskip_task(actor=request.user, scope=request.scope, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is to visit again.") % {"name": task.person.name})
    return back_to_list(task)
