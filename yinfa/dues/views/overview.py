"""The dues overview (branches of the scope with this year's figures), the arrears list and the scope-by-month
report, with their Excel exports. Branches are read through ``Branch.objects.visible_to``; figures are
computed for the page's branches only, in a constant number of queries."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core.access import scope_checked
from yinfa.core.models import OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.dues import exports
from yinfa.dues.models import DuesPayment
from yinfa.dues.reports import scope_report
from yinfa.dues.rules import ESCALATION_MONTHS, WARNING_MONTHS
from yinfa.dues.selectors import BranchFigures, arrears, branch_figures
from yinfa.dues.services.exports import record_export
from yinfa.dues.views.common import get_node, year_param, years
from yinfa.partylife.models import Branch

PAGE_SIZE = 50
ARREARS_BRANCH_LIMIT = 3000
SORTS = {
    "-months": lambda row: (-row.count, row.name_pinyin or row.name),
    "months": lambda row: (row.count, row.name_pinyin or row.name),
    "name": lambda row: (row.name_pinyin or row.name, row.person_id),
    "since": lambda row: (row.oldest, row.name_pinyin or row.name),
}


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def home(request):
    """The branches of the scope with this year's figures; a branch secretary goes straight to the branch."""
    scope = request.scope
    if Branch.objects.visible_to(scope).filter(pk=scope.node_id).exists():
        return redirect("dues:branch", pk=scope.node_id)
    year, today = year_param(request), timezone.localdate()
    query = request.GET.get("q", "").strip()
    branches = Branch.objects.visible_to(scope).select_related("node", "node__parent").order_by("path")
    if query:
        branches = branches.filter(node__name__icontains=query)
    page = Paginator(branches, PAGE_SIZE).get_page(request.GET.get("page"))
    figures = branch_figures([branch.pk for branch in page], year, today)
    for branch in page:
        branch.figures = figures.get(branch.pk) or BranchFigures()
    totals = BranchFigures()
    for figure in figures.values():
        for name in ("members", "due", "paid", "arrears_warning", "arrears_escalated"):
            setattr(totals, name, getattr(totals, name) + getattr(figure, name))
    return render(request, "dues/home.html", {
        "page": page, "year": year, "years": years(year), "query": query, "totals": totals,
        "is_this_year": year == today.year, "warning_months": WARNING_MONTHS,
        "escalation_months": ESCALATION_MONTHS,
    })


# --- arrears -------------------------------------------------------------------------------------------------

def arrears_context(request):
    scope, today = request.scope, timezone.localdate()
    node = get_node(request)
    minimum = ESCALATION_MONTHS if request.GET.get("min") == str(ESCALATION_MONTHS) else WARNING_MONTHS
    sort = request.GET.get("sort", "-months")
    sort = sort if sort in SORTS else "-months"
    branches = dict(Branch.objects.visible_to(scope).filter(path__startswith=node.path)
                    .values_list("pk", "node__name")[: ARREARS_BRANCH_LIMIT + 1])
    too_many = len(branches) > ARREARS_BRANCH_LIMIT
    rows = [] if too_many else arrears(branch_ids=list(branches), today=today, min_months=minimum)
    rows.sort(key=SORTS[sort])
    for row in rows:
        row.branch_name = branches.get(row.branch_id, "")
    return {"node": node, "rows": rows, "branch_names": branches, "too_many": too_many, "minimum": minimum,
            "sort": sort, "limit": ARREARS_BRANCH_LIMIT, "warning_months": WARNING_MONTHS,
            "escalation_months": ESCALATION_MONTHS, "is_scope_node": node.pk == scope.node_id}


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def arrears_list(request):
    context = arrears_context(request)
    children = []
    if context["too_many"]:
        children = list(OrgNode.objects.visible_to(request.scope).filter(parent=context["node"])
                        .order_by("sort_order", "name")[:200])
    return render(request, "dues/arrears.html", {**context, "children": children})


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def arrears_export(request):
    context = arrears_context(request)
    content = exports.arrears_workbook(context["rows"], context["branch_names"])
    title = _("Dues arrears: %(node)s") % {"node": context["node"].name}
    record_export(actor=request.user, scope=request.scope, title=title, object_type="dues.arrears",
                  filters={"node": context["node"].pk, "min": context["minimum"]}, rows=len(context["rows"]),
                  personal_data=True)
    stamp = timezone.localdate().isoformat()
    return exports.download(content, f"dues-arrears-{stamp}.xlsx")


# --- the scope-by-month report --------------------------------------------------------------------------------

def report_context(request):
    node, year = get_node(request), year_param(request)
    report = scope_report(node=node, year=year, today=timezone.localdate(), scope=request.scope)
    return {"report": report, "node": node, "year": year, "years": years(year),
            "up": node.parent_id if node.pk != request.scope.node_id else None,
            "is_branch": node.kind == OrgKind.BRANCH}


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def report(request):
    context = report_context(request)
    return render(request, "dues/report.html", context)


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def report_export(request):
    context = report_context(request)
    report_ = context["report"]
    title = _("Party dues by month: %(node)s %(year)s") % {"node": report_.node.name, "year": report_.year}
    record_export(actor=request.user, scope=request.scope, title=title, object_type=DuesPayment._meta.label_lower,
                  filters={"node": report_.node.pk, "year": report_.year}, rows=len(report_.rows),
                  personal_data=False)
    return exports.download(exports.report_workbook(report_), f"dues-report-{report_.year}.xlsx")
