"""Accounts and role grants: list, export, create, edit, disable, reset password or second factor, grant, revoke.

Who may do what: reading needs USER_VIEW, changing an account USER_MANAGE, granting GRANT_BUSINESS_ROLES or
GRANT_ADMIN_ROLES (the service checks which roles). An account outside the scope answers 404. An account that
also holds roles the role in use could not grant itself (outside the scope, or an administrator role for a
business administrator) is read-only here: otherwise a county could take over a city or 三员 account.
"""

import io

import xlsxwriter
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yinfa.core import audit
from yinfa.core.access import scope_checked
from yinfa.core.exports import safe_cell
from yinfa.core.fields import lookup_index
from yinfa.core.filters import UserFilter, current_grants
from yinfa.core.forms_accounts import (
    GrantForm,
    MobileSearchForm,
    ResetPasswordForm,
    SetActiveForm,
    UserCreateForm,
    UserEditForm,
)
from yinfa.core.forms_org import add_service_errors
from yinfa.core.history import object_history
from yinfa.core.masking import mask_phone
from yinfa.core.models import AuditAction, AuditOutcome, OrgNode, RoleGrant, User
from yinfa.core.permissions import Perm, Role, roles_grantable_with
from yinfa.core.services import accounts as account_services
from yinfa.core.views.home import module
from yinfa.core.views.org import as_int

PAGE_SIZE = 50
HISTORY_LIMIT = 15
USER_FIELD_LABELS = {f.name: f.verbose_name for f in User._meta.fields}
ROLE_LABELS = dict(Role.choices)


# --- helpers -------------------------------------------------------------------------------------------------

def visible_users(request):
    return User.objects.visible_to(request.scope)


def get_user(request, pk):
    return get_object_or_404(visible_users(request), pk=pk)


def grantable_roles(request):
    return roles_grantable_with(request.scope.permissions)


def grant_nodes(request):
    """Where the role in use may grant roles: the open organisations of its scope."""
    return OrgNode.objects.visible_to(request.scope).open_on()


def unmanageable_ids(request, user_ids):
    """Of ``user_ids``, the accounts the role in use may not change.

    An account is manageable only when every role it holds (not revoked) lies inside the scope and is a role
    the role in use may grant. This reads grants outside the scope on purpose, to decide, never to show.
    """
    if not request.scope.has(Perm.USER_MANAGE):
        return set(user_ids)
    grantable = grantable_roles(request)
    blocked = set()
    held = RoleGrant.objects.filter(user_id__in=user_ids, revoked_at__isnull=True).values_list(
        "user_id", "role", "node__path")
    for user_id, role, path in held:
        if role not in grantable or not request.scope.contains_path(path):
            blocked.add(user_id)
    return blocked


def deny(request, reason):
    audit.record(AuditAction.ACCESS_DENIED, outcome=AuditOutcome.DENIED, detail={"path": request.path,
                                                                                   "reason": reason})
    raise PermissionDenied


def get_manageable_user(request, pk):
    user = get_user(request, pk)
    if user.pk in unmanageable_ids(request, [user.pk]):
        deny(request, "account holds roles beyond the scope")
    return user


def require_grant_permission(request):
    if not grantable_roles(request):
        deny(request, "cannot grant roles")


def excel_cell(value):
    """Text for a spreadsheet cell, safe against formula injection."""
    return safe_cell("" if value is None else str(value))


def grant_status(grant, today):
    if grant.revoked_at:
        return "revoked", _("Revoked")
    if grant.ends_on and grant.ends_on < today:
        return "ended", _("Ended")
    if grant.starts_on and grant.starts_on > today:
        return "pending", _("Not started")
    return "active", _("Active")


def users_with_grants(request, queryset):
    return queryset.prefetch_related(Prefetch(
        "grants",
        queryset=current_grants(request.scope).select_related("node").order_by("node__path", "role"),
        to_attr="shown_grants",
    ))


def filter_query(request):
    """The list's GET filters, without the page cursor, for links (load more, export)."""
    params = request.GET.copy()
    params.pop("after", None)
    return params.urlencode()


# --- list and export -----------------------------------------------------------------------------------------

