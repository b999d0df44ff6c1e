"""The campaign's state machine (every allowed and refused move), opening in bulk with notifications, drawing the
roster again, "not visited" and its undo, ticking off a task from a visit, coverage, and the reminders."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yinfa.care.models import CampaignStatus, CampaignTask, Festival, TaskStatus, Visit, VisitCampaign, VisitKind
from yinfa.care.services import campaigns as services
from yinfa.care.tests.test_campaign_helpers import build_roster, opened, plan, scope_of
from yinfa.core.models import AuditAction, AuditEvent, Notification
from yinfa.core.permissions import Role
from yinfa.core.testing import make_user
from yinfa.people.models import Category
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world):
    return build_roster(world)


def as_admin(world):
    return {"actor": world.county_a_admin, "scope": scope_of(world.county_a_admin)}


def task_of(campaign, person):
    return CampaignTask.objects.get(campaign=campaign, person=person)


def visit_for(person, day=datetime.date(2026, 2, 12)):
    return Visit.objects.create(person=person, kind=VisitKind.FESTIVAL, visited_on=day, visitors="慰问组")


# --- planning -------------------------------------------------------------------------------------------------------

def test_a_bureau_planner_plans_a_draft_with_the_festival_day_and_a_default_title(world, roster):
    campaign = plan(world)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.due_on == datetime.date(2026, 2, 17)
    assert campaign.scope_path == world.county_a.path
    assert campaign.title == "2026 Spring Festival visits"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(campaign.pk)).exists()


def test_a_unit_administrator_plans_for_the_unit_but_not_for_the_county(world, roster):
    assert plan(world, user=world.unit_a_admin, node=world.unit_a).node == world.unit_a
    with pytest.raises(PermissionDenied):
        plan(world, user=world.unit_a_admin, node=world.county_a)


def test_a_community_administrator_and_a_sibling_county_cannot_plan_here(world, roster):
    with pytest.raises(PermissionDenied):
        plan(world, user=world.community_a_admin, node=world.community_a)
    with pytest.raises(PermissionDenied):
        plan(world, user=world.county_b_admin, node=world.county_a)


def test_a_draft_changes_freely_an_open_campaign_only_its_title_and_due_date_a_closed_one_not_at_all(world, roster):
    campaign = plan(world)
    values = {"title": "重阳", "festival": Festival.DOUBLE_NINTH, "year": 2026, "due_on": None,
              "criteria": {"groups": ["dependent"]}}
    campaign = services.update_campaign(**as_admin(world), campaign=campaign, values=values)
    assert (campaign.festival, campaign.due_on, campaign.criteria["groups"]) == (
        Festival.DOUBLE_NINTH, datetime.date(2026, 10, 18), ["dependent"])
    services.open_campaign(**as_admin(world), campaign=campaign)
    changed = services.update_campaign(**as_admin(world), campaign=campaign, values={
        "title": "重阳节慰问", "festival": Festival.SPRING, "year": 2026, "due_on": datetime.date(2026, 10, 10),
        "criteria": {"groups": ["lixiu"]}})
    assert (changed.title, changed.festival, changed.due_on, changed.criteria["groups"]) == (
        "重阳节慰问", Festival.DOUBLE_NINTH, datetime.date(2026, 10, 10), ["dependent"])
    services.close_campaign(**as_admin(world), campaign=campaign)
    with pytest.raises(ValidationError):
        services.update_campaign(**as_admin(world), campaign=campaign, values=values)


def test_only_a_draft_can_be_deleted(world, roster):
    draft = plan(world)
    services.delete_campaign(**as_admin(world), campaign=draft)
    assert not VisitCampaign.objects.filter(pk=draft.pk).exists()
    campaign = opened(world)
    with pytest.raises(ValidationError):
        services.delete_campaign(**as_admin(world), campaign=campaign)


# --- the state machine ----------------------------------------------------------------------------------------------

def test_opening_creates_one_task_per_person_for_the_visiting_organisations_and_notifies_them(
        world, roster, django_capture_on_commit_callbacks):
    campaign = plan(world, groups=("lixiu", "dependent"))
    with django_capture_on_commit_callbacks(execute=True):
        count = services.open_campaign(**as_admin(world), campaign=campaign)
    assert count == 4
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN
    tasks = {t.person_id: (t.assignee_id, t.assignee_path, t.status) for t in campaign.tasks.all()}
    assert tasks == {
        roster.lixiu.pk: (world.unit_a.pk, world.unit_a.path, TaskStatus.PENDING),
        roster.both.pk: (world.unit_a.pk, world.unit_a.path, TaskStatus.PENDING),
        roster.dependent.pk: (world.unit_a.pk, world.unit_a.path, TaskStatus.PENDING),
        roster.outside_unit.pk: (world.community_a.pk, world.community_a.path, TaskStatus.PENDING),
    }
    unit_note = Notification.objects.get(recipient=world.unit_a_admin)
    assert "3 people to visit by 2026-02-17" in unit_note.body
    assert unit_note.url.endswith(f"?unit={world.unit_a.pk}")
    assert "1 person to visit" in Notification.objects.get(recipient=world.community_a_admin).body
    assert not Notification.objects.filter(recipient=world.county_b_admin).exists()


def test_opening_with_nobody_to_visit_is_refused_and_the_campaign_stays_a_draft(world):
    campaign = plan(world)
    with pytest.raises(ValidationError):
        services.open_campaign(**as_admin(world), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT and not campaign.tasks.exists()


def test_closing_keeps_pending_tasks_pending_and_reopening_allows_work_again(world, roster):
    campaign = opened(world)
    services.close_campaign(**as_admin(world), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED
    assert set(campaign.tasks.values_list("status", flat=True)) == {TaskStatus.PENDING}
    services.reopen_campaign(**as_admin(world), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


@pytest.mark.parametrize("state, move", [
    ("draft", "close"), ("draft", "reopen"),
    ("open", "open"), ("open", "reopen"),
    ("closed", "open"), ("closed", "close"),
])
def test_every_move_outside_the_transition_table_is_refused(world, roster, state, move):
    campaign = plan(world)
    VisitCampaign.objects.filter(pk=campaign.pk).update(status=state)
    function = {"open": services.open_campaign, "close": services.close_campaign,
                "reopen": services.reopen_campaign}[move]
    with pytest.raises(ValidationError):
        function(**as_admin(world), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == state and not campaign.tasks.exists()


@pytest.mark.parametrize("who", ["unit_a_admin", "community_a_admin", "county_b_admin"])
@pytest.mark.parametrize("state, move", [("draft", "open"), ("open", "close"), ("closed", "reopen")])
def test_an_allowed_move_is_refused_to_anyone_but_the_planner(world, roster, who, state, move):
    campaign = plan(world)
    VisitCampaign.objects.filter(pk=campaign.pk).update(status=state)
    function = {"open": services.open_campaign, "close": services.close_campaign,
                "reopen": services.reopen_campaign}[move]
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        function(actor=user, scope=scope_of(user), campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == state


def test_the_city_bureau_above_may_move_a_county_campaign(world, roster):
    campaign = plan(world)
    services.open_campaign(actor=world.city_admin, scope=scope_of(world.city_admin), campaign=campaign)
    assert VisitCampaign.objects.get(pk=campaign.pk).status == CampaignStatus.OPEN


def test_drawing_the_roster_again_adds_newcomers_only(world, roster, django_capture_on_commit_callbacks):
    campaign = opened(world)
    assert campaign.tasks.count() == 3
    newcomer = make_person(world.unit_a, name="新离休", category=Category.LIXIU)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.redraw_roster(**as_admin(world), campaign=campaign) == 1
    assert services.redraw_roster(**as_admin(world), campaign=campaign) == 0
    assert campaign.tasks.count() == 4
    assert campaign.tasks.filter(person=newcomer).count() == 1
    assert Notification.objects.filter(recipient=world.unit_a_admin, title__startswith="More people").count() == 1


def test_the_roster_is_drawn_again_only_while_the_campaign_is_under_way(world, roster):
    campaign = plan(world)
    with pytest.raises(ValidationError):
        services.redraw_roster(**as_admin(world), campaign=campaign)
    campaign = opened(world)
    services.close_campaign(**as_admin(world), campaign=campaign)
    with pytest.raises(ValidationError):
        services.redraw_roster(**as_admin(world), campaign=campaign)


# --- tasks ----------------------------------------------------------------------------------------------------------

def test_the_unit_marks_a_person_not_visited_with_a_reason_and_undoes_it(world, roster):
    campaign = opened(world)
    task = task_of(campaign, roster.lixiu)
    unit = {"actor": world.unit_a_admin, "scope": scope_of(world.unit_a_admin)}
    task = services.skip_task(**unit, task=task, reason="住院")
    assert (task.status, task.reason) == (TaskStatus.SKIPPED, "住院")
    task = services.unskip_task(**unit, task=task)
    assert (task.status, task.reason) == (TaskStatus.PENDING, "")
    assert AuditEvent.objects.filter(object_type="care.campaigntask", object_id=str(task.pk),
                                     personal_data=True).count() == 2


def test_not_visited_needs_a_reason_and_a_pending_task(world, roster):
    campaign = opened(world)
    task = task_of(campaign, roster.lixiu)
    with pytest.raises(ValidationError):
        services.skip_task(**as_admin(world), task=task, reason="  ")
    with pytest.raises(ValidationError):
        services.unskip_task(**as_admin(world), task=task)
    services.complete_task(**as_admin(world), task=task, visit=visit_for(roster.lixiu))
    with pytest.raises(ValidationError):
        services.skip_task(**as_admin(world), task=task, reason="外出")


def test_a_community_cannot_tick_off_a_units_task_and_a_closed_campaign_is_read_only(world, roster):
    campaign = opened(world)
    task = task_of(campaign, roster.lixiu)
    with pytest.raises(PermissionDenied):
        services.skip_task(actor=world.community_a_admin, scope=scope_of(world.community_a_admin), task=task,
                           reason="外出")
    services.close_campaign(**as_admin(world), campaign=campaign)
    with pytest.raises(ValidationError):
        services.skip_task(**as_admin(world), task=task, reason="外出")
    CampaignTask.objects.filter(pk=task.pk).update(status=TaskStatus.SKIPPED, reason="外出")
    with pytest.raises(ValidationError):
        services.unskip_task(**as_admin(world), task=task)


def test_a_visit_ticks_off_the_task_on_the_visit_day(world, roster):
    campaign = opened(world)
    task = task_of(campaign, roster.lixiu)
    visit = visit_for(roster.lixiu, datetime.date(2026, 2, 9))
    task = services.complete_task(actor=world.unit_a_admin, scope=scope_of(world.unit_a_admin), task=task,
                                  visit=visit)
    assert (task.status, task.done_on) == (TaskStatus.DONE, datetime.date(2026, 2, 9))
    event = AuditEvent.objects.get(object_type="care.campaigntask", object_id=str(task.pk))
    assert event.detail == {"visit": visit.pk} and event.personal_data


def test_a_visit_after_not_visited_ticks_off_the_task_and_clears_the_reason(world, roster):
    campaign = opened(world)
    task = services.skip_task(**as_admin(world), task=task_of(campaign, roster.lixiu), reason="住院")
    task = services.complete_task(**as_admin(world), task=task, visit=visit_for(roster.lixiu))
    assert (task.status, task.reason) == (TaskStatus.DONE, "")


def test_completing_refuses_another_persons_visit_a_task_done_a_closed_campaign_and_another_scope(world, roster):
    campaign = opened(world)
    task = task_of(campaign, roster.lixiu)
    with pytest.raises(ValidationError):
        services.complete_task(**as_admin(world), task=task, visit=visit_for(roster.both))
    with pytest.raises(PermissionDenied):
        services.complete_task(actor=world.county_b_admin, scope=scope_of(world.county_b_admin), task=task,
                               visit=visit_for(roster.lixiu))
    services.complete_task(**as_admin(world), task=task, visit=visit_for(roster.lixiu))
    with pytest.raises(ValidationError):
        services.complete_task(**as_admin(world), task=task, visit=visit_for(roster.lixiu))
    other = task_of(campaign, roster.both)
    services.close_campaign(**as_admin(world), campaign=campaign)
    with pytest.raises(ValidationError):
        services.complete_task(**as_admin(world), task=other, visit=visit_for(roster.both))
    assert task_of(campaign, roster.both).status == TaskStatus.PENDING


# --- coverage and reminders ---------------------------------------------------------------------------------------

def test_coverage_counts_planned_done_skipped_and_percent_per_organisation_with_totals(world, roster):
    campaign = opened(world)
    services.complete_task(**as_admin(world), task=task_of(campaign, roster.lixiu), visit=visit_for(roster.lixiu))
    services.skip_task(**as_admin(world), task=task_of(campaign, roster.both), reason="住院")
    figures = services.coverage(campaign, scope_of(world.county_a_admin), sort="-percent")
    rows = [(r.name, r.planned, r.done, r.skipped, r.pending, r.percent) for r in figures.rows]
    assert rows == [("甲县财政局", 2, 1, 1, 0, 50), ("东门社区", 1, 0, 0, 1, 0)]
    total = figures.total
    assert (total.planned, total.done, total.skipped, total.pending, total.percent) == (3, 1, 1, 1, 33)
    assert [r.name for r in services.coverage(campaign, scope_of(world.county_a_admin), sort="percent").rows] == [
        "东门社区", "甲县财政局"]


def test_a_unit_sees_only_its_own_coverage_and_tasks(world, roster):
    campaign = opened(world)
    unit_scope = scope_of(world.unit_a_admin)
    assert [r.name for r in services.coverage(campaign, unit_scope).rows] == ["甲县财政局"]
    assert set(services.own_tasks(unit_scope).values_list("assignee_id", flat=True)) == {world.unit_a.pk}
    assert set(services.own_tasks(scope_of(world.community_a_admin)).values_list("person_id", flat=True)) == {
        roster.outside_unit.pk}
    assert not services.own_tasks(scope_of(world.county_b_admin)).exists()


def test_organisations_with_pending_tasks_are_reminded_once_seven_days_before(
        world, roster, django_capture_on_commit_callbacks):
    campaign = opened(world)
    services.complete_task(**as_admin(world), task=task_of(campaign, roster.outside_unit),
                           visit=visit_for(roster.outside_unit))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(today=datetime.date(2026, 2, 1)) == 0
        assert services.send_reminders(today=datetime.date(2026, 2, 10)) == 1
        assert services.send_reminders(today=datetime.date(2026, 2, 11)) == 0
    note = Notification.objects.get(recipient=world.unit_a_admin, title__startswith="Visits due")
    assert "2 people are still to visit by 2026-02-17" in note.body
    assert not Notification.objects.filter(recipient=world.community_a_admin, title__startswith="Visits due")


def test_the_reminder_job_is_registered_daily():
    from yinfa.care import tasks  # noqa: F401
    from yinfa.core.scheduling import REGISTRY

    assert REGISTRY["care_campaign_reminders"].every == datetime.timedelta(days=1)


def test_an_inactive_unit_administrator_is_not_notified(world, roster, django_capture_on_commit_callbacks):
    extra = make_user("a_unit2", role=Role.UNIT_ADMIN, node=world.unit_a)
    extra.is_active = False
    extra.save()
    campaign = plan(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.open_campaign(**as_admin(world), campaign=campaign)
    assert not Notification.objects.filter(recipient=extra).exists()
