"""The branch pages: the list with its filters, warnings view and export; a branch's page; editing, electing and
changing a post; who sees what (secretary, community, sibling county); constant query counts."""

import datetime
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yinfa.core.models import AuditAction, AuditEvent, OrgNode
from yinfa.core.permissions import Role
from yinfa.core.testing import login, make_user
from yinfa.partylife.models import Branch, BranchKind, CommitteePost, CommitteeTerm, Membership, Standing
from yinfa.partylife.services import branches as branch_services
from yinfa.partylife.services import memberships as membership_services
from yinfa.partylife.tests.factories import make_branch, make_group, make_member, scope_of
from yinfa.partylife.views import branches as views

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(world):
    unit_branch = make_branch(world.unit_a, "甲县财政局离退休干部党支部", opened_on=datetime.date(2010, 7, 1))
    members = [make_member(unit_branch, name=f"甲县老同志{i}") for i in range(7)]
    community_branch = make_branch(world.community_a, "东门社区离退休党支部", kind=BranchKind.COMMUNITY)
    make_member(community_branch, name="东门社区党员")
    their_branch = make_branch(world.unit_b, "乙县教育局离退休党支部")
    make_member(their_branch, name="乙县党员")
    secretary = make_user("zhibu_a", role=Role.BRANCH_SECRETARY, node=unit_branch.node, full_name="周书记")
    return SimpleNamespace(world=world, unit_branch=unit_branch, members=members,
                           community_branch=community_branch, their_branch=their_branch, secretary=secretary,
                           admin=world.county_a_admin)


def url(name, *args):
    return reverse(f"partylife:{name}", args=args)


def body(response):
    return response.content.decode()


# --- the list -----------------------------------------------------------------------------------------------------

def test_the_list_shows_the_branches_of_the_scope_with_counts_and_warnings(county):
    page = body(login(county.admin).get(url("branch_list")))
    assert "甲县财政局离退休干部党支部" in page and "东门社区离退休党支部" in page
    assert "乙县教育局离退休党支部" not in page
    assert 'data-testid="warning-no_committee"' in page  # 7 full members, no committee
    assert 'data-testid="warning-too_few"' in page  # the community branch has 1


def test_a_secretary_sees_only_their_branch(county):
    client = login(county.secretary)
    page = body(client.get(url("branch_list")))
    assert page.count('data-testid="branch-row"') == 1 and "甲县财政局离退休干部党支部" in page
    assert client.get(url("branch_detail", county.community_branch.pk)).status_code == 404
    assert client.get(url("branch_detail", county.unit_branch.pk)).status_code == 200


def test_a_community_administrator_sees_the_branches_under_the_community(county):
    client = login(county.world.community_a_admin)
    page = body(client.get(url("branch_list")))
    assert "东门社区离退休党支部" in page and "甲县财政局离退休干部党支部" not in page
    assert client.get(url("branch_detail", county.unit_branch.pk)).status_code == 404


def test_a_branch_of_the_sibling_county_answers_404(county):
    client = login(county.world.county_b_admin)
    for name in ("branch_detail", "branch_edit", "branch_elect", "branch_post_change"):
        assert client.get(url(name, county.unit_branch.pk)).status_code == 404, name
    assert "甲县" not in body(client.get(url("branch_list")))


def test_the_filters_narrow_the_list(county):
    client = login(county.admin)
    by_kind = body(client.get(url("branch_list"), {"kind": BranchKind.COMMUNITY}))
    assert "东门社区离退休党支部" in by_kind and "甲县财政局离退休干部党支部" not in by_kind
    by_name = body(client.get(url("branch_list"), {"q": "财政"}))
    assert by_name.count('data-testid="branch-row"') == 1
    OrgNode.objects.filter(pk=county.community_branch.pk).update(closed_on=datetime.date(2024, 1, 1))
    assert "东门社区离退休党支部" not in body(client.get(url("branch_list")))
    closed = body(client.get(url("branch_list"), {"status": "closed"}))
    assert "东门社区离退休党支部" in closed and "甲县财政局离退休干部党支部" not in closed


