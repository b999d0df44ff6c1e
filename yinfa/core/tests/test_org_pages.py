"""The organisation-tree pages: lazy tree, search, node card, and every edit of the tree through the pages."""

import datetime

import pytest
from django.db.models import F
from django.urls import reverse

from yinfa.core.models import AuditEvent, OrgKind, OrgNode
from yinfa.core.services.org import path_for
from yinfa.core.testing import login, make_node

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# Per request: session, account, grants in use, the node, one page of children, the session save
# (UPDATE inside a savepoint: 3 statements).
CHILDREN_QUERIES = 8
# The whole tree page: the same, plus the unread-notification badge of the page shell.
TREE_QUERIES = 9
# A search: the shared 6, the matches, and all their ancestors in one query.
SEARCH_QUERIES = 8
# A node card: the shared 6, the unread badge, the node, its ancestors, role holders, open children, history.
DETAIL_QUERIES = 12


def bulk_children(parents, per_parent, kind, prefix, child_count=0):
    """``per_parent`` children under each of ``parents`` in a few statements, their paths computed here."""
    nodes = OrgNode.objects.bulk_create(
        [OrgNode(parent=parent, kind=kind, code=f"{prefix}{parent.pk}-{i:04d}", name=f"{prefix}{i:04d}",
                 path=f"tmp-{prefix}{parent.pk}-{i}", depth=parent.depth + 1, child_count=child_count)
         for parent in parents for i in range(per_parent)],
        batch_size=500,
    )
    for node in nodes:
        node.path = path_for(node.parent.path, node.pk)
    OrgNode.objects.bulk_update(nodes, ["path"], batch_size=500)
    OrgNode.objects.filter(pk__in=[p.pk for p in parents]).update(child_count=F("child_count") + per_parent)
    return nodes


