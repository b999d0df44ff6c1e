"""Correcting a visit on the pages: the "Edit" and "Delete" buttons of the detail page (only for roles that manage
care; the page's queries stay constant), the pre-filled edit form that keeps what was typed when refused, the delete
confirmation asking for a reason, removing a photo; out of scope → 404, without CARE_MANAGE → 403."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yinfa.care.models import CampaignStatus, CampaignTask, TaskStatus, Visit, VisitCampaign, VisitKind
from yinfa.care.services.visits import create_visit
from yinfa.care.tests.scope_routes_visits import PNG
from yinfa.core.models import AuditAction, AuditEvent, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import login, make_user
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def person(world):
    return make_person(world.unit_a, name="张德明", community=world.community_a)


def png(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def visit(world, person, *, user=None, photos=(), task=None, **values):
    user = user or world.unit_a_admin
    values = {"kind": VisitKind.ROUTINE, "visited_on": today(), "visitors": "王科长", **values}
    return create_visit(actor=user, scope=scope_of(user), person=person, values=values, photos=list(photos),
                        task=task)


def url(name, pk):
    return reverse(f"care:{name}", args=[pk])


def form_data(world, **changes):
    return {"kind": "routine", "visited_on": today().isoformat(), "visitors": "王科长", "leaders": "", "gift": "",
            "money": "", "feedback": "", "needs": "", "hospital_stay": "", "organisation": world.unit_a.pk,
            **changes}


# --- detail --------------------------------------------------------------------------------------------------------

def test_the_detail_offers_edit_delete_and_photo_removal_only_to_roles_that_manage_care(world, person, media):
    visited = visit(world, person, photos=[png()])
    page = login(world.community_a_admin).get(url("visit_detail", visited.pk)).content.decode()
    assert f'href="{url("visit_edit", visited.pk)}"' in page and f'href="{url("visit_delete", visited.pk)}"' in page
    assert f'href="{url("visit_photo_delete", visited.photos.get().pk)}"' in page


def test_the_detail_costs_the_same_queries_with_one_photo_or_six_and_a_campaign(world, person, media):
    client = login(world.unit_a_admin)
    plain = visit(world, person, photos=[png()])
    campaign = VisitCampaign.objects.create(title="春节慰问", year=2026, node=world.county_a, due_on=today(),
                                            scope_path=world.county_a.path, status=CampaignStatus.OPEN)
    task = CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.unit_a,
                                       assignee_path=world.unit_a.path)
    rich = visit(world, person, photos=[png() for _ in range(6)], task=task, kind=VisitKind.FESTIVAL)

    def count(pk):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("visit_detail", pk)).status_code == 200
        return len(queries)

    assert count(plain.pk) == count(rich.pk)


# --- edit ----------------------------------------------------------------------------------------------------------

def test_the_edit_form_is_prefilled_and_a_correction_is_saved_and_audited(world, person, media):
    visited = visit(world, person, gift="米", needs="助浴", user=world.county_a_admin, organisation=world.county_a)
    client = login(world.community_a_admin)
    page = client.get(url("visit_edit", visited.pk))
    form = page.context["form"]
    assert (form.initial["gift"], form.initial["needs"], form.initial["organisation"]) == ("米", "助浴",
                                                                                          world.county_a.pk)
    assert world.county_a in form.fields["organisation"].queryset  # the organisation named may stay
    assert f'action="{url("visit_edit", visited.pk)}"' in page.content.decode()
    response = client.post(url("visit_edit", visited.pk), form_data(
        world, gift="米和油", needs="助浴", organisation=world.county_a.pk, photos=[png()]))
    assert response.status_code == 302 and response["Location"] == url("visit_detail", visited.pk)
    visited.refresh_from_db()
    assert visited.gift == "米和油" and visited.organisation == world.county_a and visited.photos.count() == 1
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="care.visit")
    assert event.changes == {"gift": ["米", "米和油"]} and event.personal_data


def test_a_refused_correction_shows_the_errors_and_keeps_what_was_typed(world, person):
    visited = visit(world, person)
    response = login(world.unit_a_admin).post(url("visit_edit", visited.pk), form_data(
        world, visited_on=(today() + datetime.timedelta(days=3)).isoformat(), feedback="新写的一大段反馈"))
    assert response.status_code == 200 and "visited_on" in response.context["form"].errors
    assert "新写的一大段反馈" in response.content.decode()
    visited.refresh_from_db()
    assert visited.feedback == "" and visited.visited_on == today()


# --- delete --------------------------------------------------------------------------------------------------------

def test_a_visit_is_deleted_only_with_a_reason_after_the_confirmation(world, person):
    visited = visit(world, person)
    client = login(world.unit_a_admin)
    page = client.get(url("visit_delete", visited.pk))
    assert page.status_code == 200 and 'data-testid="delete-form"' in page.content.decode()
    refused = client.post(url("visit_delete", visited.pk), {"reason": "  "})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors
    assert Visit.objects.filter(pk=visited.pk).exists()
    done = client.post(url("visit_delete", visited.pk), {"reason": "重复录入"})
    assert done.status_code == 302 and done["Location"] == reverse("care:visit_list") + f"?person={person.pk}"
    assert not Visit.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.DELETE).detail["reason"] == "重复录入"


def test_deleting_the_visit_of_a_campaign_reopens_the_task_or_is_refused_when_the_campaign_is_closed(world, person):
    campaign = VisitCampaign.objects.create(title="春节慰问", year=2026, node=world.county_a, due_on=today(),
                                            scope_path=world.county_a.path, status=CampaignStatus.OPEN)
    task = CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.unit_a,
                                       assignee_path=world.unit_a.path)
    visited = visit(world, person, task=task, kind=VisitKind.FESTIVAL)
    client = login(world.unit_a_admin)
    assert 'data-testid="delete-task-note"' in client.get(url("visit_delete", visited.pk)).content.decode()
    VisitCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    refused = client.post(url("visit_delete", visited.pk), {"reason": "录错了"})
    assert refused.status_code == 200 and 'data-testid="form-errors"' in refused.content.decode()
    assert "reopen the campaign" in refused.content.decode() and "录错了" in refused.content.decode()
    VisitCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.OPEN)
    assert client.post(url("visit_delete", visited.pk), {"reason": "录错了"}).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.done_on) == (TaskStatus.PENDING, None)


# --- photos --------------------------------------------------------------------------------------------------------

def test_a_photo_is_removed_after_a_confirmation(world, person, media, django_capture_on_commit_callbacks):
    visited = visit(world, person, photos=[png(), png("b.png")])
    photo = visited.photos.first()
    client = login(world.community_a_admin)
    page = client.get(url("visit_photo_delete", photo.pk))
    assert page.status_code == 200 and url("visit_photo", photo.pk) in page.content.decode()
    assert visited.photos.count() == 2  # nothing removed by looking
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("visit_photo_delete", photo.pk), {"confirm": "True"})
    assert response.status_code == 302 and response["Location"] == url("visit_detail", visited.pk) + "#photos"
    assert visited.photos.count() == 1 and not (media / photo.file.name).exists()


# --- access --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["visit_edit", "visit_delete", "visit_photo_delete"])
def test_the_correction_pages_are_not_found_outside_the_scope(world, person, media, name):
    visited = visit(world, person, photos=[png()])
    pk = visited.photos.get().pk if name == "visit_photo_delete" else visited.pk
    client = login(world.county_b_admin)
    assert client.get(url(name, pk)).status_code == 404
    assert client.post(url(name, pk), {"reason": "乙县", "confirm": "True", **form_data(world)}).status_code == 404
    assert Visit.objects.get().photos.count() == 1 and Visit.objects.get().visitors == "王科长"


@pytest.mark.parametrize("name", ["visit_edit", "visit_delete", "visit_photo_delete"])
def test_a_role_without_care_management_is_refused_the_correction_pages(world, person, media, name):
    visited = visit(world, person, photos=[png()])
    pk = visited.photos.get().pk if name == "visit_photo_delete" else visited.pk
    client = login(make_user("secretary", role=Role.BRANCH_SECRETARY, node=world.unit_a))
    assert client.get(url(name, pk)).status_code == 403
    assert client.post(url(name, pk), {"reason": "x", "confirm": "True"}).status_code == 403
    assert Visit.objects.get().photos.count() == 1
    page = client.get(url("visit_detail", visited.pk))
    assert page.status_code == 403 or 'data-testid="visit-edit"' not in page.content.decode()