def test_the_warnings_view_lists_only_branches_to_act_on(county):
    branch_services.elect_committee(
        actor=county.admin, scope=scope_of(county.admin), branch=county.unit_branch,
        elected_on=datetime.date(2025, 1, 10),
        posts={CommitteePost.SECRETARY: county.members[0], CommitteePost.ORGANISATION: county.members[1],
               CommitteePost.PROPAGANDA: county.members[2]})
    client = login(county.admin)
    page = body(client.get(url("branch_warnings")))
    assert "东门社区离退休党支部" in page and "甲县财政局离退休干部党支部" not in page
    same = body(client.get(url("branch_list"), {"warnings": "yes"}))
    assert same.count('data-testid="branch-row"') == page.count('data-testid="branch-row"') == 1


def test_load_more_continues_after_the_last_branch(county, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    client = login(county.admin)
    first = client.get(url("branch_list"))
    assert body(first).count('data-testid="branch-row"') == 1
    next_url = first.context["next_url"]
    more = client.get(next_url, headers={"HX-Request": "true"})
    assert body(more).count('data-testid="branch-row"') == 1 and "<html" not in body(more)
    assert "HX-Request" in more["Vary"]
    assert first.context["branches"][0].pk != more.context["branches"][0].pk


def test_the_export_holds_the_filtered_list_and_is_audited(county):
    client = login(county.admin)
    response = client.get(url("branch_export"), {"kind": BranchKind.UNIT})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == "甲县财政局离退休干部党支部" and rows[1][5] == 7
    assert "committee" in rows[1][10]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="partylife.branch")
    assert event.detail["filters"] == {"kind": "unit"} and event.detail["rows"] == 1


# --- a branch -----------------------------------------------------------------------------------------------------

def test_the_branch_page_shows_committee_groups_members_and_links(county):
    scope = scope_of(county.admin)
    group = make_group(county.unit_branch)
    probationer = make_member(county.unit_branch, name="甲县预备党员", standing=Standing.PROBATIONARY)
    membership = Membership.objects.get(person=county.members[0])
    membership_services.assign_group(actor=county.admin, scope=scope, membership=membership, group=group)
    branch_services.elect_committee(actor=county.admin, scope=scope, branch=county.unit_branch,
                                    elected_on=datetime.date(2022, 1, 10),
                                    posts={CommitteePost.SECRETARY: county.members[3]})
    branch_services.elect_committee(actor=county.admin, scope=scope, branch=county.unit_branch,
                                    elected_on=datetime.date(2025, 1, 10),
                                    posts={CommitteePost.SECRETARY: county.members[1],
                                           CommitteePost.ORGANISATION: county.members[2],
                                           CommitteePost.DISCIPLINE: county.members[4]})
    response = login(county.admin).get(url("branch_detail", county.unit_branch.pk))
    page = body(response)
    assert 'data-testid="post-secretary"' in page and "甲县老同志1" in page
    assert 'data-testid="past-term"' in page
    assert "甲县财政局第一党小组" in page
    assert page.count('data-testid="member-row"') == 8 and probationer.name in page
    assert "2010-07-01" in page
    assert reverse("partylife:membership_convert", args=[Membership.objects.get(person=probationer).pk]) in page


def test_the_liaison_phone_is_masked_for_every_role_and_never_sent_back_by_the_edit_form(county):
    Branch.objects.filter(pk=county.community_branch.pk).update(liaison_name="钱联络")
    branch = Branch.objects.get(pk=county.community_branch.pk)
    branch.liaison_phone = "13812345678"
    branch.save()
    manager = body(login(county.admin).get(url("branch_detail", branch.pk)))
    viewer = body(login(county.world.community_a_admin).get(url("branch_detail", branch.pk)))
    edit = body(login(county.admin).get(url("branch_edit", branch.pk)))
    for page in (manager, viewer, edit):
        assert "138****5678" in page and "13812345678" not in page
    # the edit form left empty keeps the number on record
    form = {"kind": branch.kind, "liaison_name": "钱联络", "liaison_position": "", "liaison_phone": "", "note": ""}
    login(county.admin).post(url("branch_edit", branch.pk), form)
    assert Branch.objects.get(pk=branch.pk).liaison_phone == "13812345678"


def test_the_branch_page_shows_its_warnings_on_top(county):
    page = body(login(county.admin).get(url("branch_detail", county.community_branch.pk)))
    assert 'data-testid="branch-warnings"' in page and 'data-testid="warning-too_few"' in page


