"""The branch pages: the list (with warnings, keyset "load more" and its Excel export), a branch's page with its
committee, party groups and members, editing the branch, electing a committee term and changing a post.

Branches are read only through ``Branch.objects.visible_to(request.scope)``; anything outside the scope is 404.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core import audit
from yinfa.core.access import scope_checked
from yinfa.core.exports import XlsxStream
from yinfa.core.forms_org import add_service_errors
from yinfa.core.masking import mask_phone
from yinfa.core.models import AuditAction, OrgKind, OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.partylife.filters_branches import BranchFilter
from yinfa.partylife.forms_branches import BranchEditForm, ElectionForm, PostChangeForm
from yinfa.partylife.models import (
    Branch,
    BranchKind,
    CommitteeMember,
    CommitteePost,
    CommitteeTerm,
    Membership,
    Relation,
)
from yinfa.partylife.services import branches as services

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
WARNING_BADGES = {
    services.WarningCode.TOO_FEW: "text-bg-warning",
    services.WarningCode.TOO_MANY: "text-bg-warning",
    services.WarningCode.NO_COMMITTEE: "text-bg-warning",
    services.WarningCode.TERM_ENDING: "text-bg-info",
    services.WarningCode.TERM_OVER: "text-bg-danger",
}
SHORT_WARNINGS = {
    services.WarningCode.TOO_FEW: gettext_lazy("Fewer than 3 full members"),
    services.WarningCode.TOO_MANY: gettext_lazy("More than 50 members"),
    services.WarningCode.NO_COMMITTEE: gettext_lazy("No committee"),
    services.WarningCode.TERM_ENDING: gettext_lazy("Term ends soon"),
    services.WarningCode.TERM_OVER: gettext_lazy("Term over"),
}
FILTER_PARAMS = ("q", "kind", "status", "warnings")


# --- helpers ------------------------------------------------------------------------------------------------------

def visible_branches(request):
    return Branch.objects.visible_to(request.scope).select_related("node")


def get_branch(request, pk):
    return get_object_or_404(visible_branches(request).select_related("node__parent"), pk=pk)


def may_manage(request):
    return request.scope.has(Perm.PARTY_MANAGE)


def current_secretaries(branch_ids):
    """{branch id: secretary's name} of the terms in office (one query)."""
    rows = (CommitteeMember.objects.filter(term__branch_id__in=list(branch_ids), term__ended_on__isnull=True,
                                           post=CommitteePost.SECRETARY, ended_on__isnull=True)
            .values_list("term__branch_id", "person__name"))
    return dict(rows)


def decorate(branches, today):
    secretaries = current_secretaries(b.pk for b in branches)
    for branch in branches:
        branch.secretary_name = secretaries.get(branch.pk, "")
        branch.warning_list = [{"code": code, "message": message, "short": SHORT_WARNINGS[code],
                                "badge": WARNING_BADGES[code]} for code, message in services.warnings_for(branch,
                                                                                                          today)]
        branch.is_open = branch.is_open_on(today)
    return branches


def filtered(request, today, params=None):
    filterset = BranchFilter(params if params is not None else request.GET, visible_branches(request), today=today)
    return filterset, (filterset.qs.order_by("path") if filterset.is_valid() else Branch.objects.none())


def next_url(request, after):
    if after is None:
        return ""
    query = request.GET.copy()
    query["after"] = after
    return f"{request.path}?{query.urlencode()}"


def htmx_aware(response):
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- the list -----------------------------------------------------------------------------------------------------

def _list(request, *, warnings_only=False):
    today = timezone.localdate()
    params = request.GET.copy()
    if warnings_only:
        params["warnings"] = "yes"
    filterset, branches = filtered(request, today, params)
    after = request.GET.get("after", "")
    if after:
        branches = branches.filter(path__gt=after)
    rows = list(branches[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = decorate(rows[:PAGE_SIZE], today)
    export_query = params.copy()
    export_query.pop("after", None)
    context = {
        "branches": rows, "filter": filterset, "next_url": next_url(request, rows[-1].path if more else None),
        "is_first_page": not after, "warnings_only": warnings_only,
        "filtered": filterset.narrowed(counting_warnings=not warnings_only),
        "can_manage": may_manage(request), "export_query": export_query.urlencode(), "today": today,
        "can_export": request.scope.has(Perm.PARTY_VIEW),
    }
    template = "partylife/branches/list.html"
    if request.htmx and after:
        template += "#rows"
    return htmx_aware(render(request, template, context))


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def branch_list(request):
    return _list(request)


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def branch_warnings(request):
    """The branches with something to act on (for the work committee): the list with the warnings filter."""
    return _list(request, warnings_only=True)


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def branch_export(request):
    today = timezone.localdate()
    filterset, branches = filtered(request, today)
    columns = [(_("Branch"), 36), (_("Kind"), 14), (_("Above"), 24), (_("Founded on"), 12), (_("Closed on"), 12),
               (_("Full members"), 10), (_("Probationary members"), 12), (_("Secretary"), 12),
               (_("Term ends on"), 12), (_("Liaison"), 12), (_("Warnings"), 60)]
    written = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "branches.xlsx"
        with XlsxStream(path, columns, sheet_name=_("Party branches")) as sheet:
            chunk = []
            for branch in branches.select_related("node__parent")[:EXPORT_LIMIT].iterator(chunk_size=2000):
                chunk.append(branch)
                if len(chunk) == 2000:
                    written += _write_branches(sheet, chunk, today)
                    chunk = []
            written += _write_branches(sheet, chunk, today)
        content = path.read_bytes()
    with transaction.atomic():
        audit.record(AuditAction.EXPORT, actor=request.user, object_type=Branch._meta.label_lower,
                     object_repr=_("Party branches")[:200],
                     detail={"filters": {k: v for k, v in request.GET.items() if k in FILTER_PARAMS}, "rows": written})
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="party-branches-{today:%Y%m%d}.xlsx"'
    return response


def _write_branches(sheet, chunk, today):
    for branch in decorate(chunk, today):
        node = branch.node
        sheet.write([node.name, branch.get_kind_display(), node.parent.name if node.parent_id else "",
                     node.opened_on, node.closed_on, branch.full_members, branch.probationary_members,
                     branch.secretary_name, branch.term_ends_on, branch.liaison_name,
                     "；".join(w["message"] for w in branch.warning_list)])
    return len(chunk)


# --- a branch -----------------------------------------------------------------------------------------------------

def _terms(branch):
    posts = CommitteeMember.objects.select_related("person").order_by("started_on", "pk")
    terms = list(CommitteeTerm.objects.filter(branch=branch).prefetch_related(Prefetch("posts", queryset=posts))
                 .order_by("-elected_on", "-pk"))
    order = {post: n for n, post in enumerate(services.POST_ORDER)}
    for term in terms:
        term.post_rows = sorted(term.posts.all(), key=lambda m: (m.ended_on is not None, order[m.post], m.started_on))
    current = next((t for t in terms if t.ended_on is None), None)
    return current, [t for t in terms if t.ended_on is not None]


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def branch_detail(request, pk):
    branch = get_branch(request, pk)
    today = timezone.localdate()
    decorate([branch], today)
    current, past = _terms(branch)
    groups = list(OrgNode.objects.filter(parent_id=branch.pk, kind=OrgKind.PARTY_GROUP).order_by("sort_order",
                                                                                                    "name"))
    memberships = list(Membership.objects.visible_to(request.scope).open().filter(branch=branch)
                       .select_related("person", "party_group").order_by("person__name_pinyin", "person_id"))
    members = [m for m in memberships if m.relation == Relation.ORGANISATIONAL]
    functional = [m for m in memberships if m.relation == Relation.FUNCTIONAL]
    for group in groups:
        group.members = [m for m in members if m.party_group_id == group.pk]
    manage = may_manage(request)
    liaison_phone = mask_phone(branch.liaison_phone or "")  # personal data: masked for every role
    return render(request, "partylife/branches/detail.html", {
        "branch": branch, "current_term": current, "past_terms": past, "groups": groups, "members": members,
        "functional_members": functional, "ungrouped": [m for m in members if not m.party_group_id],
        "can_manage": manage, "liaison_phone": liaison_phone, "today": today,
        "is_functional": branch.kind == BranchKind.FUNCTIONAL,
    })


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def branch_edit(request, pk):
    branch = get_branch(request, pk)
    form = BranchEditForm(request.POST or None, instance=branch)
    if request.method == "POST" and form.is_valid():
        values = form.branch_values()
        fresh = get_branch(request, pk)  # the form wrote into ``branch``; the service compares with the stored row
        try:
            services.update_branch(actor=request.user, scope=request.scope, branch=fresh, values=values)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The branch is saved."))
            return redirect("partylife:branch_detail", pk=branch.pk)
    return render(request, "partylife/branches/form.html", {
        "branch": branch, "form": form, "title": _("Edit the branch"),
    })


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def branch_elect(request, pk):
    branch = get_branch(request, pk)
    form = ElectionForm(request.POST or None, branch=branch, initial={"elected_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            term, notes = services.elect_committee(
                actor=request.user, scope=request.scope, branch=branch, elected_on=form.cleaned_data["elected_on"],
                ends_on=form.cleaned_data.get("ends_on"), posts=form.posts(), note=form.cleaned_data.get("note"))
        except ValidationError as exc:
            add_service_errors(form, exc, rename={"secretary": CommitteePost.SECRETARY})
        else:
            messages.success(request, _("The new term is recorded; it ends on %(day)s.")
                             % {"day": term.ends_on.isoformat()})
            for note in notes:
                messages.warning(request, note)
            return redirect("partylife:branch_detail", pk=branch.pk)
    return render(request, "partylife/branches/form.html", {
        "branch": branch, "form": form, "title": _("Elect a new term"), "full_members": branch.full_members,
        "intro": _("The current term, if any, ends on the election date. Only the branch's current full members "
                   "can be elected. From 7 full members a committee of 3 to 5; below, a secretary only."),
    })


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def branch_post_change(request, pk):
    branch = get_branch(request, pk)
    form = PostChangeForm(request.POST or None, branch=branch,
                          initial={"on_date": timezone.localdate(), "post": request.GET.get("post", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_post(actor=request.user, scope=request.scope, branch=branch, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The post is changed."))
            return redirect("partylife:branch_detail", pk=branch.pk)
    return render(request, "partylife/branches/form.html", {
        "branch": branch, "form": form, "title": _("Change a post"),
        "intro": _("The post's holder steps down on the date given and the new holder takes it from that day; "
                   "the term itself goes on."),
    })
