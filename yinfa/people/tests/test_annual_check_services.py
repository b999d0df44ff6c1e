"""The annual check's services: opening a campaign, confirming, correcting, closing, reminders, the daily job."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from yinfa.core.models import AuditAction, AuditEvent, Job, JobStatus, Notification, OrgKind, RoleGrant, UnitKind
from yinfa.core.permissions import Role
from yinfa.core.scheduling import REGISTRY, discover
from yinfa.core.scope import Scope
from yinfa.core.testing import make_node, make_user
from yinfa.people.models import AnnualCheckCampaign, AnnualCheckItem, CampaignStatus, CheckStatus
from yinfa.people.querysets_annual_check import (
    campaign_items,
    campaigns_visible_to,
    items_visible_to,
    unit_progress,
)
from yinfa.people.services import annual_check
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").filter(user=user).first())


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def county(world):
    """County A with two units (3 + 2 living people, one deceased) and one person in county B."""
    unit_a2 = make_node(world.county_a, OrgKind.UNIT, "甲县教育局", UnitKind.ORGAN)
    finance = [make_person(world.unit_a, name=f"财政{i}", community=world.community_a) for i in range(3)]
    education = [make_person(unit_a2, name=f"教育{i}") for i in range(2)]
    deceased = make_person(world.unit_a, name="故去者", deceased_on=datetime.date(2025, 1, 5))
    elsewhere = make_person(world.unit_b, name="乙县人")
    unit_a2_admin = make_user("a2_unit", role=Role.UNIT_ADMIN, node=unit_a2)
    return SimpleNamespace(world=world, unit_a2=unit_a2, finance=finance, education=education, deceased=deceased,
                           elsewhere=elsewhere, unit_a2_admin=unit_a2_admin, scope=scope_of(world.county_a_admin))


def open_county_check(county, **values):
    values.setdefault("year", timezone.localdate().year)
    values.setdefault("due_on", in_days(60))
    values.setdefault("title", "")
    return annual_check.open_campaign(actor=county.world.county_a_admin, scope=county.scope, **values)


# --- opening ---------------------------------------------------------------------------------------------------

def test_opening_creates_one_item_per_living_person_in_scope_assigned_to_their_unit(county):
    campaign = open_county_check(county)
    items = {item.person_id: item for item in AnnualCheckItem.objects.filter(campaign=campaign)}
    expected = {p.pk for p in county.finance + county.education}
    assert set(items) == expected
    for person in county.finance:
        assert items[person.pk].unit_id == county.world.unit_a.pk
        assert items[person.pk].unit_path == county.world.unit_a.path
    assert {items[p.pk].unit_id for p in county.education} == {county.unit_a2.pk}
    assert all(item.status == CheckStatus.PENDING for item in items.values())
    assert campaign.scope_path == county.world.county_a.path
    assert campaign.title == annual_check.default_title(campaign.year, "甲县")


def test_deceased_people_and_people_of_other_counties_are_not_included(county):
    campaign = open_county_check(county)
    people = set(AnnualCheckItem.objects.filter(campaign=campaign).values_list("person_id", flat=True))
    assert county.deceased.pk not in people
    assert county.elsewhere.pk not in people


def test_opening_is_audited_with_the_number_of_people(county):
    campaign = open_county_check(county, title="2026年度离退休干部信息年检")
    event = AuditEvent.objects.get(object_type="people.annualcheckcampaign", object_id=str(campaign.pk))
    assert event.action == AuditAction.CREATE
    assert event.detail == {"people": 5, "background": False}
    assert event.changes["title"] == [None, "2026年度离退休干部信息年检"]
    assert event.scope_path == county.world.county_a.path


def test_a_second_campaign_for_the_same_year_is_refused(county):
    open_county_check(county)
    with pytest.raises(ValidationError) as error:
        open_county_check(county, due_on=in_days(90))
    assert "year" in error.value.message_dict
    assert AnnualCheckCampaign.objects.count() == 1


def test_the_next_year_may_be_opened_beside_this_one(county):
    open_county_check(county)
    open_county_check(county, year=timezone.localdate().year + 1, due_on=in_days(200))
    assert AnnualCheckCampaign.objects.count() == 2


def test_a_unit_cannot_open_a_check_its_county_already_covers(county):
    open_county_check(county)
    unit_scope = scope_of(county.world.unit_a_admin)
    with pytest.raises(ValidationError) as error:
        annual_check.open_campaign(actor=county.world.unit_a_admin, scope=unit_scope,
                                   year=timezone.localdate().year, due_on=in_days(30), title="")
    assert "甲县" in " ".join(error.value.message_dict["year"])


def test_a_scope_without_living_people_has_nothing_to_check(county):
    community_admin = county.world.community_a_admin
    type(county.finance[0]).objects.filter(community=county.world.community_a).update(community=None,
                                                                                      community_path="")
    with pytest.raises(ValidationError):
        annual_check.open_campaign(actor=community_admin, scope=scope_of(community_admin),
                                   year=timezone.localdate().year, due_on=in_days(30))
    assert not AnnualCheckCampaign.objects.exists()


def test_a_due_date_in_the_past_is_refused(county):
    with pytest.raises(ValidationError) as error:
        open_county_check(county, due_on=in_days(-1))
    assert "due_on" in error.value.message_dict


def test_a_role_without_edit_permission_cannot_open(county):
    liaison = make_user("liaison_a", role=Role.LIAISON, node=county.world.county_a)
    with pytest.raises(PermissionDenied):
        annual_check.open_campaign(actor=liaison, scope=scope_of(liaison), year=timezone.localdate().year,
                                   due_on=in_days(30))


def test_the_default_due_date_is_june_30_unless_that_is_too_close():
    assert annual_check.default_due_on(2026, today=datetime.date(2026, 1, 10)) == datetime.date(2026, 6, 30)
    assert annual_check.default_due_on(2026, today=datetime.date(2026, 6, 20)) == datetime.date(2026, 8, 19)


def test_a_large_scope_is_filled_by_a_background_job_with_progress(county, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    monkeypatch.setattr(annual_check, "SYNC_LIMIT", 2)
    monkeypatch.setattr(annual_check, "BATCH_SIZE", 2)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = open_county_check(county)
    job = Job.objects.get(kind=annual_check.FILL_JOB_KIND)
    assert job.params["campaign"] == campaign.pk
    assert job.status == JobStatus.SUCCEEDED
    assert (job.done, job.total) == (5, 5)
    assert AnnualCheckItem.objects.filter(campaign=campaign).count() == 5
    assert annual_check.preparing_job(campaign) is None
    assert Notification.objects.filter(recipient=county.world.county_a_admin, object_id=str(campaign.pk)).exists()


def test_filling_again_after_an_interruption_completes_without_duplicates(county, monkeypatch):
    monkeypatch.setattr(annual_check, "BATCH_SIZE", 2)
    campaign = open_county_check(county)
    AnnualCheckItem.objects.filter(campaign=campaign, person__in=county.education).delete()
    assert annual_check.fill_items(campaign=campaign, scope=county.scope, each_batch_atomic=True) == 5
    assert AnnualCheckItem.objects.filter(campaign=campaign).count() == 5


# --- visibility ------------------------------------------------------------------------------------------------

def test_a_unit_admin_sees_the_county_campaign_but_only_its_own_items(county):
    campaign = open_county_check(county)
    unit_scope = scope_of(county.world.unit_a_admin)
    assert list(campaigns_visible_to(unit_scope)) == [campaign]
    mine = set(campaign_items(campaign, unit_scope).values_list("person_id", flat=True))
    assert mine == {p.pk for p in county.finance}
    assert set(items_visible_to(unit_scope).values_list("person_id", flat=True)) == mine


def test_a_community_sees_the_items_of_the_people_living_there(county):
    campaign = open_county_check(county)
    community_scope = scope_of(county.world.community_a_admin)
    assert list(campaigns_visible_to(community_scope)) == [campaign]
    assert set(campaign_items(campaign, community_scope).values_list("person_id", flat=True)) == {
        p.pk for p in county.finance}


def test_the_sibling_county_sees_neither_the_campaign_nor_its_items(county):
    open_county_check(county)
    b_scope = scope_of(county.world.county_b_admin)
    assert not campaigns_visible_to(b_scope).exists()
    assert not items_visible_to(b_scope).exists()
    assert not campaigns_visible_to(None).exists()
    assert not items_visible_to(None).exists()


def test_the_city_sees_the_county_campaign_and_all_its_items(county):
    campaign = open_county_check(county)
    city_scope = scope_of(county.world.city_admin)
    assert list(campaigns_visible_to(city_scope)) == [campaign]
    assert campaign_items(campaign, city_scope).count() == 5


# --- confirming ------------------------------------------------------------------------------------------------

def item_of(campaign, person):
    return AnnualCheckItem.objects.get(campaign=campaign, person=person)


def test_confirming_with_everything_right_marks_it_confirmed_and_audits_it(county):
    campaign = open_county_check(county)
    item = item_of(campaign, county.finance[0])
    unit_admin = county.world.unit_a_admin
    annual_check.confirm_item(actor=unit_admin, scope=scope_of(unit_admin), item=item)
    item.refresh_from_db()
    assert item.status == CheckStatus.CONFIRMED
    assert (item.alive, item.address_ok, item.phone_ok, item.status_ok) == (True, True, True, True)
    assert item.confirmed_by == unit_admin and item.confirmed_at is not None
    event = AuditEvent.objects.get(object_type="people.annualcheckitem", object_id=str(item.pk))
    assert event.action == AuditAction.UPDATE and event.actor == unit_admin
    assert event.changes["status"] == ["pending", "confirmed"]
    assert event.detail == {"campaign": campaign.pk, "person": county.finance[0].pk}


def test_something_wrong_needs_a_note_and_then_marks_it_corrected(county):
    campaign = open_county_check(county)
    item = item_of(campaign, county.finance[1])
    with pytest.raises(ValidationError) as error:
        annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope, item=item, phone_ok=False)
    assert "note" in error.value.message_dict
    annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope, item=item, phone_ok=False,
                              note="  手机号已更正为新号码 ")
    item.refresh_from_db()
    assert item.status == CheckStatus.CORRECTED
    assert item.phone_ok is False and item.note == "手机号已更正为新号码"
    event = AuditEvent.objects.get(object_type="people.annualcheckitem", object_id=str(item.pk))
    assert event.changes["status"] == ["pending", "corrected"]
    assert event.changes["note"] == ["", "手机号已更正为新号码"]


def test_not_alive_asks_to_record_the_death_in_the_file_and_changes_nothing(county):
    campaign = open_county_check(county)
    person = county.finance[2]
    item = item_of(campaign, person)
    with pytest.raises(ValidationError) as error:
        annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope, item=item, alive=False,
                                  note="已去世")
    assert list(error.value.message_dict) == ["alive"]
    item.refresh_from_db()
    person.refresh_from_db()
    assert item.status == CheckStatus.PENDING and person.deceased_on is None
    assert not AuditEvent.objects.filter(object_type="people.annualcheckitem").exists()
    # once the file records the death, the check says so
    type(person).objects.filter(pk=person.pk).update(deceased_on=in_days(-3))
    annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope, item=item, alive=False,
                              note="已在档案中登记去世")
    item.refresh_from_db()
    assert item.status == CheckStatus.CORRECTED and item.alive is False


def test_confirming_in_a_closed_campaign_is_refused(county):
    campaign = open_county_check(county)
    annual_check.close_campaign(actor=county.world.county_a_admin, scope=county.scope, campaign=campaign)
    with pytest.raises(ValidationError):
        annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope,
                                  item=item_of(campaign, county.finance[0]))


def test_confirming_many_touches_only_pending_items_and_audits_each(county):
    campaign = open_county_check(county)
    first = item_of(campaign, county.finance[0])
    annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope, item=first, phone_ok=False,
                              note="已更正")
    unit_admin = county.world.unit_a_admin
    unit_scope = scope_of(unit_admin)
    chosen = campaign_items(campaign, unit_scope).filter(person__in=county.finance)
    assert annual_check.confirm_many(actor=unit_admin, scope=unit_scope, campaign=campaign, items=chosen) == 2
    statuses = dict(AnnualCheckItem.objects.filter(campaign=campaign, person__in=county.finance)
                    .values_list("person_id", "status"))
    assert statuses == {county.finance[0].pk: CheckStatus.CORRECTED, county.finance[1].pk: CheckStatus.CONFIRMED,
                        county.finance[2].pk: CheckStatus.CONFIRMED}
    events = AuditEvent.objects.filter(object_type="people.annualcheckitem", actor=unit_admin)
    assert events.count() == 2
    assert {e.changes["status"][1] for e in events} == {"confirmed"}
    assert all(e.detail["batch"] == 2 for e in events)


def test_closing_needs_a_role_at_or_above_the_campaign(county):
    campaign = open_county_check(county)
    with pytest.raises(PermissionDenied):
        annual_check.close_campaign(actor=county.world.unit_a_admin, scope=scope_of(county.world.unit_a_admin),
                                    campaign=campaign)
    annual_check.close_campaign(actor=county.world.county_a_admin, scope=county.scope, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED and campaign.closed_at is not None
    assert AuditEvent.objects.filter(object_type="people.annualcheckcampaign", action=AuditAction.UPDATE).exists()
    with pytest.raises(ValidationError):
        annual_check.close_campaign(actor=county.world.county_a_admin, scope=county.scope, campaign=campaign)


# --- progress --------------------------------------------------------------------------------------------------

def test_progress_per_unit_counts_each_status_and_lists_the_lowest_first(county):
    campaign = open_county_check(county)
    scope, actor = county.scope, county.world.county_a_admin
    annual_check.confirm_item(actor=actor, scope=scope, item=item_of(campaign, county.finance[0]))
    annual_check.confirm_item(actor=actor, scope=scope, item=item_of(campaign, county.education[0]))
    annual_check.confirm_item(actor=actor, scope=scope, item=item_of(campaign, county.education[1]),
                              address_ok=False, note="地址已更正")
    rows = unit_progress(campaign_items(campaign, scope))
    assert [(r["unit_id"], r["planned"], r["confirmed"], r["corrected"], r["pending"], r["percent"])
            for r in rows] == [
        (county.world.unit_a.pk, 3, 1, 0, 2, 33),
        (county.unit_a2.pk, 2, 1, 1, 0, 100),
    ]
    assert rows[1]["complete"] and not rows[0]["complete"]


# --- reminders -------------------------------------------------------------------------------------------------

def reminders_to(user):
    return Notification.objects.filter(recipient=user, object_type="core.orgnode")


@pytest.fixture
def lagging(county, django_capture_on_commit_callbacks):
    """A campaign due in 10 days where the education bureau is done and the finance bureau lags."""
    campaign = open_county_check(county, due_on=in_days(10))
    for person in county.education:
        annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope,
                                  item=item_of(campaign, person))
    return campaign


def test_reminders_go_only_to_the_administrators_of_lagging_units(county, lagging,
                                                                   django_capture_on_commit_callbacks):
    parent_admin = make_user("a_parent", role=Role.UNIT_ADMIN, node=county.world.county_a)
    b_unit_admin = make_user("b_unit", role=Role.UNIT_ADMIN, node=county.world.unit_b)
    with django_capture_on_commit_callbacks(execute=True):
        result = annual_check.send_reminders(campaign=lagging)
    assert result == {"units": 1, "accounts": 2, "already": 0, "unattended": 0}
    note = reminders_to(county.world.unit_a_admin).get()
    assert note.object_id == str(county.world.unit_a.pk)
    assert note.url.endswith(f"/confirm/?unit={county.world.unit_a.pk}")
    assert "3" in note.body and "甲县财政局" in note.title
    assert reminders_to(parent_admin).count() == 1  # a unit administrator above the unit, within the county
    assert not reminders_to(county.unit_a2_admin).exists()  # that unit is done
    assert not reminders_to(b_unit_admin).exists()
    assert not reminders_to(county.world.county_a_admin).exists()  # bureau staff are not unit administrators
    event = AuditEvent.objects.get(object_type="people.annualcheckcampaign", action=AuditAction.SYSTEM)
    assert event.detail["reminders"]["units"] == 1


def test_reminders_go_at_most_once_a_day_per_unit(county, lagging, django_capture_on_commit_callbacks):
    morning = timezone.make_aware(datetime.datetime.combine(in_days(1), datetime.time(8, 0)))
    with time_machine.travel(morning, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert annual_check.send_reminders(campaign=lagging)["units"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            again = annual_check.send_reminders(campaign=lagging)
    assert again["units"] == 0 and again["already"] == 1
    with time_machine.travel(morning + datetime.timedelta(hours=14), tick=False):  # 22:00 the same day
        with django_capture_on_commit_callbacks(execute=True):
            assert annual_check.send_reminders(campaign=lagging)["units"] == 0
    with time_machine.travel(morning + datetime.timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert annual_check.send_reminders(campaign=lagging)["units"] == 1
    assert reminders_to(county.world.unit_a_admin).count() == 2


def test_no_reminder_while_the_due_date_is_far_unless_forced(county, django_capture_on_commit_callbacks):
    campaign = open_county_check(county, due_on=in_days(40))
    with django_capture_on_commit_callbacks(execute=True):
        assert annual_check.send_reminders(campaign=campaign)["units"] == 0
    assert not reminders_to(county.world.unit_a_admin).exists()
    with django_capture_on_commit_callbacks(execute=True):
        result = annual_check.send_reminders(campaign=campaign, actor=county.world.county_a_admin,
                                             scope=county.scope, force=True)
    assert result["units"] == 2
    assert reminders_to(county.world.unit_a_admin).exists() and reminders_to(county.unit_a2_admin).exists()


def test_a_unit_admin_cannot_send_the_county_reminders(county, lagging):
    with pytest.raises(PermissionDenied):
        annual_check.send_reminders(campaign=lagging, actor=county.world.unit_a_admin,
                                    scope=scope_of(county.world.unit_a_admin), force=True)


def test_a_lagging_unit_without_administrator_is_counted_as_unattended(county, lagging,
                                                                        django_capture_on_commit_callbacks):
    RoleGrant.objects.filter(user=county.world.unit_a_admin).update(revoked_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        result = annual_check.send_reminders(campaign=lagging)
    assert result == {"units": 0, "accounts": 0, "already": 0, "unattended": 1}


def test_a_closed_campaign_sends_no_reminders(county, lagging, django_capture_on_commit_callbacks):
    annual_check.close_campaign(actor=county.world.county_a_admin, scope=county.scope, campaign=lagging)
    with django_capture_on_commit_callbacks(execute=True):
        assert annual_check.send_reminders(campaign=lagging, force=True)["units"] == 0


# --- the daily job ---------------------------------------------------------------------------------------------

def test_the_daily_job_is_registered_with_the_scheduler():
    discover()
    job = REGISTRY["annual_check_reminders"]
    assert job.every == datetime.timedelta(days=1)
    assert job.task_path == "yinfa.people.tasks.annual_check_reminders"


def test_the_daily_job_reminds_for_campaigns_due_within_14_days_or_overdue(county, world,
                                                                            django_capture_on_commit_callbacks):
    from yinfa.people.tasks import annual_check_reminders

    near = open_county_check(county, due_on=in_days(14))
    far_unit_admin = make_user("b_unit", role=Role.UNIT_ADMIN, node=world.unit_b)
    b_scope = scope_of(world.county_b_admin)
    annual_check.open_campaign(actor=world.county_b_admin, scope=b_scope, year=timezone.localdate().year,
                               due_on=in_days(15))
    with django_capture_on_commit_callbacks(execute=True):
        result = annual_check_reminders.call()
    assert result == {"campaigns": 1, "units": 2, "accounts": 2}
    assert reminders_to(world.unit_a_admin).get().url.startswith(f"/people/annual-check/{near.pk}/")
    assert not reminders_to(far_unit_admin).exists()
    # weeks later the county B campaign is overdue: it is reminded too, county A's units only once a day
    with time_machine.travel(timezone.now() + datetime.timedelta(days=20), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert annual_check_reminders.call()["campaigns"] == 2
    overdue = reminders_to(far_unit_admin).get()
    b_campaign = AnnualCheckCampaign.objects.get(node=world.county_b)
    with translation.override(settings.LANGUAGE_CODE):
        expected = translation.gettext(
            "%(pending)s of %(planned)s people of %(unit)s are not confirmed yet. The check was due on %(due)s; "
            "please confirm them now.") % {"pending": 1, "planned": 1, "unit": world.unit_b.name,
                                           "due": b_campaign.due_on.isoformat()}
    assert overdue.body == expected
