"""Branch services: the warnings (each condition and its boundaries, kept in step with the queryset filter),
editing a branch, electing a committee term and changing a post."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yinfa.core.models import AuditAction, AuditEvent, OrgNode
from yinfa.core.permissions import Role
from yinfa.core.testing import make_user
from yinfa.partylife.models import Branch, BranchKind, CommitteeMember, CommitteePost, CommitteeTerm
from yinfa.partylife.services import branches as services
from yinfa.partylife.services import counts
from yinfa.partylife.services.branches import WarningCode, warnings_for, with_warnings
from yinfa.partylife.tests.factories import make_branch, make_member, scope_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def branch_with(world, *, full=3, has_committee=False, term_ends_on=None, name="甲县财政局离退休干部党支部"):
    """A branch whose cached figures are set directly (the warnings read only those)."""
    branch = make_branch(world.unit_a, name)
    Branch.objects.filter(pk=branch.pk).update(full_members=full, has_committee=has_committee,
                                               term_ends_on=term_ends_on)
    return Branch.objects.select_related("node").get(pk=branch.pk)


def codes(branch, today=TODAY):
    return [code for code, _message in warnings_for(branch, today)]


def flagged_by_filter(branch, today=TODAY):
    return with_warnings(Branch.objects.filter(pk=branch.pk), today).exists()


# --- warnings ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("full, warned", [(2, True), (3, False)])
def test_fewer_than_three_full_members_suggests_a_joint_branch(world, full, warned):
    branch = branch_with(world, full=full)
    assert (WarningCode.TOO_FEW in codes(branch)) is warned
    assert flagged_by_filter(branch) is warned
    if warned:
        assert "joint branch" in dict(warnings_for(branch, TODAY))[WarningCode.TOO_FEW]


@pytest.mark.parametrize("full, warned", [(50, False), (51, True)])
def test_more_than_fifty_members_is_warned(world, full, warned):
    branch = branch_with(world, full=full, has_committee=True)
    assert (WarningCode.TOO_MANY in codes(branch)) is warned
    assert flagged_by_filter(branch) is warned


@pytest.mark.parametrize("full, warned", [(6, False), (7, True)])
def test_seven_full_members_without_a_committee_are_warned(world, full, warned):
    branch = branch_with(world, full=full, has_committee=False)
    assert (WarningCode.NO_COMMITTEE in codes(branch)) is warned
    assert flagged_by_filter(branch) is warned


def test_a_committee_in_office_silences_the_committee_warning(world):
    branch = branch_with(world, full=9, has_committee=True)
    assert codes(branch) == []
    assert not flagged_by_filter(branch)


@pytest.mark.parametrize("days, expected", [
    (91, []), (90, [WarningCode.TERM_ENDING]), (0, [WarningCode.TERM_ENDING]), (-1, [WarningCode.TERM_OVER]),
])
def test_a_term_ending_within_ninety_days_or_over_is_warned(world, days, expected):
    branch = branch_with(world, full=4, term_ends_on=TODAY + datetime.timedelta(days=days))
    assert codes(branch) == expected
    assert flagged_by_filter(branch) is bool(expected)


def test_a_closed_branch_has_no_warnings_in_either_place(world):
    branch = branch_with(world, full=0)
    OrgNode.objects.filter(pk=branch.pk).update(closed_on=TODAY - datetime.timedelta(days=1))
    branch = Branch.objects.select_related("node").get(pk=branch.pk)
    assert codes(branch) == []
    assert not flagged_by_filter(branch)


def test_the_filter_and_the_function_agree_on_a_mixed_set(world):
    made = [branch_with(world, full=full, has_committee=committee, term_ends_on=ends, name=f"甲县支部{n}")
            for n, (full, committee, ends) in enumerate([
                (2, False, None), (3, False, None), (7, False, None), (7, True, None), (51, True, None),
                (4, False, TODAY + datetime.timedelta(days=30)), (4, False, TODAY + datetime.timedelta(days=400)),
                (4, False, TODAY - datetime.timedelta(days=3))])]
    by_function = {b.pk for b in made if warnings_for(b, TODAY)}
    by_filter = set(with_warnings(Branch.objects.filter(pk__in=[b.pk for b in made]), TODAY)
                    .values_list("pk", flat=True))
    assert by_function == by_filter == {made[i].pk for i in (0, 2, 4, 5, 7)}


def test_warnings_come_from_the_recounted_memberships(world):
    branch = make_branch(world.unit_a)
    for i in range(2):
        make_member(branch, name=f"甲县老同志{i}")
    branch.refresh_from_db()
    assert branch.full_members == 2
    assert WarningCode.TOO_FEW in codes(branch)


# --- editing the branch -----------------------------------------------------------------------------------------

def test_editing_a_branch_saves_kind_and_liaison_and_audits_the_phone_masked(world):
    branch = make_branch(world.unit_a)
    scope = scope_of(world.county_a_admin)
    services.update_branch(actor=world.county_a_admin, scope=scope, branch=branch, values={
        "kind": BranchKind.JOINT, "liaison_name": "李联络", "liaison_position": "办公室主任",
        "liaison_phone": "13912345678", "note": "甲县联合支部"})
    stored = Branch.objects.get(pk=branch.pk)
    assert (stored.kind, stored.liaison_name, stored.liaison_phone) == (BranchKind.JOINT, "李联络", "13912345678")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="partylife.branch")
    assert event.changes["liaison_phone"] == ["", "139****5678"]
    assert "13912345678" not in str(event.changes)


def test_a_bad_liaison_phone_is_refused(world):
    branch = make_branch(world.unit_a)
    with pytest.raises(ValidationError) as refused:
        services.update_branch(actor=world.county_a_admin, scope=scope_of(world.county_a_admin), branch=branch,
                               values={"liaison_phone": "电话"})
    assert "liaison_phone" in refused.value.message_dict


def test_a_branch_outside_the_scope_or_without_the_permission_is_refused(world):
    branch = make_branch(world.unit_a)
    for user in (world.county_b_admin, world.unit_a_admin):  # sibling county; a unit holds no PARTY_MANAGE
        with pytest.raises(PermissionDenied):
            services.update_branch(actor=user, scope=scope_of(user), branch=branch, values={"note": "x"})


# --- committee terms --------------------------------------------------------------------------------------------

@pytest.fixture
def party(world):
    branch = make_branch(world.unit_a)
    members = [make_member(branch, name=f"甲县老同志{i}") for i in range(8)]
    return branch, members, scope_of(world.county_a_admin)


def elect(world, branch, scope, posts, elected_on=datetime.date(2025, 3, 1), **extra):
    return services.elect_committee(actor=world.county_a_admin, scope=scope, branch=branch, elected_on=elected_on,
                                    posts=posts, **extra)


def test_electing_a_committee_records_the_posts_and_a_three_year_term(world, party):
    branch, members, scope = party
    term, notes = elect(world, branch, scope, {CommitteePost.SECRETARY: members[0],
                                               CommitteePost.ORGANISATION: members[1],
                                               CommitteePost.PROPAGANDA: members[2]})
    assert term.ends_on == datetime.date(2028, 3, 1)
    assert notes == []
    assert {(m.post, m.person_id) for m in term.posts.all()} == {
        (CommitteePost.SECRETARY, members[0].pk), (CommitteePost.ORGANISATION, members[1].pk),
        (CommitteePost.PROPAGANDA, members[2].pk)}
    branch.refresh_from_db()
    assert branch.has_committee and branch.term_ends_on == datetime.date(2028, 3, 1)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="partylife.committeeterm").exists()


def test_a_community_branch_term_lasts_five_years(world):
    branch = make_branch(world.community_a, "东门社区离退休党支部", kind=BranchKind.COMMUNITY)
    secretary = make_member(branch)
    term, _notes = elect(world, branch, scope_of(world.county_a_admin), {CommitteePost.SECRETARY: secretary})
    assert term.ends_on == datetime.date(2030, 3, 1)


def test_a_new_term_closes_the_previous_one_and_its_posts(world, party):
    branch, members, scope = party
    first, _ = elect(world, branch, scope, {CommitteePost.SECRETARY: members[0]},
                     elected_on=datetime.date(2022, 3, 1))
    second, _ = elect(world, branch, scope, {CommitteePost.SECRETARY: members[1],
                                             CommitteePost.ORGANISATION: members[2],
                                             CommitteePost.DISCIPLINE: members[3]})
    first.refresh_from_db()
    assert first.ended_on == datetime.date(2025, 3, 1)
    assert CommitteeMember.objects.get(term=first).ended_on == datetime.date(2025, 3, 1)
    assert list(CommitteeTerm.objects.current().filter(branch=branch)) == [second]


def test_a_term_needs_a_secretary_chosen_among_the_full_members(world, party):
    branch, members, scope = party
    with pytest.raises(ValidationError) as no_secretary:
        elect(world, branch, scope, {CommitteePost.ORGANISATION: members[0]})
    assert "secretary" in no_secretary.value.message_dict
    from yinfa.people.tests.factories import make_person

    stranger = make_person(world.unit_a, name="甲县群众")
    with pytest.raises(ValidationError, match="full members"):
        elect(world, branch, scope, {CommitteePost.SECRETARY: stranger})
    with pytest.raises(ValidationError, match="One person"):
        elect(world, branch, scope, {CommitteePost.SECRETARY: members[0], CommitteePost.PROPAGANDA: members[0]})


def test_committee_size_is_advice_not_a_refusal(world, party):
    branch, members, scope = party
    term, notes = elect(world, branch, scope, {CommitteePost.SECRETARY: members[0]})
    assert term.pk and len(notes) == 1 and "3 to 5" in notes[0]
    small = make_branch(world.unit_a, "甲县财政局第二党支部")
    few = [make_member(small, name=f"甲县小支部{i}") for i in range(3)]
    term, notes = elect(world, small, scope, {CommitteePost.SECRETARY: few[0], CommitteePost.ORGANISATION: few[1]})
    assert term.pk and len(notes) == 1 and "secretary only" in notes[0]


def test_an_election_in_the_future_or_before_the_current_term_is_refused(world, party):
    branch, members, scope = party
    with pytest.raises(ValidationError):
        elect(world, branch, scope, {CommitteePost.SECRETARY: members[0]},
              elected_on=timezone.localdate() + datetime.timedelta(days=1))
    elect(world, branch, scope, {CommitteePost.SECRETARY: members[0]})
    with pytest.raises(ValidationError):
        elect(world, branch, scope, {CommitteePost.SECRETARY: members[1]}, elected_on=datetime.date(2024, 1, 1))


def test_a_secretary_elects_in_their_own_branch_only(world, party):
    branch, members, _scope = party
    secretary = make_user("甲县书记", role=Role.BRANCH_SECRETARY, node=branch.node)
    other = make_branch(world.unit_a, "甲县财政局第二党支部")
    make_member(other, name="甲县另一支部党员")
    services.elect_committee(actor=secretary, scope=scope_of(secretary), branch=branch,
                             elected_on=datetime.date(2025, 3, 1), posts={CommitteePost.SECRETARY: members[0]})
    with pytest.raises(PermissionDenied):
        services.elect_committee(actor=secretary, scope=scope_of(secretary), branch=other,
                                 elected_on=datetime.date(2025, 3, 1), posts={CommitteePost.SECRETARY: members[0]})


def test_changing_a_post_mid_term_ends_the_old_holder_and_keeps_the_term(world, party):
    branch, members, scope = party
    term, _ = elect(world, branch, scope, {CommitteePost.SECRETARY: members[0],
                                           CommitteePost.ORGANISATION: members[1],
                                           CommitteePost.PROPAGANDA: members[2]})
    day = datetime.date(2025, 9, 1)
    made = services.change_post(actor=world.county_a_admin, scope=scope, branch=branch,
                                post=CommitteePost.SECRETARY, person=members[3], on_date=day)
    old = CommitteeMember.objects.get(term=term, person=members[0])
    assert old.ended_on == day and made.started_on == day and made.person == members[3]
    assert CommitteeTerm.objects.current().get(branch=branch) == term


def test_a_post_change_guards_its_choices(world, party):
    branch, members, scope = party

    def change(post, person, on_date=datetime.date(2025, 9, 1)):
        return services.change_post(actor=world.county_a_admin, scope=scope, branch=branch, post=post,
                                    person=person, on_date=on_date)

    with pytest.raises(ValidationError, match="no committee"):
        change(CommitteePost.SECRETARY, members[1])
    elect(world, branch, scope, {CommitteePost.SECRETARY: members[0], CommitteePost.ORGANISATION: members[1],
                                 CommitteePost.PROPAGANDA: members[2]})
    with pytest.raises(ValidationError):
        change(CommitteePost.SECRETARY, None)  # the secretary's post never stays vacant
    with pytest.raises(ValidationError):
        change(CommitteePost.DISCIPLINE, members[1])  # already holds another post
    with pytest.raises(ValidationError):
        change(CommitteePost.DISCIPLINE, members[4], on_date=datetime.date(2025, 1, 1))  # before the election
    change(CommitteePost.PROPAGANDA, None)  # another post may be left vacant
    branch.refresh_from_db()
    assert branch.has_committee  # the organisation member is still in office


def test_recount_reflects_posts_left_vacant(world, party):
    branch, members, scope = party
    elect(world, branch, scope, {CommitteePost.SECRETARY: members[0], CommitteePost.ORGANISATION: members[1]})
    services.change_post(actor=world.county_a_admin, scope=scope, branch=branch, post=CommitteePost.ORGANISATION,
                         person=None, on_date=datetime.date(2025, 9, 1))
    counts.recount([branch.pk])
    branch.refresh_from_db()
    assert not branch.has_committee  # a secretary alone is not a committee
