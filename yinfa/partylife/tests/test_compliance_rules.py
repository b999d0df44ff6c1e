"""The rules of organisational life: the list, who may edit them, audited changes, and the recomputation a change
starts in the background."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from yinfa.core.models import AuditAction, AuditEvent, Job, JobStatus, OrgKind, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import login, make_node, make_user
from yinfa.partylife.models import BranchCompliance, BranchKind, ComplianceRule, MeetingKind
from yinfa.partylife.periods import Frequency
from yinfa.partylife.services import compliance
from yinfa.partylife.tests.compliance_factories import make_branch, make_meeting

pytestmark = pytest.mark.django_db


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def form_data(rule, **changes):
    data = {"name": rule.name, "meeting_kind": rule.meeting_kind, "frequency": rule.frequency,
            "branch_kinds": list(rule.branch_kinds), "grace_days": rule.grace_days, "active": "on"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_default_rules_are_listed_for_everyone_with_the_party_view(world):
    response = login(world.unit_a_admin).get(reverse("partylife:rule_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "支部委员会每月召开一次" in body and "谈心谈话每年至少一次" in body
    assert reverse("partylife:rule_create") not in body  # a unit administrator cannot edit


@pytest.mark.parametrize(("depth_name", "role", "allowed"), [
    ("city", Role.BUREAU_ADMIN, True),
    ("county", Role.BUREAU_ADMIN, True),
    ("committee", Role.COMMITTEE_ADMIN, True),
    ("unit", Role.UNIT_ADMIN, False),
    ("branch", Role.BRANCH_SECRETARY, False),
])
def test_rules_are_edited_from_the_county_or_above_or_by_its_work_committee(world, depth_name, role, allowed):
    nodes = {"city": world.city, "county": world.county_a, "unit": world.unit_a,
             "committee": make_node(world.county_a, OrgKind.PARTY_COMMITTEE, "甲县离退休干部工委")}
    nodes["branch"] = make_branch(world.unit_a, "甲县财政局支部").node
    user = make_user(f"u_{depth_name}", role=role, node=nodes[depth_name])
    assert compliance.may_edit_rules(scope_of(user)) is allowed
    rule = ComplianceRule.objects.first()
    status = login(user).get(reverse("partylife:rule_edit", args=[rule.pk])).status_code
    assert status == (200 if allowed else 404)


def test_a_unit_administrator_cannot_create_a_rule(world):
    assert login(world.unit_a_admin).get(reverse("partylife:rule_create")).status_code == 403


def test_editing_a_rule_is_audited_and_recomputes_the_year_in_the_background(world, django_capture_on_commit_callbacks):
    branch = make_branch(world.unit_a, "甲县财政局支部")
    today = timezone.localdate()
    make_meeting(branch, MeetingKind.COMMITTEE, today.replace(day=1) - datetime.timedelta(days=20))
    compliance.refresh(year=today.year)
    rule = ComplianceRule.objects.get(meeting_kind=MeetingKind.COMMITTEE)
    before = BranchCompliance.objects.get(branch=branch).expected
    client = login(world.county_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partylife:rule_edit", args=[rule.pk]),
                               form_data(rule, active=None))  # take it out of force
    job = Job.objects.get(kind="compliance_refresh")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.uid])
    rule.refresh_from_db()
    assert not rule.active and rule.updated_by == world.county_a_admin
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="partylife.compliancerule")
    assert event.changes == {"active": [True, False]}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.params["years"] == compliance.years_to_refresh(today)
    after = BranchCompliance.objects.get(branch=branch)
    assert str(rule.pk) not in after.detail and after.expected < before


def test_renaming_a_rule_is_audited_but_recomputes_nothing(world):
    rule = ComplianceRule.objects.first()
    response = login(world.county_a_admin).post(reverse("partylife:rule_edit", args=[rule.pk]),
                                                form_data(rule, name="党员大会（每季度）"))
    assert response.status_code == 302 and response["Location"] == reverse("partylife:rule_list")
    assert not Job.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.UPDATE).changes == {"name": [rule.name, "党员大会（每季度）"]}


def test_creating_a_rule_for_some_branch_kinds(world, django_capture_on_commit_callbacks):
    community_branch = make_branch(world.community_a, "东门社区支部")
    unit_branch = make_branch(world.unit_a, "甲县财政局支部")
    client = login(world.county_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partylife:rule_create"), {
            "name": "社区支部每季度开展志愿服务", "meeting_kind": MeetingKind.THEME_DAY, "frequency": Frequency.QUARTER,
            "branch_kinds": [BranchKind.COMMUNITY], "grace_days": 5, "active": "on"})
    assert response.status_code == 302
    rule = ComplianceRule.objects.get(name="社区支部每季度开展志愿服务")
    assert rule.branch_kinds == [BranchKind.COMMUNITY] and rule.grace_days == 5
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(rule.pk)).exists()
    assert str(rule.pk) in BranchCompliance.objects.get(branch=community_branch).detail
    assert str(rule.pk) not in BranchCompliance.objects.get(branch=unit_branch).detail
    listed = client.get(reverse("partylife:rule_list"))
    row = next(r for r in listed.context["rules"] if r.pk == rule.pk)
    assert row.kind_labels == [BranchKind.COMMUNITY.label]


def test_a_rule_form_with_bad_values_is_shown_again(world):
    rule = ComplianceRule.objects.first()
    response = login(world.county_a_admin).post(reverse("partylife:rule_edit", args=[rule.pk]),
                                                form_data(rule, grace_days=400, name=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"grace_days", "name"}
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_the_service_guards_the_permission_and_the_values(world):
    unit_scope = scope_of(world.unit_a_admin)
    with pytest.raises(PermissionDenied):
        compliance.save_rule(actor=world.unit_a_admin, scope=unit_scope, name="x", meeting_kind="committee",
                             frequency="month", branch_kinds=[], grace_days=0, active=True)
    with pytest.raises(ValidationError) as error:
        compliance.save_rule(actor=world.county_a_admin, scope=scope_of(world.county_a_admin), name="x",
                             meeting_kind="nonsense", frequency="week", branch_kinds=["castle"], grace_days=-1,
                             active=True)
    assert set(error.value.message_dict) == {"meeting_kind", "frequency", "branch_kinds", "grace_days"}