@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_VIEW)
def user_list(request):
    """Accounts of the scope with filters and "load more" (keyset on id, newest first).

    A POST is the exact lookup by mobile number, kept out of the URL.
    """
    base = visible_users(request)
    mobile_form = MobileSearchForm(request.POST if request.method == "POST" else None)
    after = None
    if request.method == "POST":
        filterset = UserFilter(None, queryset=base, request=request)
        if mobile_form.is_valid():
            index = lookup_index(User, "mobile_index", mobile_form.cleaned_data["mobile"])
            users = base.filter(mobile_index=index)
        else:
            users = base.none()
    else:
        filterset = UserFilter(request.GET or None, queryset=base, request=request)
        users = filterset.qs
        after = as_int(request.GET.get("after"))
        if after:
            users = users.filter(pk__lt=after)
    rows = list(users_with_grants(request, users.order_by("-pk"))[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE and request.method != "POST"
    rows = rows[:PAGE_SIZE]
    blocked = unmanageable_ids(request, [u.pk for u in rows]) if rows else set()
    for user in rows:
        user.masked_mobile = mask_phone(user.mobile)
        user.can_edit = user.pk not in blocked
    query = filter_query(request) if request.method == "GET" else ""
    context = {
        "filterset": filterset,
        "mobile_form": mobile_form,
        "mobile_search": request.method == "POST",
        "users": rows,
        "has_more": has_more,
        "next_query": "&".join(filter(None, [query, f"after={rows[-1].pk}"])) if rows else "",
        "export_query": query,
        "after": after,
        "filtered": bool(query) or request.method == "POST",
        "can_create": request.scope.has(Perm.USER_MANAGE),
    }
    template = "core/accounts/list.html#rows" if request.htmx and after else "core/accounts/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@module("accounts")
@scope_checked(Perm.USER_VIEW)
def user_export(request):
    """The filtered account list as an Excel workbook (masked mobile numbers); the export is audited."""
    filterset = UserFilter(request.GET or None, queryset=visible_users(request), request=request)
    users = users_with_grants(request, filterset.qs.order_by("pk"))
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    sheet = workbook.add_worksheet(_("Accounts"))
    bold = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    headers = [_("User name"), _("Full name"), _("Mobile number"), _("Email"), _("Roles"), _("Status"),
               _("Last login"), _("Created")]
    widths = [16, 14, 14, 24, 48, 8, 18, 12]
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, user in enumerate(users.iterator(chunk_size=500), start=1):
        roles = "; ".join(f"{g.get_role_display()} @ {g.node.name}" for g in user.shown_grants)
        values = [
            user.username, user.full_name, mask_phone(user.mobile), user.email, roles,
            _("Active") if user.is_active else _("Disabled"),
            timezone.localtime(user.last_login).strftime("%Y-%m-%d %H:%M") if user.last_login else "",
            timezone.localtime(user.date_joined).strftime("%Y-%m-%d"),
        ]
        for col, value in enumerate(values):
            sheet.write_string(count, col, excel_cell(value))
    workbook.close()
    audit.record(AuditAction.EXPORT, actor=request.user, object_type=User._meta.label_lower,
                 object_repr=_("Account list"), personal_data=True,
                 detail={"rows": count, "format": "xlsx",
                         "filters": {k: v for k, v in request.GET.items() if v}})
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="accounts-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


# --- one account ---------------------------------------------------------------------------------------------

def _account_history(request, user):
    events = object_history(request.scope, user, labels=USER_FIELD_LABELS, limit=HISTORY_LIMIT)
    for event in events:
        role = (event.detail or {}).get("role")
        event.role_label = ROLE_LABELS.get(role, "") if role else ""
    return events


@module("accounts")
@scope_checked(Perm.USER_VIEW)
def user_detail(request, pk):
    user = get_user(request, pk)
    today = timezone.localdate()
    grants = list(
        RoleGrant.objects.visible_to(request.scope).filter(user=user)
        .select_related("node", "granted_by", "revoked_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "node__path", "role", "pk")
    )
    can_grant = bool(grantable_roles(request))
    grantable = grantable_roles(request)
    for grant in grants:
        grant.status, grant.status_label = grant_status(grant, today)
        grant.can_revoke = (can_grant and grant.revoked_at is None and grant.role in grantable
                            and grant.user_id != request.user.pk)
    can_manage = user.pk not in unmanageable_ids(request, [user.pk])
    grant_form = GrantForm(grantable_roles=grantable, node_queryset=grant_nodes(request)) if can_grant else None
    return render(request, "core/accounts/detail.html", {
        "account": user,
        "masked_mobile": mask_phone(user.mobile),
        "account_grants": grants,
        "grant_form": grant_form,
        "scope_node": OrgNode.objects.visible_to(request.scope).filter(pk=request.scope.node_id).first()
        if can_grant else None,
        "can_manage": can_manage,
        "is_self": user.pk == request.user.pk,
        "history": _account_history(request, user),
    })


@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_MANAGE)
def user_create(request):
    grantable = grantable_roles(request)
    form = UserCreateForm(request.POST or None, grantable_roles=grantable, node_queryset=grant_nodes(request),
                          role_required=request.scope.depth > 0 and bool(grantable))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = account_services.create_account(
                actor=request.user, actor_scope=request.scope, username=data["username"],
                full_name=data["full_name"], password=data["password"], mobile=data["mobile"],
                email=data["email"], role=data.get("role") or None, node=data.get("node"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            # Rendered, not redirected: a generated password is shown once and stored nowhere.
            return render(request, "core/accounts/password_shown.html", {
                "account": user, "password": data["password"] if data.get("generated") else "",
                "created": True, "visible": visible_users(request).filter(pk=user.pk).exists(),
            })
    picked = form.cleaned_data.get("node") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(request, "core/accounts/create.html", {
        "form": form, "picked": picked or grant_nodes(request).filter(pk=request.scope.node_id).first(),
    })


@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_MANAGE)
def user_edit(request, pk):
    user = get_manageable_user(request, pk)
    form = UserEditForm(request.POST or None, user=user, masked_mobile=mask_phone(user.mobile))
    if request.method == "POST" and form.is_valid():
        try:
            account_services.update_user(actor=request.user, user=user, **form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The account has been saved."))
            return redirect("core:user_detail", pk=user.pk)
    return render(request, "core/accounts/edit.html", {"form": form, "account": user})


@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_MANAGE)
def user_set_active(request, pk):
    """Disable (with a reason) or enable an account. A disabled account's sessions stop at once."""
    user = get_manageable_user(request, pk)
    form = SetActiveForm(request.POST or None, initial={"active": "0" if user.is_active else "1"})
    if request.method == "POST" and form.is_valid():
        active = form.cleaned_data["active"]
        try:
            account_services.set_active(actor=request.user, user=user, active=active,
                                        reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The account has been enabled.") if active
                             else _("The account has been disabled."))
            return redirect("core:user_detail", pk=user.pk)
    return render(request, "core/accounts/set_active.html", {
        "form": form, "account": user, "disabling": user.is_active,
    })


@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_MANAGE)
def user_reset_password(request, pk):
    user = get_manageable_user(request, pk)
    form = ResetPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_services.reset_password(actor=request.user, user=user, new_password=data["password"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "core/accounts/password_shown.html", {
                "account": user, "password": data["password"] if data.get("generated") else "",
                "created": False, "visible": True,
            })
    return render(request, "core/accounts/reset_password.html", {"form": form, "account": user})


@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_MANAGE)
def user_reset_totp(request, pk):
    user = get_manageable_user(request, pk)
    if request.method == "POST":
        account_services.clear_totp(actor=request.user, user=user)
        messages.success(request, _("The second factor has been removed. The account must set it up again "
                                    "at its next login if its role requires one."))
        return redirect("core:user_detail", pk=user.pk)
    return render(request, "core/accounts/reset_totp.html", {"account": user})


# --- role grants ---------------------------------------------------------------------------------------------

@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_VIEW)
def grant_create(request, pk):
    require_grant_permission(request)
    user = get_user(request, pk)
    form = GrantForm(request.POST or None, grantable_roles=grantable_roles(request),
                     node_queryset=grant_nodes(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account_services.grant_role(actor=request.user, actor_scope=request.scope, user=user,
                                        role=data["role"], node=data["node"], starts_on=data["starts_on"],
                                        ends_on=data["ends_on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The role has been granted."))
            return redirect("core:user_detail", pk=user.pk)
    picked = form.cleaned_data.get("node") if form.is_bound and hasattr(form, "cleaned_data") else None
    return render(request, "core/accounts/grant.html", {
        "form": form, "account": user,
        "picked": picked or grant_nodes(request).filter(pk=request.scope.node_id).first(),
    })


@module("accounts")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.USER_VIEW)
def grant_revoke(request, pk):
    require_grant_permission(request)
    grant = get_object_or_404(RoleGrant.objects.visible_to(request.scope).select_related("user", "node"), pk=pk)
    errors = []
    if request.method == "POST":
        try:
            account_services.revoke_grant(actor=request.user, actor_scope=request.scope, grant=grant)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The role has been revoked."))
            if visible_users(request).filter(pk=grant.user_id).exists():
                return redirect("core:user_detail", pk=grant.user_id)
            return redirect("core:user_list")
    return render(request, "core/accounts/revoke.html", {"grant": grant, "account": grant.user,
                                                         "errors": errors})