def children_url(node, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("core:org_children", args=[node.pk]) + (f"?{query}" if query else "")


def close(node, day=datetime.date(2025, 6, 30)):
    OrgNode.objects.filter(pk=node.pk).update(closed_on=day)


# --- the tree ------------------------------------------------------------------------------------------------

def test_the_tree_shows_the_scope_top_and_its_first_level(world):
    response = login(world.county_a_admin).get(reverse("core:org_tree"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "甲县" in html and "甲县财政局" in html and "城关镇" in html
    assert "东门社区" not in html  # the second level loads on demand
    assert f'hx-get="{children_url(world.street_a)}"' in html  # 城关镇 has a child: it gets a toggle
    assert "乙县" not in html


def test_closed_nodes_are_hidden_by_default_and_shown_greyed_with_show_closed(world):
    close(world.unit_a)
    client = login(world.county_a_admin)
    hidden = client.get(reverse("core:org_tree")).content.decode()
    assert "甲县财政局" not in hidden
    shown = client.get(reverse("core:org_tree"), {"show_closed": "1"}).content.decode()
    assert "甲县财政局" in shown and "yf-closed" in shown and "2025-06-30" in shown
    # The setting travels with the lazy loads.
    assert f'hx-get="{children_url(world.street_a, show_closed=1)}"' in shown


def test_the_children_fragment_lists_one_level_with_badges_and_toggles(world):
    branch = make_node(world.community_a, OrgKind.BRANCH, "东门社区离退休党支部")
    make_node(branch, OrgKind.PARTY_GROUP, "第一党小组")
    closed = make_node(world.community_a, OrgKind.ASSOCIATION, "东门书画协会")
    close(closed)
    client = login(world.county_a_admin)

    response = client.get(children_url(world.community_a), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment
    assert "HX-Request" in response["Vary"]
    assert "东门社区离退休党支部" in html and "第一党小组" not in html
    assert "东门书画协会" not in html
    assert f'aria-controls="yf-children-{branch.pk}"' in html
    assert branch.code in html and 'class="yf-kind"' in html

    with_closed = client.get(children_url(world.community_a, show_closed=1), **HTMX).content.decode()
    assert "东门书画协会" in with_closed and "closed-on" in with_closed


def test_without_htmx_the_children_address_opens_the_tree_at_that_node(world):
    response = login(world.county_a_admin).get(children_url(world.street_a))
    html = response.content.decode()
    assert "<html" in html and "东门社区" in html
    assert f'href="{children_url(world.county_a)}"' in html  # the path back up, inside the scope only
    assert "测试市委老干部局" not in html


def test_children_of_500_answer_with_the_same_queries_as_children_of_3(world, django_assert_num_queries):
    big = make_node(world.county_a, OrgKind.STREET, "大街道")
    small = make_node(world.county_a, OrgKind.STREET, "小街道")
    communities = bulk_children([big], 500, OrgKind.COMMUNITY, "BIG", child_count=3)
    branches = bulk_children(communities, 3, OrgKind.BRANCH, "支部")
    bulk_children([small], 3, OrgKind.COMMUNITY, "SMALL")
    assert OrgNode.objects.count() > 2000
    assert all(b.path.startswith(b.parent.path) and b.depth == big.depth + 2 for b in branches)
    client = login(world.county_a_admin)
    client.get(children_url(small), **HTMX)  # warm the session

    with django_assert_num_queries(CHILDREN_QUERIES):
        few = client.get(children_url(small), **HTMX)
    with django_assert_num_queries(CHILDREN_QUERIES):
        many = client.get(children_url(big), **HTMX)
    assert few.content.decode().count('data-testid="org-node"') == 3
    assert many.content.decode().count('data-testid="org-node"') == 200
    assert 'data-testid="org-more"' in many.content.decode()

    # "Show more" continues after the last one shown, with one more query for the cursor.
    last = sorted(communities, key=lambda n: n.name)[199]
    with django_assert_num_queries(CHILDREN_QUERIES + 1):
        more = client.get(children_url(big, after=last.pk), **HTMX)
    names = [n.name for n in sorted(communities, key=lambda n: n.name)]
    assert names[200] in more.content.decode() and names[199] not in more.content.decode()
    assert more.content.decode().count('data-testid="org-node"') == 200


def test_the_tree_page_runs_a_constant_number_of_queries(world, django_assert_num_queries):
    client = login(world.county_a_admin)
    client.get(reverse("core:org_tree"))
    with django_assert_num_queries(TREE_QUERIES):
        client.get(reverse("core:org_tree"))
    bulk_children([world.county_a], 150, OrgKind.UNIT, "U", child_count=2)
    with django_assert_num_queries(TREE_QUERIES):
        response = client.get(reverse("core:org_tree"))
    assert response.content.decode().count('data-testid="org-node"') == 152


# --- search --------------------------------------------------------------------------------------------------

def test_search_finds_names_in_the_scope_with_the_path_of_ancestors(world):
    client = login(world.county_a_admin)
    response = client.get(reverse("core:org_search"), {"q": "社区"}, **HTMX)
    html = response.content.decode()
    assert "东门社区" in html and "南湖社区" not in html
    assert "甲县 › 城关镇" in html
    assert "测试市委老干部局" not in html  # ancestors above the scope are not shown


def test_search_fetches_all_ancestor_names_in_one_query(world, django_assert_num_queries):
    client = login(world.county_a_admin)
    client.get(reverse("core:org_search"), {"q": "社区"}, **HTMX)
    with django_assert_num_queries(SEARCH_QUERIES):
        client.get(reverse("core:org_search"), {"q": "社区"}, **HTMX)
    street = make_node(world.county_a, OrgKind.STREET, "新城街道")
    bulk_children([street], 60, OrgKind.COMMUNITY, "新城社区")
    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get(reverse("core:org_search"), {"q": "社区"}, **HTMX)
    html = response.content.decode()
    assert html.count('data-testid="org-search-hit"') == 50
    assert "甲县 › 新城街道" in html


def test_the_picker_search_offers_radio_buttons_and_leaves_out_the_moved_subtree(world):
    client = login(world.county_a_admin)
    response = client.get(reverse("core:org_search"), {"q": "城", "pick": "new_parent",
                                                       "exclude": world.street_a.pk}, **HTMX)
    html = response.content.decode()
    assert 'type="radio" name="new_parent"' not in html or f'value="{world.street_a.pk}"' not in html
    response = client.get(reverse("core:org_search"), {"q": "财政", "pick": "new_parent",
                                                       "exclude": world.street_a.pk}, **HTMX)
    assert f'name="new_parent" value="{world.unit_a.pk}"' in response.content.decode()
    assert client.get(reverse("core:org_search"), {"q": "x", "pick": "evil"}).status_code == 404


# --- the node card -------------------------------------------------------------------------------------------

def test_the_node_card_shows_facts_holders_history_and_manager_actions(world):
    client = login(world.county_a_admin)
    client.post(reverse("core:org_edit", args=[world.unit_a.pk]),
                {"name": "甲县财政局", "code": "CZJ-01", "unit_kind": "organ", "sort_order": "0"})
    html = client.get(reverse("core:org_detail", args=[world.unit_a.pk])).content.decode()
    assert "CZJ-01" in html and "甲县" in html
    assert "财政局管理员" in html  # the unit administrator holds a role here
    assert 'data-testid="org-history"' in html and "CZJ-01" in html and "a_admin" in html
    for action in ("org-edit", "org-move", "org-close", "org-add-child"):
        assert f'data-testid="{action}"' in html


def test_the_node_card_has_no_edit_actions_for_a_role_without_org_manage(world):
    html = login(world.unit_a_admin).get(reverse("core:org_detail", args=[world.unit_a.pk])).content.decode()
    assert 'data-testid="org-card"' in html
    for action in ("org-edit", "org-move", "org-close", "org-add-child"):
        assert f'data-testid="{action}"' not in html
    assert login(world.unit_a_admin).get(reverse("core:org_edit", args=[world.unit_a.pk])).status_code == 403


def test_the_top_of_the_scope_offers_no_move_or_close(world):
    client = login(world.county_a_admin)
    html = client.get(reverse("core:org_detail", args=[world.county_a.pk])).content.decode()
    assert 'data-testid="org-move"' not in html and 'data-testid="org-close"' not in html
    response = client.post(reverse("core:org_move", args=[world.county_a.pk]), {"new_parent": world.street_a.pk})
    assert response.status_code == 200
    assert 'data-testid="form-errors"' in response.content.decode() or "invalid-feedback" in response.content.decode()
    world.county_a.refresh_from_db()
    assert world.county_a.parent_id == world.city.pk


# --- edits through the pages ---------------------------------------------------------------------------------

def test_an_administrator_creates_a_node_under_a_parent(world):
    client = login(world.county_a_admin)
    url = reverse("core:org_create") + f"?parent={world.street_a.pk}"
    form = client.get(url).content.decode()
    assert 'value="community"' in form and 'value="district"' not in form  # only kinds allowed there
    response = client.post(url, {"kind": "community", "code": "SQ-099", "name": "北门社区", "sort_order": "2",
                                 "opened_on": "2020-01-01"})
    node = OrgNode.objects.get(code="SQ-099")
    assert response.status_code == 302 and response["Location"] == reverse("core:org_detail", args=[node.pk])
    assert node.parent == world.street_a and node.opened_on == datetime.date(2020, 1, 1)
    assert AuditEvent.objects.filter(object_type="core.orgnode", object_id=str(node.pk), action="create").exists()


def test_a_service_error_is_shown_on_the_form_and_nothing_typed_is_lost(world):
    client = login(world.county_a_admin)
    url = reverse("core:org_create") + f"?parent={world.street_a.pk}"
    response = client.post(url, {"kind": "community", "code": world.unit_a.code, "name": "重名社区"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in html and "invalid-feedback" in html
    assert 'value="重名社区"' in html
    assert not OrgNode.objects.filter(name="重名社区").exists()


def test_an_administrator_renames_a_node(world):
    client = login(world.county_a_admin)
    response = client.post(reverse("core:org_edit", args=[world.street_a.pk]),
                           {"name": "城关街道", "code": world.street_a.code, "sort_order": "5"})
    assert response.status_code == 302
    world.street_a.refresh_from_db()
    assert world.street_a.name == "城关街道" and world.street_a.sort_order == 5


def test_an_administrator_moves_a_subtree_through_the_page(world):
    other = make_node(world.county_a, OrgKind.UNIT, "甲县民政局", "organ")
    client = login(world.county_a_admin)
    page = client.get(reverse("core:org_move", args=[world.unit_a.pk])).content.decode()
    assert 'data-testid="picker-new_parent"' in page
    sub = make_node(world.unit_a, OrgKind.BRANCH, "财政局离退休支部")
    response = client.post(reverse("core:org_move", args=[world.unit_a.pk]), {"new_parent": other.pk})
    assert response.status_code == 302
    world.unit_a.refresh_from_db()
    sub.refresh_from_db()
    assert world.unit_a.parent_id == other.pk
    assert sub.path.startswith(other.path) and sub.depth == other.depth + 2


def test_moving_under_its_own_subtree_is_refused_on_the_page(world):
    client = login(world.county_a_admin)
    response = client.post(reverse("core:org_move", args=[world.street_a.pk]),
                           {"new_parent": world.community_a.pk})
    html = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in html
    world.street_a.refresh_from_db()
    assert world.street_a.parent_id == world.county_a.pk


def test_moving_to_another_county_is_impossible_for_a_county_administrator(world):
    client = login(world.county_a_admin)
    response = client.post(reverse("core:org_move", args=[world.unit_a.pk]), {"new_parent": world.county_b.pk})
    assert response.status_code == 200  # not a valid choice: county B is not in the scope
    world.unit_a.refresh_from_db()
    assert world.unit_a.parent_id == world.county_a.pk


def test_closing_a_node_with_open_children_is_refused_on_the_page(world):
    client = login(world.county_a_admin)
    page = client.get(reverse("core:org_close", args=[world.street_a.pk])).content.decode()
    assert 'data-testid="org-open-children"' in page and "data-yf-confirm" in page
    response = client.post(reverse("core:org_close", args=[world.street_a.pk]),
                           {"closed_on": "2025-12-31", "reason": "撤并"})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="form-errors"' in html
    assert 'value="撤并"' in html
    world.street_a.refresh_from_db()
    assert world.street_a.closed_on is None


def test_an_administrator_closes_and_reopens_a_node(world):
    client = login(world.county_a_admin)
    response = client.post(reverse("core:org_close", args=[world.community_a.pk]),
                           {"closed_on": "2025-12-31", "reason": "并入南门社区"})
    assert response.status_code == 302
    world.community_a.refresh_from_db()
    assert world.community_a.closed_on == datetime.date(2025, 12, 31)
    detail = client.get(reverse("core:org_detail", args=[world.community_a.pk])).content.decode()
    assert 'data-testid="org-closed-badge"' in detail and "并入南门社区" in detail
    assert 'data-testid="org-reopen"' in detail

    assert client.post(reverse("core:org_reopen", args=[world.community_a.pk])).status_code == 302
    world.community_a.refresh_from_db()
    assert world.community_a.closed_on is None


def test_reopening_under_a_closed_parent_shows_the_reason(world):
    close(world.community_a)
    close(world.street_a)
    response = login(world.county_a_admin).post(reverse("core:org_reopen", args=[world.community_a.pk]))
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()


# --- scope ---------------------------------------------------------------------------------------------------

def test_every_org_page_answers_404_for_a_node_of_the_sibling_county(world):
    client = login(world.county_b_admin)
    node = world.street_a
    for name in ("org_children", "org_detail", "org_edit", "org_move", "org_close", "org_reopen"):
        url = reverse(f"core:{name}", args=[node.pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"name": "x", "code": "x", "closed_on": "2025-01-01", "reason": "x",
                                 "new_parent": world.county_b.pk}).status_code == 404, name
    assert client.get(reverse("core:org_create") + f"?parent={node.pk}").status_code == 404
    search = client.get(reverse("core:org_search"), {"q": "城关"}, **HTMX).content.decode()
    assert "城关镇" not in search
    assert client.get(reverse("core:org_search"), {"q": "x", "pick": "node", "exclude": node.pk}).status_code == 404
    node.refresh_from_db()
    assert node.name == "城关镇" and node.closed_on is None


def test_an_account_without_a_role_sees_no_tree(world):
    assert login(world.no_role).get(reverse("core:org_tree")).status_code == 403


@pytest.mark.parametrize("holders", [1, 25])
def test_the_node_card_runs_a_constant_number_of_queries(world, django_assert_num_queries, holders):
    from yinfa.core.models import RoleGrant
    from yinfa.core.permissions import Role
    from yinfa.core.testing import make_user

    for i in range(holders):
        make_user(f"holder{i:02d}", role=Role.LIAISON, node=world.street_a)
    client = login(world.county_a_admin)
    for i in range(holders):
        client.post(reverse("core:org_edit", args=[world.street_a.pk]),
                    {"name": f"城关镇{i}", "code": world.street_a.code, "sort_order": "0"})
    url = reverse("core:org_detail", args=[world.street_a.pk])
    client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert RoleGrant.objects.filter(node=world.street_a).count() == holders
    assert response.content.decode().count("yf-holder") == min(holders, 20)
