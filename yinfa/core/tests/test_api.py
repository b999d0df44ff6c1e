"""The REST API: scoping, 404 outside the scope, token authentication, the schema and the docs page."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from yinfa.core.models import OrgKind, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.services import org as org_services
from yinfa.core.testing import login, make_node, make_user

pytestmark = pytest.mark.django_db


def token_client(user):
    token = Token.objects.create(user=user)
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    return client


def names(response):
    assert response.status_code == 200, response.content
    return {row.get("name") or row.get("username") for row in response.json()["results"]}


def test_the_org_list_holds_the_scope_subtree_only(world):
    shown = names(login(world.county_a_admin).get("/api/org-nodes/"))
    assert {"甲县", "甲县财政局", "城关镇", "东门社区"} <= shown
    assert not shown & {"乙县", "乙县教育局", "南湖社区", "测试市委老干部局"}


def test_an_organisation_outside_the_scope_answers_404(world):
    client = login(world.county_b_admin)
    assert client.get(f"/api/org-nodes/{world.unit_a.pk}/").status_code == 404
    assert client.get(f"/api/org-nodes/{world.county_a.pk}/children/").status_code == 404
    assert client.get(f"/api/org-nodes/{world.unit_b.pk}/").status_code == 200


def test_children_lists_the_direct_children(world):
    response = login(world.county_a_admin).get(f"/api/org-nodes/{world.county_a.pk}/children/")
    assert names(response) == {"甲县财政局", "城关镇"}


def test_the_org_list_filters_by_parent_kind_and_name(world):
    client = login(world.city_admin)
    assert names(client.get("/api/org-nodes/", {"parent": world.street_a.pk})) == {"东门社区"}
    assert names(client.get("/api/org-nodes/", {"kind": OrgKind.UNIT})) == {"甲县财政局", "乙县教育局"}
    assert names(client.get("/api/org-nodes/", {"q": "社区"})) == {"东门社区", "南湖社区"}
    # A parent outside the scope filters to nothing rather than telling whether it exists.
    assert names(login(world.county_b_admin).get("/api/org-nodes/", {"parent": world.street_a.pk})) == set()


def test_closed_organisations_are_left_out_unless_asked_for(world):
    org_services.close_node(actor=None, actor_scope=None, node=world.community_a,
                            closed_on=datetime.date(2020, 1, 1))
    client = login(world.county_a_admin)
    assert "东门社区" not in names(client.get("/api/org-nodes/"))
    assert "东门社区" in names(client.get("/api/org-nodes/", {"include_closed": "true"}))
    assert client.get(f"/api/org-nodes/{world.community_a.pk}/").json()["is_closed"] is True


def test_the_account_list_needs_the_permission_to_view_accounts(world):
    assert login(world.unit_a_admin).get("/api/users/").status_code == 403


def test_the_account_list_hides_accounts_of_the_sibling_county(world):
    client = login(world.county_a_admin)
    shown = names(client.get("/api/users/"))
    assert {"a_admin", "a_unit", "a_comm"} <= shown
    assert not shown & {"b_admin", "city_admin", "sec", "aud", "sys", "nobody"}
    assert client.get(f"/api/users/{world.county_b_admin.pk}/").status_code == 404


def test_accounts_show_masked_mobiles_and_only_the_grants_inside_the_scope(world):
    both = make_user("both", role=Role.UNIT_ADMIN, node=world.unit_a)
    both.mobile = "13812345678"
    both.save()
    RoleGrant.objects.create(user=both, role=Role.UNIT_ADMIN, node=world.unit_b)
    row = login(world.county_a_admin).get(f"/api/users/{both.pk}/").json()
    assert row["mobile_masked"] == "138****5678"
    assert "13812345678" not in str(row)
    assert [grant["node"]["name"] for grant in row["grants"]] == ["甲县财政局"]


def test_me_shows_the_role_in_use_and_the_grant_header_switches_it(world):
    user = make_user("two_roles", role=Role.BUREAU_ADMIN, node=world.county_a)
    second = RoleGrant.objects.create(user=user, role=Role.COMMITTEE_ADMIN, node=world.unit_a)
    client = login(user)
    me = client.get("/api/me/").json()
    assert me["username"] == "two_roles"
    assert len(me["grants"]) == 2
    assert me["scope"]["node_name"] == "甲县"
    switched = client.get("/api/me/", HTTP_X_YINFA_GRANT=str(second.pk)).json()
    assert switched["scope"]["node_name"] == "甲县财政局"
    assert switched["scope"]["role"] == Role.COMMITTEE_ADMIN
    # The header cannot name somebody else's grant: the first own grant is used instead.
    foreign = RoleGrant.objects.get(user=world.county_b_admin)
    assert client.get("/api/me/", HTTP_X_YINFA_GRANT=str(foreign.pk)).json()["scope"]["node_name"] == "甲县"


def test_the_grant_header_narrows_the_lists(world):
    user = make_user("two_scopes", role=Role.BUREAU_ADMIN, node=world.county_a)
    narrow = RoleGrant.objects.create(user=user, role=Role.UNIT_ADMIN, node=world.unit_a)
    shown = names(login(user).get("/api/org-nodes/", HTTP_X_YINFA_GRANT=str(narrow.pk)))
    assert shown == {"甲县财政局"}


def test_token_authentication_works_with_the_same_scope(world):
    client = token_client(world.county_a_admin)
    assert "甲县财政局" in names(client.get("/api/org-nodes/"))
    assert client.get(f"/api/org-nodes/{world.unit_b.pk}/").status_code == 404
    assert Client().get("/api/org-nodes/", HTTP_AUTHORIZATION="Token wrong").status_code in (401, 403)


def test_a_token_is_refused_for_an_administrator_or_a_password_that_must_change(world):
    assert token_client(world.security_admin).get("/api/users/").status_code == 403
    stale = make_user("stale", role=Role.BUREAU_ADMIN, node=world.county_a, must_change_password=True)
    assert token_client(stale).get("/api/org-nodes/").status_code == 403


def test_a_disabled_account_cannot_use_its_token(world):
    client = token_client(world.county_a_admin)
    world.county_a_admin.is_active = False
    world.county_a_admin.save()
    assert client.get("/api/org-nodes/").status_code in (401, 403)


def test_anonymous_and_role_less_requests_are_refused(world):
    assert Client().get("/api/org-nodes/").status_code in (401, 403)
    assert Client().get("/api/me/").status_code in (401, 403)
    assert login(world.no_role).get("/api/org-nodes/").status_code == 403
    assert login(world.no_role).get("/api/me/").status_code == 403


def _query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_query_counts_do_not_grow_with_the_rows(world):
    client = login(world.county_a_admin)
    org_before = _query_count(client, "/api/org-nodes/")
    users_before = _query_count(client, "/api/users/")
    for n in range(15):
        unit = make_node(world.county_a, OrgKind.UNIT, f"新单位{n}")
        make_user(f"extra{n}", role=Role.UNIT_ADMIN, node=unit)
    assert _query_count(client, "/api/org-nodes/") == org_before
    assert _query_count(client, "/api/users/") == users_before


def test_the_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for route in ("/api/org-nodes/", "/api/org-nodes/{id}/children/", "/api/users/", "/api/me/"):
        assert route in text


def test_the_schema_needs_a_login(world):
    assert Client().get("/api/schema/").status_code in (401, 403)
    response = login(world.county_a_admin).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/org-nodes/" in response.json()["paths"]


def test_the_docs_page_needs_a_login(db):
    response = Client().get("/api/docs/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_docs_page_loads_everything_from_this_site(world):
    response = login(world.county_a_admin).get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), "the page refers to another site"
    assert "fonts.googleapis" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert all(body.strip() == "" and "src=" in attrs for attrs, body in scripts), "inline script"
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    nonce = re.search(r'data-style-nonce="([^"]+)"', html).group(1)
    policy = response["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" in policy
    assert re.search(r"script-src 'self'(;|$)", policy), "scripts stay limited to this site"
