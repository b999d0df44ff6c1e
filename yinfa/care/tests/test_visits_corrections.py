"""Correcting a visit recorded by mistake (the services): editing it by the same rules with one audit row of the
changed fields, removing a photo, deleting it with a reason (a snapshot in the audit trail, the photo files removed
after the commit, its campaign task to visit again, refused when the campaign is closed)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yinfa.care.models import CampaignStatus, CampaignTask, TaskStatus, Visit, VisitCampaign, VisitKind, VisitPhoto
from yinfa.care.services.campaigns import reopen_task
from yinfa.care.services.visits import MAX_PHOTOS, create_visit, delete_photo, delete_visit, update_visit
from yinfa.care.tests.scope_routes_visits import PNG
from yinfa.core.models import AuditAction, AuditEvent, RoleGrant
from yinfa.core.scope import Scope
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 10)


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def person(world):
    return make_person(world.unit_a, name="张德明", community=world.community_a, born=datetime.date(1940, 4, 2))


def png(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def record(world, person, user=None, task=None, photos=(), **changes):
    user = user or world.unit_a_admin
    values = {"kind": VisitKind.ROUTINE, "visited_on": TODAY, "visitors": "王科长", **changes}
    return create_visit(actor=user, scope=scope_of(user), person=person, values=values, task=task,
                        photos=list(photos), today=TODAY)


def update(world, visit, user=None, **kwargs):
    user = user or world.unit_a_admin
    kwargs.setdefault("today", TODAY)
    return update_visit(actor=user, scope=scope_of(user), visit=visit, **kwargs)


def delete(world, visit, reason="重复录入", user=None):
    user = user or world.unit_a_admin
    return delete_visit(actor=user, scope=scope_of(user), visit=visit, reason=reason)


def errors_of(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict if hasattr(caught.value, "error_dict") else {"__all__": caught.value.messages}


def campaign_task(world, person, status=CampaignStatus.OPEN):
    campaign = VisitCampaign.objects.create(title="2026年春节慰问", year=2026, node=world.county_a, due_on=TODAY,
                                            scope_path=world.county_a.path, status=status)
    return CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.unit_a,
                                       assignee_path=world.unit_a.path)


# --- edit ----------------------------------------------------------------------------------------------------------

def test_a_correction_changes_the_visit_and_audits_only_the_changed_fields(world, person):
    visit = record(world, person, gift="米", money=Decimal("100"))
    update(world, visit, values={"visitors": "李干事", "money": "200.50", "gift": "米"})
    visit.refresh_from_db()
    assert (visit.visitors, visit.money, visit.gift, visit.kind) == ("李干事", Decimal("200.50"), "米", "routine")
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="care.visit")
    assert event.personal_data and event.object_id == str(visit.pk)
    assert event.changes == {"visitors": ["王科长", "李干事"], "money": ["100.00", "200.50"]}


def test_a_correction_is_checked_by_the_same_rules_and_nothing_changes_when_refused(world, person):
    visit = record(world, person)
    errors = errors_of(lambda: update(world, visit, values={
        "visited_on": TODAY + datetime.timedelta(days=1), "visitors": " ", "money": "1.005",
        "kind": VisitKind.SURVIVOR, "organisation": world.unit_b}))
    assert set(errors) == {"visited_on", "visitors", "money", "kind", "organisation"}
    visit.refresh_from_db()
    assert visit.visitors == "王科长" and not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_the_organisation_already_named_stays_when_a_community_corrects_a_visit_of_the_county(world, person):
    visit = record(world, person, user=world.county_a_admin, organisation=world.county_a)
    update(world, visit, user=world.community_a_admin, values={"needs": "送餐"})
    visit.refresh_from_db()
    assert visit.organisation == world.county_a and visit.needs == "送餐"
    assert "organisation" in errors_of(lambda: update(world, visit, user=world.community_a_admin,
                                                      values={"organisation": world.unit_a}))


def test_photos_can_be_added_up_to_the_limit(world, person, media):
    visit = record(world, person, photos=[png()])
    update(world, visit, values={}, photos=[png("b.png")])
    assert visit.photos.count() == 2
    errors = errors_of(lambda: update(world, visit, values={}, photos=[png() for _ in range(MAX_PHOTOS - 1)]))
    assert "photos" in errors and visit.photos.count() == 2
    assert "photos" in errors_of(lambda: update(world, visit, values={}, photos=[
        SimpleUploadedFile("x.png", b"not an image", content_type="image/png")]))


def test_a_new_day_moves_the_day_the_campaign_task_was_done_unless_the_campaign_is_closed(world, person):
    task = campaign_task(world, person)
    visit = record(world, person, task=task, kind=VisitKind.FESTIVAL)
    earlier = TODAY - datetime.timedelta(days=2)
    update(world, visit, values={"visited_on": earlier})
    task.refresh_from_db()
    assert task.done_on == earlier and task.status == TaskStatus.DONE
    VisitCampaign.objects.filter(pk=task.campaign_id).update(status=CampaignStatus.CLOSED)
    assert "visited_on" in errors_of(lambda: update(world, visit, values={"visited_on": TODAY}))
    update(world, visit, values={"feedback": "身体很好"})  # other fields may still be corrected
    visit.refresh_from_db()
    assert visit.feedback == "身体很好" and visit.visited_on == earlier


def test_only_a_role_that_manages_care_in_the_scope_can_correct(world, person):
    visit = record(world, person)
    with pytest.raises(PermissionDenied):
        update(world, visit, user=world.county_b_admin, values={"visitors": "乙"})
    with pytest.raises(PermissionDenied):
        delete(world, visit, user=world.county_b_admin)
    assert Visit.objects.get().visitors == "王科长"


# --- photos --------------------------------------------------------------------------------------------------------

def test_removing_a_photo_deletes_its_file_after_the_commit_and_is_audited(world, person, media,
                                                                           django_capture_on_commit_callbacks):
    visit = record(world, person, photos=[png(), png("b.png")])
    photo, kept = visit.photos.all()
    path = media / photo.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        delete_photo(actor=world.unit_a_admin, scope=scope_of(world.unit_a_admin), photo=photo)
    assert list(visit.photos.all()) == [kept] and not path.exists() and (media / kept.file.name).exists()
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="care.visit")
    assert event.personal_data and event.detail["photo_removed"] == photo.pk
    with pytest.raises(PermissionDenied):
        delete_photo(actor=world.county_b_admin, scope=scope_of(world.county_b_admin), photo=kept)


# --- delete --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_visit_is_not_deleted_without_a_reason(world, person, reason):
    visit = record(world, person)
    assert "reason" in errors_of(lambda: delete(world, visit, reason=reason))
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_a_deletion_is_audited_with_a_snapshot_and_the_reason_and_the_files_go_after_the_commit(
        world, person, media, django_capture_on_commit_callbacks):
    visit = record(world, person, gift="花篮", photos=[png()])
    path = media / visit.photos.get().file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delete(world, visit, reason="录错了人")
    assert path.exists() and callbacks  # the file is still there until the commit
    for callback in callbacks:
        callback()
    assert not path.exists() and not Visit.objects.exists() and not VisitPhoto.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert event.personal_data and event.object_id == str(visit.pk) and event.detail["reason"] == "录错了人"
    assert event.changes["gift"] == ["花篮", None] and event.changes["visitors"] == ["王科长", None]
    assert event.detail["photos"] == 1


def test_deleting_the_visit_of_a_campaign_task_sends_the_person_back_to_visit(world, person):
    task = campaign_task(world, person)
    visit = record(world, person, task=task, kind=VisitKind.FESTIVAL)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    delete(world, visit)
    task.refresh_from_db()
    assert (task.status, task.done_on) == (TaskStatus.PENDING, None)
    assert AuditEvent.objects.filter(object_type="care.campaigntask", detail__reopened=True).exists()
    record(world, person, task=task, kind=VisitKind.FESTIVAL)  # it can be ticked off again
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_the_visit_of_a_closed_campaign_cannot_be_deleted(world, person):
    task = campaign_task(world, person)
    visit = record(world, person, task=task, kind=VisitKind.FESTIVAL)
    VisitCampaign.objects.filter(pk=task.campaign_id).update(status=CampaignStatus.CLOSED)
    message = " ".join(errors_of(lambda: delete(world, visit))["__all__"])
    assert "closed" in message and "2026年春节慰问" in message
    task.refresh_from_db()
    assert Visit.objects.filter(pk=visit.pk).exists() and task.status == TaskStatus.DONE
    assert not AuditEvent.objects.filter(action=AuditAction.DELETE).exists()


def test_a_task_is_reopened_only_when_done_and_no_visit_ticks_it_off(world, person):
    task = campaign_task(world, person)
    scope = scope_of(world.unit_a_admin)
    assert "task" in errors_of(lambda: reopen_task(actor=world.unit_a_admin, scope=scope, task=task))
    record(world, person, task=task, kind=VisitKind.FESTIVAL)
    assert "task" in errors_of(lambda: reopen_task(actor=world.unit_a_admin, scope=scope, task=task))
    with pytest.raises(PermissionDenied):
        reopen_task(actor=world.county_b_admin, scope=scope_of(world.county_b_admin), task=task)