def test_a_viewer_gets_no_write_buttons_and_no_write_pages(county):
    client = login(county.world.community_a_admin)
    page = body(client.get(url("branch_detail", county.community_branch.pk)))
    assert 'data-testid="branch-edit"' not in page and 'data-testid="member-add"' not in page
    assert client.get(url("branch_edit", county.community_branch.pk)).status_code == 403


# --- writes through the pages ---------------------------------------------------------------------------------

def test_editing_the_branch_through_the_form(county):
    client = login(county.admin)
    response = client.post(url("branch_edit", county.unit_branch.pk), {
        "kind": BranchKind.JOINT, "liaison_name": "李联络", "liaison_position": "办公室",
        "liaison_phone": "13900001111", "note": "说明"})
    assert response.status_code == 302
    stored = Branch.objects.get(pk=county.unit_branch.pk)
    assert (stored.kind, stored.liaison_phone) == (BranchKind.JOINT, "13900001111")


def test_electing_a_term_through_the_form_warns_about_the_committee_size(county):
    client = login(county.secretary)
    elected_on = timezone.localdate() - datetime.timedelta(days=10)
    response = client.post(url("branch_elect", county.unit_branch.pk), {
        "elected_on": elected_on.isoformat(), CommitteePost.SECRETARY: county.members[0].pk}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any("3 to 5" in m for m in messages) or len(messages) == 2
    term = CommitteeTerm.objects.get(branch=county.unit_branch)
    assert term.elected_on == elected_on


def test_an_election_without_a_secretary_shows_the_error_on_the_form(county):
    client = login(county.admin)
    response = client.post(url("branch_elect", county.unit_branch.pk), {
        "elected_on": "2025-01-10", CommitteePost.ORGANISATION: county.members[0].pk})
    assert response.status_code == 200 and response.context["form"].errors
    assert not CommitteeTerm.objects.exists()


def test_changing_a_post_through_the_form(county):
    scope = scope_of(county.admin)
    branch_services.elect_committee(actor=county.admin, scope=scope, branch=county.unit_branch,
                                    elected_on=datetime.date(2025, 1, 10),
                                    posts={CommitteePost.SECRETARY: county.members[0]})
    client = login(county.admin)
    response = client.post(url("branch_post_change", county.unit_branch.pk), {
        "post": CommitteePost.SECRETARY, "person": county.members[5].pk, "on_date": "2025-06-01"})
    assert response.status_code == 302
    assert "甲县老同志5" in body(client.get(url("branch_detail", county.unit_branch.pk)))


# --- constant query counts ----------------------------------------------------------------------------------------

def count_queries(client, target):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(target).status_code == 200
    return len(captured.captured_queries)


def add_branches(world, n, start=0):
    for i in range(start, start + n):
        branch = make_branch(world.unit_a, f"甲县第{i}党支部")
        make_member(branch, name=f"甲县党员{i}")
        Branch.objects.filter(pk=branch.pk).update(term_ends_on=datetime.date(2020, 1, 1))


def test_the_list_runs_the_same_number_of_queries_for_2_and_20_branches(world, django_assert_max_num_queries):
    add_branches(world, 2)
    client = login(world.county_a_admin)
    target = url("branch_list")
    client.get(target)
    small = count_queries(client, target)
    add_branches(world, 18, start=2)
    with django_assert_max_num_queries(small):
        response = client.get(target)
    assert body(response).count('data-testid="branch-row"') == 20
    assert small <= 9, small


def test_the_branch_page_runs_the_same_number_of_queries_for_2_and_20_members(county,
                                                                             django_assert_max_num_queries):
    branch = county.community_branch
    scope = scope_of(county.admin)
    group = make_group(branch, "东门社区第一党小组")
    second = make_member(branch, name="东门社区党员二")
    branch_services.elect_committee(actor=county.admin, scope=scope, branch=branch,
                                    elected_on=datetime.date(2025, 1, 10), posts={CommitteePost.SECRETARY: second})
    client = login(county.admin)
    target = url("branch_detail", branch.pk)
    client.get(target)
    small = count_queries(client, target)
    for i in range(18):
        person = make_member(branch, name=f"东门社区党员{i + 3}")
        membership_services.assign_group(actor=county.admin, scope=scope,
                                         membership=Membership.objects.get(person=person), group=group)
    with django_assert_max_num_queries(small):
        response = client.get(target)
    page = body(response)
    assert page.count('data-testid="member-row"') == 20 and 'data-testid="post-secretary"' in page
    assert small <= 13, small
