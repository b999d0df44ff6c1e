"""Compliance pages: the org tree with held/expected per node (one level at a time), one branch's periods per rule,
the Excel export of a subtree, and the rules.

Reads go through ``selectors_compliance`` (scoped); a node or branch outside the scope answers 404. The tree reads
the stored ``BranchCompliance`` rows; the branch page computes its periods live with the same engine.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.exports import start_export
from yinfa.core.forms_org import add_service_errors
from yinfa.core.models import OrgKind
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife import selectors_compliance as selectors
from yinfa.partylife.exports_compliance import DIRECT_EXPORT_LIMIT, write_export
from yinfa.partylife.forms_compliance import RuleForm
from yinfa.partylife.models import Branch, BranchCompliance, BranchKind, ComplianceRule
from yinfa.partylife.services import compliance as services
from yinfa.partylife.tasks_compliance import export_compliance

ROWS_SHOWN = 500  # children of one node shown on the page; the Excel export holds every branch
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def legend():
    return [(key, selectors.Band.LABELS[key]) for key in (selectors.Band.GOOD, selectors.Band.FAIR,
                                                          selectors.Band.POOR, selectors.Band.NONE)]


def tree_url(node, year):
    return f"{reverse('partylife:compliance')}?node={node.pk}&year={year}"


@module("partylife")
@scope_checked(Perm.PARTY_VIEW)
def compliance_tree(request):
    scope = request.scope
    year = selectors.parse_year(request.GET.get("year"))
    node = selectors.node_in_scope(scope, request.GET.get("node"))
    if node is None:
        raise Http404
    if node.kind == OrgKind.BRANCH:
        return redirect(f"{reverse('partylife:compliance_branch', args=[node.pk])}?year={year}")
    order = "rate" if request.GET.get("order") == "rate" else "tree"
    summary = selectors.node_summary(scope, node, year, order=order)
    for row in summary.rows:
        row.url = (f"{reverse('partylife:compliance_branch', args=[row.node.pk])}?year={year}" if row.is_branch
                   else tree_url(row.node, year))
    return render(request, "partylife/compliance/tree.html", {
        "summary": summary, "node": node, "year": year, "years": selectors.selectable_years(), "order": order,
        "rows": summary.rows[:ROWS_SHOWN], "rows_cut": len(summary.rows) > ROWS_SHOWN, "rows_shown": ROWS_SHOWN,
        "crumbs": [(n, tree_url(n, year)) for n in selectors.breadcrumb(scope, node)], "legend": legend(),
        "can_edit_rules": services.may_edit_rules(scope), "direct_limit": DIRECT_EXPORT_LIMIT,
    })


@module("partylife")
@scope_checked(Perm.PARTY_VIEW)
def compliance_branch(request, pk):
    scope = request.scope
    branch = get_object_or_404(Branch.objects.visible_to(scope).select_related("node"), pk=pk)
    year = selectors.parse_year(request.GET.get("year"))
    rows, totals = selectors.branch_periods(scope, branch, year)
    crumbs = [(n, tree_url(n, year)) for n in selectors.breadcrumb(scope, branch.node) if n.path != branch.node.path]
    return render(request, "partylife/compliance/branch.html", {
        "branch": branch, "year": year, "years": selectors.selectable_years(), "rows": rows, "totals": totals,
        "crumbs": crumbs, "legend": legend(), "states": list(selectors.CellState.LABELS.items()),
        "missing": [(row.rule, cell) for row in rows for cell in row.missing],
        "can_record": scope.has(Perm.PARTY_MANAGE),
        "not_open": not rows and not totals.branches,
    })


@module("partylife")
@require_POST
@scope_checked(Perm.PARTY_VIEW)
def compliance_export(request):
    """The subtree's branches to Excel: built at once for up to DIRECT_EXPORT_LIMIT branches, else as a job."""
    scope = request.scope
    year = selectors.parse_year(request.POST.get("year"))
    node = selectors.node_in_scope(scope, request.POST.get("node"))
    if node is None:
        raise Http404
    count = selectors.export_rows(scope, node, year).count()
    if count > DIRECT_EXPORT_LIMIT:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        job = start_export(
            actor=request.user, scope=scope, kind="compliance_export",
            title=_("Compliance %(year)s: %(node)s %(time)s") % {"year": year, "node": node.name, "time": stamp},
            task=export_compliance, exported_type=BranchCompliance._meta.label_lower,
            params={"filters": {"node": node.pk, "year": year}, "grant_id": scope.grant_id,
                    "language": getattr(request, "LANGUAGE_CODE", "")},
        )
        messages.success(request, _("The export has started. The file can be downloaded here when it is ready."))
        return redirect("core:job_detail", uid=job.uid)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "compliance.xlsx"
        rows = write_export(path, scope, node, year)
        content = path.read_bytes()
    services.record_export(actor=request.user, scope=scope, node=node, year=year, rows=rows)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="compliance-{year}-{node.pk}.xlsx"'
    return response


# --- rules -------------------------------------------------------------------------------------------------------

def editable_rules(scope):
    return ComplianceRule.objects.all() if services.may_edit_rules(scope) else ComplianceRule.objects.none()


@module("partylife")
@scope_checked(Perm.PARTY_VIEW)
def rule_list(request):
    rules = list(ComplianceRule.objects.select_related("updated_by").order_by("-active", "sort_order", "pk"))
    for rule in rules:
        rule.kind_labels = [BranchKind(kind).label for kind in rule.branch_kinds or () if kind in BranchKind.values]
    return render(request, "partylife/compliance/rules.html", {
        "rules": rules, "can_edit": services.may_edit_rules(request.scope),
    })


def _saved(request, rule, job):
    if job is None:
        messages.success(request, _("The rule is saved."))
        return redirect("partylife:rule_list")
    messages.success(request, _("The rule is saved. The compliance figures are being recomputed in the background; "
                                "the pages show the new figures in a few moments."))
    return redirect("core:job_detail", uid=job.uid)


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def rule_create(request):
    if not services.may_edit_rules(request.scope):
        raise PermissionDenied
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule, job = services.save_rule(actor=request.user, scope=request.scope, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, rule, job)
    return render(request, "partylife/compliance/rule_form.html", {"form": form, "rule": None})


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_VIEW)
def rule_edit(request, pk):
    rule = get_object_or_404(editable_rules(request.scope), pk=pk)
    form = RuleForm.for_rule(rule, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule, job = services.save_rule(actor=request.user, scope=request.scope, rule=rule, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, rule, job)
    return render(request, "partylife/compliance/rule_form.html", {"form": form, "rule": rule})
