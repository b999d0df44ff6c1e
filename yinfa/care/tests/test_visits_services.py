"""The visit service: what a visit must hold (a day not in the future, visitors, money to the fen, a stay of the same
person, survivors only on the file of the deceased), photos recognised from their bytes, the audit row, and a
campaign task ticked off by its visit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yinfa.care.models import CampaignStatus, CampaignTask, TaskStatus, Visit, VisitCampaign, VisitKind
from yinfa.care.services.visits import MAX_PHOTOS, create_visit
from yinfa.care.tests.scope_routes_visits import PNG
from yinfa.core.models import AuditAction, AuditEvent, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import make_user
from yinfa.people.models import LifeEvent, LifeEventKind
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


def values(**changes):
    return {"kind": VisitKind.ROUTINE, "visited_on": TODAY, "visitors": "王科长、李干事", **changes}


def record(world, person, user=None, **kwargs):
    user = user or world.unit_a_admin
    kwargs.setdefault("values", values())
    return create_visit(actor=user, scope=scope_of(user), person=person, today=TODAY, **kwargs)


def errors_of(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def png(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def test_a_visit_is_recorded_with_everything_said_and_given_and_audited_as_personal_data(world, person, media):
    stay = LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, starts_on=TODAY - datetime.timedelta(5),
                                    place="县人民医院")
    visit = record(world, person, values=values(
        kind=VisitKind.HOSPITAL, leaders="县委副书记", gift="花篮、牛奶", money=Decimal("500.5"),
        feedback="感谢组织关心", needs="出院后需要送餐", hospital_stay=stay), photos=[png(), png("二.png")])
    visit.refresh_from_db()
    assert (visit.kind, visit.money, visit.hospital_stay, visit.organisation, visit.created_by) == (
        VisitKind.HOSPITAL, Decimal("500.50"), stay, world.unit_a, world.unit_a_admin)
    photos = list(visit.photos.all())
    assert len(photos) == 2 and {p.content_type for p in photos} == {"image/png"}
    assert all(p.file.name.startswith(f"visits/{visit.uid}/") and "二" not in p.file.name for p in photos)
    assert (media / photos[0].file.name).read_bytes() == PNG
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="care.visit")
    assert event.personal_data and event.object_id == str(visit.pk) and event.scope_path == person.unit_path
    assert event.changes["needs"] == [None, "出院后需要送餐"] and event.detail["photos"] == 2


def test_the_visiting_organisation_defaults_to_the_node_of_the_role_and_must_lie_in_the_scope(world, person):
    assert record(world, person, user=world.community_a_admin).organisation == world.community_a
    errors = errors_of(lambda: record(world, person, user=world.community_a_admin,
                                      values=values(organisation=world.unit_a)))
    assert "organisation" in errors


@pytest.mark.parametrize(("change", "field"), [
    ({"visited_on": TODAY + datetime.timedelta(days=1)}, "visited_on"),
    ({"visited_on": None}, "visited_on"),
    ({"visited_on": datetime.date(1939, 1, 1)}, "visited_on"),
    ({"visitors": "  "}, "visitors"),
    ({"kind": "party"}, "kind"),
    ({"money": Decimal("-1")}, "money"),
    ({"money": Decimal("12.345")}, "money"),
    ({"money": Decimal("100000000")}, "money"),
    ({"gift": "礼" * 201}, "gift"),
])
def test_a_wrong_value_is_refused_on_its_field_and_nothing_is_saved(world, person, change, field):
    errors = errors_of(lambda: record(world, person, values=values(**change)))
    assert field in errors
    assert not Visit.objects.exists() and not AuditEvent.objects.filter(object_type="care.visit").exists()


def test_every_wrong_field_is_named_at_once(world, person):
    errors = errors_of(lambda: record(world, person, values=values(visitors="", money=Decimal("-5"),
                                                                   visited_on=TODAY + datetime.timedelta(3))))
    assert set(errors) == {"visitors", "money", "visited_on"}


def test_money_is_kept_to_the_fen_and_may_be_zero_or_absent(world, person):
    assert record(world, person, values=values(money="0")).money == Decimal("0.00")
    assert record(world, person, values=values(money=None)).money is None
    assert record(world, person, values=values(money=Decimal("1234.50"))).money == Decimal("1234.50")


def test_the_hospital_stay_must_be_one_of_the_persons_and_begin_before_the_visit(world, person):
    other = make_person(world.unit_a, name="李四")
    theirs = LifeEvent.objects.create(person=other, kind=LifeEventKind.HOSPITAL, starts_on=TODAY, place="医院")
    assert "hospital_stay" in errors_of(lambda: record(world, person, values=values(hospital_stay=theirs)))
    trip = LifeEvent.objects.create(person=person, kind=LifeEventKind.AWAY, starts_on=TODAY, place="北京")
    assert "hospital_stay" in errors_of(lambda: record(world, person, values=values(hospital_stay=trip)))
    later = LifeEvent.objects.create(person=person, kind=LifeEventKind.HOSPITAL, place="医院",
                                     starts_on=TODAY + datetime.timedelta(days=1))
    assert "hospital_stay" in errors_of(lambda: record(world, person, values=values(hospital_stay=later)))


def test_survivors_are_visited_on_the_file_of_the_deceased_and_only_there(world, person):
    assert "kind" in errors_of(lambda: record(world, person, values=values(kind=VisitKind.SURVIVOR)))
    person.deceased_on = datetime.date(2025, 12, 1)
    person.save()
    assert "kind" in errors_of(lambda: record(world, person, values=values(kind=VisitKind.FESTIVAL)))
    visit = record(world, person, values=values(kind=VisitKind.SURVIVOR, visitors="局领导", gift="慰问金",
                                                money=Decimal("1000")))
    assert visit.kind == VisitKind.SURVIVOR and visit.person == person


def test_photos_must_be_images_recognised_from_their_bytes(world, person, media):
    pdf = SimpleUploadedFile("scan.png", b"%PDF-1.4 fake", content_type="image/png")
    assert "photos" in errors_of(lambda: record(world, person, photos=[png(), pdf]))
    text = SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")
    assert "photos" in errors_of(lambda: record(world, person, photos=[text]))
    empty = SimpleUploadedFile("e.png", b"", content_type="image/png")
    assert "photos" in errors_of(lambda: record(world, person, photos=[empty]))
    assert "photos" in errors_of(lambda: record(world, person, photos=[png() for _ in range(MAX_PHOTOS + 1)]))
    assert not Visit.objects.exists() and not list(media.rglob("*.png"))


def test_a_person_outside_the_scope_or_a_role_without_care_management_is_refused(world, person):
    stranger = make_person(world.unit_b, name="乙县老同志")
    with pytest.raises(PermissionDenied):
        record(world, stranger)
    secretary = make_user("secretary", role=Role.BRANCH_SECRETARY, node=world.unit_a)
    with pytest.raises(PermissionDenied):
        record(world, person, user=secretary)
    with pytest.raises(PermissionDenied):
        create_visit(actor=world.unit_a_admin, scope=None, person=person, values=values(), today=TODAY)


@pytest.fixture
def task(world, person):
    campaign = VisitCampaign.objects.create(title="2026年春节慰问", year=2026, node=world.county_a, due_on=TODAY,
                                            scope_path=world.county_a.path, status=CampaignStatus.OPEN)
    return CampaignTask.objects.create(campaign=campaign, person=person, assignee=world.unit_a,
                                       assignee_path=world.unit_a.path)


def test_a_visit_for_a_campaign_task_links_the_task_and_ticks_it_off(world, person, task):
    visit = record(world, person, values=values(kind=VisitKind.FESTIVAL), task=task)
    task.refresh_from_db()
    assert visit.task == task and task.status == TaskStatus.DONE and task.done_on == TODAY
    assert AuditEvent.objects.get(object_type="care.visit").changes["task"] == [None, task.pk]


def test_a_task_already_visited_or_of_another_person_is_refused(world, person, task):
    other = make_person(world.unit_a, name="李四")
    assert "task" in errors_of(lambda: record(world, other, task=task))
    record(world, person, task=task)
    assert "task" in errors_of(lambda: record(world, person, task=task))
    assert Visit.objects.count() == 1
