"""The accounts-and-roles pages: list, export, create, edit, disable, resets, grants, and who may do what."""

import html as html_lib
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from yinfa.core.models import AuditAction, AuditEvent, RoleGrant, User
from yinfa.core.permissions import Role
from yinfa.core.services import accounts as account_services
from yinfa.core.testing import PASSWORD, login, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# session, account, grants in use, accounts (one query with its scope subquery), their roles (prefetch),
# the grants deciding which rows may be edited, the unread badge, the session save (3 statements).
LIST_QUERIES = 10
# The account page: the shared 6, the unread badge, the account, its grants (with nodes and granting
# accounts), the grants deciding whether it may be changed, the scope's top node for the grant form, history.
DETAIL_QUERIES = 12


def set_mobile(user, mobile):
    account_services.update_user(actor=None, user=user, mobile=mobile)


def audit_of(user, action):
    return AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk), action=action)


def one_time_password(html):
    return html_lib.unescape(html.split('data-testid="one-time-password">')[1].split("<")[0])


def rows_of(response):
    return response.content.decode().count('data-testid="user-row"')


# --- the list ------------------------------------------------------------------------------------------------

def test_the_list_shows_only_accounts_with_roles_in_the_scope(world):
    html = login(world.county_a_admin).get(reverse("core:user_list")).content.decode()
    for name in ("a_admin", "a_unit", "a_comm"):
        assert f">{name}</a>" in html
    for name in ("b_admin", "city_admin", "sec", "nobody"):
        assert f">{name}</a>" not in html
    assert "单位管理员 @ 甲县财政局" in html


def test_accounts_without_a_role_are_visible_only_at_the_top_of_the_tree(world):
    assert ">nobody</a>" in login(world.security_admin).get(reverse("core:user_list")).content.decode()
    assert login(world.county_a_admin).get(reverse("core:user_detail", args=[world.no_role.pk])).status_code == 404


def test_the_list_shows_masked_mobile_numbers_only(world):
    set_mobile(world.unit_a_admin, "13812345678")
    html = login(world.county_a_admin).get(reverse("core:user_list")).content.decode()
    assert "138****5678" in html and "13812345678" not in html


def test_the_query_form_filters_by_text_role_organisation_node_and_status(world):
    client = login(world.county_a_admin)
    url = reverse("core:user_list")
    assert rows_of(client.get(url, {"q": "财政"})) == 1
    assert rows_of(client.get(url, {"q": "a_"})) == 3
    assert rows_of(client.get(url, {"role": Role.COMMUNITY_ADMIN})) == 1
    assert rows_of(client.get(url, {"org": "东门"})) == 1
    node_filtered = client.get(url, {"node": world.street_a.pk})
    assert rows_of(node_filtered) == 1 and 'data-testid="node-filter"' in node_filtered.content.decode()
    assert rows_of(client.get(url, {"node": world.county_b.pk})) == 0  # another county's node: nothing
    account_services.set_active(actor=None, user=world.community_a_admin, active=False, reason="调离")
    assert rows_of(client.get(url, {"status": "disabled"})) == 1
    assert rows_of(client.get(url, {"status": "active"})) == 2


def test_the_mobile_lookup_is_posted_and_exact(world):
    set_mobile(world.unit_a_admin, "13812345678")
    set_mobile(world.county_b_admin, "13900001111")
    client = login(world.county_a_admin)
    found = client.post(reverse("core:user_list"), {"mobile": "138 1234 5678"})
    assert rows_of(found) == 1 and ">a_unit</a>" in found.content.decode()
    assert rows_of(client.post(reverse("core:user_list"), {"mobile": "13812345679"})) == 0
    # Another county's account is not found by its number either.
    assert rows_of(client.post(reverse("core:user_list"), {"mobile": "13900001111"})) == 0
    # The number is not a URL filter.
    assert rows_of(client.get(reverse("core:user_list"), {"mobile": "13812345678"})) == 3


@pytest.mark.parametrize("extra_accounts", [5, 30])
def test_the_list_runs_a_constant_number_of_queries(world, django_assert_num_queries, extra_accounts):
    for i in range(extra_accounts):
        user = make_user(f"member{i:02d}", role=Role.LIAISON, node=world.community_a)
        RoleGrant.objects.create(user=user, role=Role.VOLUNTEER, node=world.street_a)
        set_mobile(user, f"1370000{i:04d}")
    client = login(world.county_a_admin)
    client.get(reverse("core:user_list"))
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("core:user_list"))
    assert rows_of(response) == 3 + extra_accounts


