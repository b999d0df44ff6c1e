"""Membership services: adding a member (transfer in), transferring out, probation, party groups, functional
branches and community registration — every guard, the counts and the person's anchors."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from yinfa.core.models import AuditAction, AuditEvent, Notification, OrgKind
from yinfa.core.permissions import Role
from yinfa.core.testing import make_node, make_user
from yinfa.partylife.models import (
    Branch,
    BranchKind,
    CommitteeMember,
    CommitteePost,
    CommunityRegistration,
    JoinedBy,
    LeftBy,
    Membership,
    Relation,
    Standing,
)
from yinfa.partylife.services import branches as branch_services
from yinfa.partylife.services import memberships as services
from yinfa.partylife.tests.factories import make_branch, make_group, make_member, make_membership, scope_of
from yinfa.people.models import Person, PoliticalStatus
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db

DAY = datetime.date(2025, 5, 1)


@pytest.fixture
def party(world):
    branch = make_branch(world.unit_a)
    other = make_branch(world.unit_a, "甲县财政局第二党支部")
    admin = world.county_a_admin
    return type("Party", (), {"world": world, "branch": branch, "other": other, "admin": admin,
                              "scope": scope_of(admin)})


def cpc_person(world, name="甲县老同志", status=PoliticalStatus.PARTY_MEMBER, unit=None, **values):
    return make_person(unit or world.unit_a, name=name, political_status=status, **values)


def add(party, person, branch=None, **values):
    values.setdefault("started_on", DAY)
    return services.add_member(actor=party.admin, scope=party.scope, person=person, branch=branch or party.branch,
                               **values)


def fresh(model_obj):
    return type(model_obj).objects.get(pk=model_obj.pk)


# --- adding a member --------------------------------------------------------------------------------------------

def test_adding_a_member_from_outside_sets_the_anchor_the_counts_and_the_audit(party):
    person = cpc_person(party.world)
    membership = add(party, person, from_outside="乙省某厅机关党委")
    assert (membership.joined_by, membership.transfer_in_from) == (JoinedBy.TRANSFER_IN, "乙省某厅机关党委")
    person = fresh(person)
    assert person.branch_id == party.branch.pk and person.branch_path == party.branch.path
    assert person.political_status == PoliticalStatus.PARTY_MEMBER
    assert fresh(party.branch).full_members == 1
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="partylife.membership").exists()
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="people.person",
                                     object_id=str(person.pk)).exists()


def test_a_probationary_member_gets_probation_dates_and_status(party):
    person = cpc_person(party.world, status=PoliticalStatus.PROBATIONARY)
    membership = add(party, person, standing=Standing.PROBATIONARY, probation_from=datetime.date(2025, 3, 1),
                     joined_by=JoinedBy.ADMITTED)
    assert (membership.probation_from, membership.probation_until) == (datetime.date(2025, 3, 1),
                                                                       datetime.date(2026, 3, 1))
    assert fresh(person).political_status == PoliticalStatus.PROBATIONARY
    branch = fresh(party.branch)
    assert (branch.full_members, branch.probationary_members) == (0, 1)
    with pytest.raises(ValidationError) as missing:
        add(party, cpc_person(party.world, name="甲县新党员"), standing=Standing.PROBATIONARY)
    assert "probation_from" in missing.value.message_dict


def test_only_party_members_of_the_scope_can_be_added(party):
    world = party.world
    with pytest.raises(ValidationError):
        add(party, make_person(world.unit_a, name="甲县群众", political_status=PoliticalStatus.MASSES))
    with pytest.raises(ValidationError):
        add(party, cpc_person(world, name="甲县故去党员", deceased_on=datetime.date(2024, 1, 1)))
    with pytest.raises(PermissionDenied):
        add(party, cpc_person(world, name="乙县党员", unit=world.unit_b, community=world.community_b))


def test_a_branch_outside_the_scope_is_refused(party):
    world = party.world
    person = cpc_person(world)
    theirs = make_branch(world.unit_b, "乙县教育局离退休党支部")
    with pytest.raises(PermissionDenied):
        add(party, person, branch=theirs)
    sibling = world.county_b_admin
    with pytest.raises(PermissionDenied):
        services.add_member(actor=sibling, scope=scope_of(sibling), person=person, branch=party.branch,
                            started_on=DAY)


def test_a_second_open_membership_is_refused_with_a_clear_message(party):
    person = cpc_person(party.world)
    add(party, person, joined_by=JoinedBy.FOUNDING)
    with pytest.raises(ValidationError) as refused:
        add(party, person, branch=party.other, joined_by=JoinedBy.FOUNDING)
    assert "Transfer it out" in refused.value.message_dict["person"][0]
    assert Membership.objects.filter(person=person, ended_on__isnull=True).count() == 1


def test_the_database_itself_refuses_a_second_open_membership(party):
    person = cpc_person(party.world)
    make_membership(person, party.branch)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_membership(person, party.other)


def test_a_transfer_between_branches_of_the_scope_moves_the_anchor_and_both_counts(
        party, django_capture_on_commit_callbacks):
    person = make_member(party.branch, name="甲县转接党员")
    secretary = make_user("shuji_other", role=Role.BRANCH_SECRETARY, node=party.other.node)
    with django_capture_on_commit_callbacks(execute=True):
        membership = add(party, person, branch=party.other, from_branch=party.branch)
    old = Membership.objects.get(person=person, branch=party.branch)
    assert (old.ended_on, old.left_by, old.transfer_out_to) == (DAY, LeftBy.TRANSFER, party.other.node.name)
    assert (membership.joined_by, membership.transfer_in_from) == (JoinedBy.TRANSFER_IN, party.branch.node.name)
    assert fresh(person).branch_id == party.other.pk
    assert (fresh(party.branch).full_members, fresh(party.other).full_members) == (0, 1)
    assert Notification.objects.filter(recipient=secretary).exists()


def test_a_functional_branch_does_not_hold_organisational_relationships(party):
    functional = make_branch(party.world.unit_a, "甲县老干部志愿服务队功能型党支部", kind=BranchKind.FUNCTIONAL)
    with pytest.raises(ValidationError):
        add(party, cpc_person(party.world), branch=functional)


def test_a_future_date_or_a_closed_branch_is_refused(party):
    from yinfa.core.models import OrgNode

    with pytest.raises(ValidationError):
        add(party, cpc_person(party.world), started_on=datetime.date.today() + datetime.timedelta(days=2))
    OrgNode.objects.filter(pk=party.other.pk).update(closed_on=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        add(party, cpc_person(party.world, name="甲县党员二"), branch=fresh(party.other))


# --- transferring out -------------------------------------------------------------------------------------------

def open_membership(person):
    return Membership.objects.get(person=person, relation=Relation.ORGANISATIONAL, ended_on__isnull=True)


def test_transfer_to_another_branch_of_the_system(party):
    person = make_member(party.branch, name="甲县转出党员")
    new = services.transfer_out(actor=party.admin, scope=party.scope, membership=open_membership(person),
                                on_date=DAY, how=LeftBy.TRANSFER, to_branch=party.other)
    assert new.branch == party.other and new.transfer_in_from == party.branch.node.name
    assert fresh(person).branch_id == party.other.pk
    assert (fresh(party.branch).full_members, fresh(party.other).full_members) == (0, 1)


def test_transfer_within_the_system_needs_an_existing_branch_of_the_scope(party):
    person = make_member(party.branch, name="甲县转出党员")
    membership = open_membership(person)
    with pytest.raises(ValidationError):
        services.transfer_out(actor=party.admin, scope=party.scope, membership=membership, on_date=DAY,
                              how=LeftBy.TRANSFER, to_branch=None)
    theirs = make_branch(party.world.unit_b, "乙县教育局离退休党支部")
    with pytest.raises(PermissionDenied):
        services.transfer_out(actor=party.admin, scope=party.scope, membership=membership, on_date=DAY,
                              how=LeftBy.TRANSFER, to_branch=theirs)
    with pytest.raises(ValidationError):
        services.transfer_out(actor=party.admin, scope=party.scope, membership=membership, on_date=DAY,
                              how=LeftBy.TRANSFER, to_branch=party.branch)


def test_transfer_outside_the_system_clears_the_anchor_and_keeps_the_status(party):
    person = make_member(party.branch, name="甲县外转党员")
    result = services.transfer_out(actor=party.admin, scope=party.scope, membership=open_membership(person),
                                   on_date=DAY, how=LeftBy.TRANSFER_OUT, to_outside="丙市某区机关党委")
    assert result is None
    stored = Membership.objects.get(person=person)
    assert (stored.left_by, stored.transfer_out_to, stored.ended_on) == (LeftBy.TRANSFER_OUT, "丙市某区机关党委", DAY)
    person = fresh(person)
    assert person.branch_id is None and person.political_status == PoliticalStatus.PARTY_MEMBER
    assert fresh(party.branch).full_members == 0
    with pytest.raises(ValidationError):
        services.transfer_out(actor=party.admin, scope=party.scope, membership=stored, on_date=DAY,
                              how=LeftBy.DIED)  # ended already


def test_transfer_outside_needs_the_receiving_organisation(party):
    person = make_member(party.branch, name="甲县外转党员")
    with pytest.raises(ValidationError) as refused:
        services.transfer_out(actor=party.admin, scope=party.scope, membership=open_membership(person),
                              on_date=DAY, how=LeftBy.TRANSFER_OUT)
    assert "to_outside" in refused.value.message_dict


def test_leaving_the_party_ends_functional_memberships_committee_posts_and_the_status(party):
    functional = make_branch(party.world.unit_a, "甲县老干部志愿服务队功能型党支部", kind=BranchKind.FUNCTIONAL)
    person = make_member(party.branch, name="甲县离开党员")
    services.join_functional(actor=party.admin, scope=party.scope, person=person, branch=functional,
                             started_on=datetime.date(2024, 1, 1))
    branch_services.elect_committee(actor=party.admin, scope=party.scope, branch=party.branch,
                                    elected_on=datetime.date(2024, 3, 1), posts={CommitteePost.SECRETARY: person})
    services.transfer_out(actor=party.admin, scope=party.scope, membership=open_membership(person), on_date=DAY,
                          how=LeftBy.LEFT)
    assert fresh(person).political_status == PoliticalStatus.MASSES
    assert not Membership.objects.filter(person=person, ended_on__isnull=True).exists()
    assert CommitteeMember.objects.get(person=person).ended_on == DAY
    audited = AuditEvent.objects.filter(action=AuditAction.UPDATE)
    assert audited.filter(object_type="partylife.membership", detail__branch=functional.pk).exists()
    assert audited.filter(object_type="partylife.committeeterm", detail__person=person.pk).exists()


def test_a_probationary_member_moved_between_branches_stays_probationary(party):
    person = make_member(party.branch, name="甲县预备党员", standing=Standing.PROBATIONARY)
    Membership.objects.filter(person=person).update(probation_from=datetime.date(2025, 1, 1),
                                                    probation_until=datetime.date(2026, 1, 1))
    membership = add(party, person, branch=party.other, from_branch=party.branch, standing=Standing.FULL)
    assert (membership.standing, membership.probation_from, membership.probation_until) == (
        Standing.PROBATIONARY, datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
    assert fresh(person).political_status == PoliticalStatus.PROBATIONARY


def test_a_member_held_in_another_branch_cannot_be_transferred_by_a_secretary(party):
    person = make_member(party.other, name="甲县他支部党员")
    secretary = make_user("shuji_a", role=Role.BRANCH_SECRETARY, node=party.branch.node)
    with pytest.raises(PermissionDenied):
        services.transfer_out(actor=secretary, scope=scope_of(secretary), membership=open_membership(person),
                              on_date=DAY, how=LeftBy.DIED)


def test_a_transfer_date_before_joining_is_refused(party):
    person = make_member(party.branch, name="甲县党员", started_on=datetime.date(2025, 1, 1))
    with pytest.raises(ValidationError):
        services.transfer_out(actor=party.admin, scope=party.scope, membership=open_membership(person),
                              on_date=datetime.date(2024, 12, 31), how=LeftBy.DIED)


# --- probation and groups ---------------------------------------------------------------------------------------

def test_converting_a_probationary_member_makes_them_full(party):
    person = make_member(party.branch, name="甲县预备党员", standing=Standing.PROBATIONARY,
                         started_on=datetime.date(2024, 6, 1))
    membership = services.convert_to_full(actor=party.admin, scope=party.scope,
                                          membership=open_membership(person), on_date=datetime.date(2025, 6, 1))
    assert membership.standing == Standing.FULL and membership.probation_until == datetime.date(2025, 6, 1)
    assert fresh(person).political_status == PoliticalStatus.PARTY_MEMBER
    branch = fresh(party.branch)
    assert (branch.full_members, branch.probationary_members) == (1, 0)
    with pytest.raises(ValidationError):
        services.convert_to_full(actor=party.admin, scope=party.scope, membership=membership,
                                 on_date=datetime.date(2025, 6, 2))


def test_conversion_before_the_probation_started_is_refused(party):
    person = make_member(party.branch, name="甲县预备党员", standing=Standing.PROBATIONARY,
                         started_on=datetime.date(2024, 6, 1))
    with pytest.raises(ValidationError):
        services.convert_to_full(actor=party.admin, scope=party.scope, membership=open_membership(person),
                                 on_date=datetime.date(2024, 5, 1))


def test_a_member_is_assigned_only_to_a_group_of_their_own_branch(party):
    person = make_member(party.branch, name="甲县组员")
    group = make_group(party.branch)
    foreign = make_group(party.other, "甲县财政局第二支部党小组")
    membership = services.assign_group(actor=party.admin, scope=party.scope, membership=open_membership(person),
                                       group=group)
    assert fresh(membership).party_group == group
    with pytest.raises(ValidationError):
        services.assign_group(actor=party.admin, scope=party.scope, membership=membership, group=foreign)
    services.assign_group(actor=party.admin, scope=party.scope, membership=membership, group=None)
    assert fresh(membership).party_group is None


# --- functional branches ----------------------------------------------------------------------------------------

def test_joining_and_leaving_a_functional_branch(party):
    functional = make_branch(party.world.unit_a, "甲县老干部志愿服务队功能型党支部", kind=BranchKind.FUNCTIONAL)
    person = make_member(party.branch, name="甲县志愿党员")
    joined = services.join_functional(actor=party.admin, scope=party.scope, person=person, branch=functional,
                                      started_on=DAY)
    assert joined.relation == Relation.FUNCTIONAL and fresh(person).branch_id == party.branch.pk
    with pytest.raises(ValidationError, match="already a member"):
        services.join_functional(actor=party.admin, scope=party.scope, person=person, branch=functional,
                                 started_on=DAY)
    with pytest.raises(ValidationError):  # an ordinary branch is not joined this way
        services.join_functional(actor=party.admin, scope=party.scope, person=person, branch=party.other,
                                 started_on=DAY)
    left = services.leave_functional(actor=party.admin, scope=party.scope, membership=joined, ended_on=DAY)
    assert (left.ended_on, left.left_by) == (DAY, LeftBy.QUIT)
    assert open_membership(person).branch == party.branch


# --- community registration -------------------------------------------------------------------------------------

def test_a_community_administrator_registers_a_member_and_the_anchor_follows(party):
    world = party.world
    person = make_member(party.branch, name="甲县报到党员", community=world.community_a)
    admin = world.community_a_admin
    registration = services.register_community(actor=admin, scope=scope_of(admin), person=person,
                                               community=world.community_a, registered_on=DAY)
    person = fresh(person)
    assert person.registered_community_id == world.community_a.pk
    assert person.registered_path == world.community_a.path
    with pytest.raises(ValidationError, match="End that registration first"):
        services.register_community(actor=admin, scope=scope_of(admin), person=person,
                                    community=world.community_a, registered_on=DAY)
    services.end_registration(actor=admin, scope=scope_of(admin), registration=registration,
                              ended_on=datetime.date(2025, 8, 1))
    assert fresh(person).registered_community_id is None
    assert fresh(registration).ended_on == datetime.date(2025, 8, 1)
    assert AuditEvent.objects.filter(object_type="partylife.communityregistration").count() == 2


def test_registration_needs_a_community_of_the_scope_and_the_right_permission(party):
    world = party.world
    person = make_member(party.branch, name="甲县报到党员", community=world.community_a)
    with pytest.raises(PermissionDenied):  # a community of the sibling county
        services.register_community(actor=party.admin, scope=party.scope, person=person,
                                    community=world.community_b, registered_on=DAY)
    with pytest.raises(ValidationError):  # not a community
        services.register_community(actor=party.admin, scope=party.scope, person=person,
                                    community=world.street_a, registered_on=DAY)
    secretary = make_user("shuji_b", role=Role.BRANCH_SECRETARY, node=party.branch.node)
    with pytest.raises(PermissionDenied):  # a branch's scope holds no community
        services.register_community(actor=secretary, scope=scope_of(secretary), person=person,
                                    community=world.community_a, registered_on=DAY)
    liaison_less = make_user("volunteer_a", role=Role.VOLUNTEER, node=world.community_a)
    with pytest.raises(PermissionDenied):
        services.register_community(actor=liaison_less, scope=scope_of(liaison_less), person=person,
                                    community=world.community_a, registered_on=DAY)


def test_only_party_members_register_with_a_community(party):
    world = party.world
    person = make_person(world.unit_a, name="甲县群众", community=world.community_a,
                         political_status=PoliticalStatus.MASSES)
    with pytest.raises(ValidationError):
        services.register_community(actor=party.admin, scope=party.scope, person=person,
                                    community=world.community_a, registered_on=DAY)
    assert not CommunityRegistration.objects.exists()


def test_registration_brings_the_member_into_the_community_scope(party):
    world = party.world
    community_scope = scope_of(world.community_a_admin)
    person = make_member(party.branch, name="甲县报到党员")
    assert not Person.objects.visible_to(community_scope).filter(pk=person.pk).exists()
    services.register_community(actor=party.admin, scope=party.scope, person=person, community=world.community_a,
                                registered_on=DAY)
    assert Person.objects.visible_to(community_scope).filter(pk=person.pk).exists()
    assert CommunityRegistration.objects.visible_to(community_scope).count() == 1


def test_a_second_community_branch_is_possible_under_a_community(party):
    node = make_node(party.world.community_a, OrgKind.BRANCH, "东门社区第二党支部")
    assert Branch.objects.get(pk=node.pk).kind == BranchKind.COMMUNITY


def test_the_person_file_no_longer_edits_the_party_anchors(party):
    from yinfa.people.services.person import update_person

    person = make_member(party.branch, name="甲县党员")
    for anchor, node in (("branch", party.other.node), ("registered_community", party.world.community_a)):
        with pytest.raises(ValueError):
            update_person(actor=party.admin, scope=party.scope, person=person, version=person.version,
                          values={anchor: node})
    assert fresh(person).branch_id == party.branch.pk