def test_load_more_continues_after_the_last_account_shown(world):
    for i in range(55):
        make_user(f"member{i:02d}", role=Role.VOLUNTEER, node=world.community_a)
    client = login(world.county_a_admin)
    first = client.get(reverse("core:user_list"), {"q": "member"})
    assert rows_of(first) == 50 and 'data-testid="load-more"' in first.content.decode()
    last_shown = User.objects.filter(username__startswith="member").order_by("-pk")[49]
    more = client.get(reverse("core:user_list"), {"q": "member", "after": last_shown.pk}, **HTMX)
    html = more.content.decode()
    assert "<html" not in html and rows_of(more) == 5 and 'data-testid="load-more"' not in html
    assert "HX-Request" in more["Vary"]
    assert ">member00</a>" in html and f">{last_shown.username}</a>" not in html


# --- export --------------------------------------------------------------------------------------------------

def test_the_export_is_filtered_masked_formula_safe_and_audited(world):
    account_services.update_user(actor=None, user=world.unit_a_admin, full_name="=HYPERLINK(\"http://x\")",
                                 mobile="13812345678")
    account_services.update_user(actor=None, user=world.community_a_admin, full_name="@SUM(A1)")
    client = login(world.county_a_admin)
    response = client.get(reverse("core:user_export"), {"q": "a_"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"a_admin", "a_unit", "a_comm"}
    assert rows["a_unit"][1] == "'=HYPERLINK(\"http://x\")"
    assert rows["a_comm"][1] == "'@SUM(A1)"
    assert rows["a_unit"][2] == "138****5678"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == world.county_a_admin and event.detail["rows"] == 3
    assert event.detail["filters"] == {"q": "a_"} and event.personal_data


# --- create, edit, disable, resets ---------------------------------------------------------------------------

def test_a_county_administrator_creates_an_account_with_its_first_role_and_sees_the_password_once(world):
    client = login(world.county_a_admin)
    page = client.get(reverse("core:user_create")).content.decode()
    assert f'value="{Role.SECURITY_ADMIN}"' not in page  # a business administrator grants business roles only
    response = client.post(reverse("core:user_create"), {
        "username": "zhangsan", "full_name": "张三", "mobile": "13811112222", "email": "",
        "password_mode": "generate", "role": Role.UNIT_ADMIN, "node": world.unit_a.pk,
    })
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="one-time-password"' in html
    password = one_time_password(html)
    user = User.objects.get(username="zhangsan")
    assert user.check_password(password) and user.must_change_password
    assert user.grants.get().node == world.unit_a
    assert audit_of(user, AuditAction.CREATE).exists() and audit_of(user, AuditAction.GRANT).exists()
    assert password not in client.get(reverse("core:user_detail", args=[user.pk])).content.decode()


def test_below_the_top_an_account_cannot_be_created_without_a_role(world):
    response = login(world.county_a_admin).post(reverse("core:user_create"), {
        "username": "lisi", "full_name": "李四", "password_mode": "generate"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not User.objects.filter(username="lisi").exists()


def test_a_typed_password_must_follow_the_rules_and_nothing_typed_is_lost(world):
    response = login(world.security_admin).post(reverse("core:user_create"), {
        "username": "wangwu", "full_name": "王五", "password_mode": "type", "password1": "short",
        "password2": "short"})
    html = response.content.decode()
    assert response.status_code == 200 and 'value="王五"' in html and "invalid-feedback" in html
    assert not User.objects.filter(username="wangwu").exists()


def test_a_mobile_number_in_use_is_refused(world):
    set_mobile(world.county_b_admin, "13900001111")
    response = login(world.security_admin).post(reverse("core:user_create"), {
        "username": "zhaoliu", "full_name": "赵六", "mobile": "139-0000-1111", "password_mode": "generate"})
    assert response.status_code == 200 and not User.objects.filter(username="zhaoliu").exists()


def test_a_role_the_service_refuses_rolls_the_new_account_back(world):
    response = login(world.county_a_admin).post(reverse("core:user_create"), {
        "username": "sunqi", "full_name": "孙七", "password_mode": "generate", "role": Role.UNIT_ADMIN,
        "node": world.county_b.pk})
    assert response.status_code == 200
    assert not User.objects.filter(username="sunqi").exists()


def test_an_administrator_edits_an_account_and_keeps_the_mobile_unless_a_new_one_is_typed(world):
    set_mobile(world.unit_a_admin, "13812345678")
    client = login(world.county_a_admin)
    page = client.get(reverse("core:user_edit", args=[world.unit_a_admin.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    response = client.post(reverse("core:user_edit", args=[world.unit_a_admin.pk]),
                           {"full_name": "财政局老王", "mobile": "", "email": "w@example.cn"})
    assert response.status_code == 302
    user = User.objects.get(pk=world.unit_a_admin.pk)
    assert user.full_name == "财政局老王" and user.mobile == "13812345678"
    event = audit_of(user, AuditAction.UPDATE).latest("id")
    assert set(event.changes) == {"full_name", "email"}


def test_disabling_an_account_needs_a_reason_and_ends_its_sessions(world):
    target_client = login(world.unit_a_admin)
    assert target_client.get(reverse("core:home")).status_code == 200
    client = login(world.county_a_admin)
    page = client.get(reverse("core:user_set_active", args=[world.unit_a_admin.pk])).content.decode()
    assert "data-yf-confirm" in page
    url = reverse("core:user_set_active", args=[world.unit_a_admin.pk])
    refused = client.post(url, {"active": "0", "reason": ""})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    assert client.post(url, {"active": "0", "reason": "调离岗位"}).status_code == 302
    user = User.objects.get(pk=world.unit_a_admin.pk)
    assert not user.is_active and user.disabled_reason == "调离岗位"
    assert audit_of(user, AuditAction.UPDATE).latest("id").changes["is_active"] == [True, False]
    assert target_client.get(reverse("core:home")).status_code == 302  # logged out
    assert client.post(url, {"active": "1"}).status_code == 302
    assert User.objects.get(pk=user.pk).is_active


def test_a_password_reset_shows_the_temporary_password_once_and_forces_a_change(world):
    client = login(world.county_a_admin)
    response = client.post(reverse("core:user_reset_password", args=[world.unit_a_admin.pk]),
                           {"password_mode": "generate"})
    html = response.content.decode()
    password = one_time_password(html)
    user = User.objects.get(pk=world.unit_a_admin.pk)
    assert user.check_password(password) and not user.check_password(PASSWORD) and user.must_change_password
    assert audit_of(user, AuditAction.PASSWORD_CHANGE).get().detail == {"reset_by_admin": True}


def test_resetting_the_second_factor_clears_it(world):
    client = login(world.security_admin)
    url = reverse("core:user_reset_totp", args=[world.audit_admin.pk])
    assert "data-yf-confirm" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    user = User.objects.get(pk=world.audit_admin.pk)
    assert not user.has_totp and not user.totp_secret
    assert audit_of(user, AuditAction.TOTP).get().detail == {"cleared": True}


# --- grants --------------------------------------------------------------------------------------------------

def test_the_account_page_offers_only_roles_the_scope_may_grant(world):
    county = login(world.county_a_admin).get(reverse("core:user_detail", args=[world.unit_a_admin.pk]))
    assert f'value="{Role.LIAISON}"' in county.content.decode()
    assert f'value="{Role.AUDIT_ADMIN}"' not in county.content.decode()
    security = login(world.security_admin).get(reverse("core:user_detail", args=[world.unit_a_admin.pk]))
    assert f'value="{Role.AUDIT_ADMIN}"' in security.content.decode()
    assert 'data-testid="grant-row"' in security.content.decode()


def test_an_administrator_grants_a_role_with_dates_and_revokes_it(world):
    client = login(world.county_a_admin)
    response = client.post(reverse("core:grant_create", args=[world.unit_a_admin.pk]), {
        "role": Role.LIAISON, "node": world.community_a.pk, "starts_on": "2026-01-01", "ends_on": "2028-12-31"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=world.unit_a_admin, role=Role.LIAISON)
    assert grant.node == world.community_a and str(grant.ends_on) == "2028-12-31"
    assert audit_of(world.unit_a_admin, AuditAction.GRANT).exists()

    revoke_url = reverse("core:grant_revoke", args=[grant.pk])
    assert "data-yf-confirm" in client.get(revoke_url).content.decode()
    assert client.post(revoke_url).status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == world.county_a_admin
    assert audit_of(world.unit_a_admin, AuditAction.REVOKE).exists()


def test_the_three_administrator_roles_exclusivity_is_refused_through_the_grant_page(world):
    client = login(world.security_admin)
    response = client.post(reverse("core:grant_create", args=[world.unit_a_admin.pk]),
                           {"role": Role.AUDIT_ADMIN, "node": world.city.pk})
    html = response.content.decode()
    with translation.override("zh-hans"):
        message = translation.gettext(
            "An administrator role (system, security, audit) cannot be combined with any other role.")
    assert response.status_code == 200 and 'data-testid="form-errors"' in html
    assert html_lib.escape(message, quote=False) in html
    response = client.post(reverse("core:grant_create", args=[world.system_admin.pk]),
                           {"role": Role.SECURITY_ADMIN, "node": world.city.pk})
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()
    assert not RoleGrant.objects.filter(role__in=[Role.AUDIT_ADMIN, Role.SECURITY_ADMIN],
                                        user__in=[world.unit_a_admin, world.system_admin]).exists()


def test_a_grant_outside_the_scope_is_refused(world):
    response = login(world.county_a_admin).post(reverse("core:grant_create", args=[world.unit_a_admin.pk]),
                                                {"role": Role.LIAISON, "node": world.community_b.pk})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not RoleGrant.objects.filter(user=world.unit_a_admin, role=Role.LIAISON).exists()


def test_a_role_without_grant_permissions_cannot_grant(world):
    assert login(world.unit_a_admin).get(reverse("core:grant_create", args=[world.unit_a_admin.pk])) \
        .status_code == 403


# --- who may see and change whom -----------------------------------------------------------------------------

def test_every_account_page_answers_404_for_an_account_of_the_sibling_county(world):
    client = login(world.county_b_admin)
    target = world.unit_a_admin
    grant = target.grants.get()
    for name in ("user_detail", "user_edit", "user_set_active", "user_reset_password", "user_reset_totp",
                 "grant_create"):
        url = reverse(f"core:{name}", args=[target.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"active": "0", "reason": "x", "full_name": "x", "password_mode": "generate",
                                 "role": Role.LIAISON, "node": world.county_b.pk}).status_code == 404, name
    assert client.get(reverse("core:grant_revoke", args=[grant.pk])).status_code == 404
    assert client.post(reverse("core:grant_revoke", args=[grant.pk])).status_code == 404
    user = User.objects.get(pk=target.pk)
    assert user.is_active and user.full_name == "财政局管理员"
    assert RoleGrant.objects.get(pk=grant.pk).revoked_at is None


def test_an_account_with_roles_beyond_the_scope_is_read_only(world):
    RoleGrant.objects.create(user=world.unit_a_admin, role=Role.LIAISON, node=world.community_b)
    client = login(world.county_a_admin)
    html = client.get(reverse("core:user_detail", args=[world.unit_a_admin.pk])).content.decode()
    assert 'data-testid="account-readonly"' in html and 'data-testid="account-actions"' not in html
    assert "南湖社区" not in html  # the grant in county B is not shown either
    assert client.post(reverse("core:user_reset_password", args=[world.unit_a_admin.pk]),
                       {"password_mode": "generate"}).status_code == 403
    assert User.objects.get(pk=world.unit_a_admin.pk).check_password(PASSWORD)


def test_a_business_administrator_cannot_change_an_administrator_account(world):
    client = login(world.city_admin)
    assert client.get(reverse("core:user_detail", args=[world.security_admin.pk])).status_code == 200
    assert client.post(reverse("core:user_set_active", args=[world.security_admin.pk]),
                       {"active": "0", "reason": "x"}).status_code == 403
    assert User.objects.get(pk=world.security_admin.pk).is_active


def test_roles_without_account_permissions_see_no_accounts(world):
    assert login(world.audit_admin).get(reverse("core:user_list")).status_code == 403
    assert login(world.unit_a_admin).get(reverse("core:user_list")).status_code == 403
    assert login(world.system_admin).get(reverse("core:user_export")).status_code == 403


def test_the_account_page_keeps_the_viewers_own_scope_switcher(world):
    html = login(world.county_a_admin).get(reverse("core:user_detail", args=[world.unit_a_admin.pk])).content \
        .decode()
    switcher = html.split('id="yf-scope-select"')[1].split("</select>")[0]
    assert f'value="{world.county_a_admin.grants.get().pk}"' in switcher
    assert f'value="{world.unit_a_admin.grants.get().pk}"' not in switcher


@pytest.mark.parametrize("extra_grants", [1, 12])
def test_the_account_page_runs_a_constant_number_of_queries(world, django_assert_num_queries, extra_grants):
    for i in range(extra_grants):
        RoleGrant.objects.create(user=world.unit_a_admin, role=Role.VOLUNTEER, node=world.community_a,
                                 granted_by=world.county_a_admin)
        account_services.update_user(actor=world.county_a_admin, user=world.unit_a_admin, full_name=f"改名{i}")
    client = login(world.county_a_admin)
    url = reverse("core:user_detail", args=[world.unit_a_admin.pk])
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.content.decode().count('data-testid="grant-row"') == 1 + extra_grants
