"""Care policies: the defaults, an organisation's override for itself and below, a condition switched off, the
nearest organisation winning, and the same answers in Python (one person) and in SQL (lists and jobs)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yinfa.care import policies
from yinfa.care.models import CareAssignment, CarePolicy, Condition
from yinfa.care.services import contacts as services
from yinfa.care.tests.test_contacts_helpers import assign, born_years_ago, care_fixture, scope_of  # noqa: F401
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.people.models import LivingStatus, Person, SelfCare
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


def interval(person):
    person.refresh_from_db()
    return policies.effective_policy(person, timezone.localdate()).interval_days


def sql_intervals(people):
    rows = policies.vulnerable(Person.objects.filter(pk__in=[p.pk for p in people]), timezone.localdate())
    return dict(rows.values_list("pk", "care_interval"))


def set_policy(user, condition, days, active=True):
    return services.set_policy(actor=user, scope=scope_of(user), condition=condition, interval_days=days,
                               active=active)


def test_the_defaults_apply_where_no_organisation_has_a_policy(care):
    assert interval(care.alone) == 7
    assert interval(care.dependent) == 7
    assert interval(care.aged) == 7
    assert interval(care.empty_nest) == 14
    assert interval(care.ordinary) is None
    assert interval(care.dead) is None


def test_the_smallest_interval_of_the_matching_conditions_counts(care):
    care.empty_nest.self_care = SelfCare.DEPENDENT
    care.empty_nest.save()
    effective = policies.effective_policy(care.empty_nest, timezone.localdate())
    assert effective.interval_days == 7
    assert {rule.condition for rule in effective.matched} == {Condition.EMPTY_NEST, Condition.DEPENDENT}


def test_being_ninety_counts_from_the_birthday(care):
    today = timezone.localdate()
    turning = make_person(care.world.unit_a, name="今天九十", community=care.world.community_a,
                          born=born_years_ago(90, today))
    tomorrow = make_person(care.world.unit_a, name="明天九十", community=care.world.community_a,
                           born=born_years_ago(90, today, days=1))
    assert interval(turning) == 7
    assert interval(tomorrow) is None
    assert policies.born_on_or_before_for_age(datetime.date(2028, 2, 29)) == datetime.date(1938, 2, 28)


def test_a_community_override_applies_to_its_residents_only(care):
    set_policy(care.staff, Condition.EMPTY_NEST, 10)
    assert interval(care.empty_nest) == 10
    assert interval(care.west_person) == 14


def test_a_condition_switched_off_no_longer_matches(care):
    set_policy(care.world.county_a_admin, Condition.ALONE, 7, active=False)
    assert interval(care.alone) is None
    assert interval(care.dependent) == 7
    assert interval(care.b_person) == 7  # county B keeps the default


def test_the_nearest_organisation_on_the_path_wins(care):
    set_policy(care.world.county_a_admin, Condition.ALONE, 6)
    assert interval(care.alone) == 6
    set_policy(care.street_admin, Condition.ALONE, 4)
    assert interval(care.alone) == 4
    set_policy(care.staff, Condition.ALONE, 3)
    assert interval(care.alone) == 3
    services.clear_policy(actor=care.staff, scope=care.staff_scope, condition=Condition.ALONE)
    assert interval(care.alone) == 4


def test_a_community_may_switch_back_on_what_the_county_switched_off(care):
    set_policy(care.world.county_a_admin, Condition.ALONE, 7, active=False)
    set_policy(care.staff, Condition.ALONE, 5)
    assert interval(care.alone) == 5
    assert interval(care.no_community) is None  # no community: the unit's path, under the county's "off"


def test_someone_without_a_community_follows_the_policy_on_their_units_path(care):
    row = CarePolicy.objects.create(node=care.world.unit_a, node_path=care.world.unit_a.path,
                                    condition=Condition.ALONE, interval_days=9)
    assert interval(care.no_community) == 9
    assert interval(care.alone) == 7  # lives in a community: the unit's policy does not apply
    assert row.pk


def test_python_and_sql_give_the_same_intervals(care):
    set_policy(care.world.county_a_admin, Condition.EMPTY_NEST, 12)
    set_policy(care.staff, Condition.AGED_90, 2)
    set_policy(care.street_admin, Condition.DEPENDENT, 5, active=False)
    everyone = [care.alone, care.dependent, care.aged, care.empty_nest, care.ordinary, care.dead, care.west_person,
                care.no_community, care.b_person]
    expected = {p.pk: interval(p) for p in everyone if interval(p) is not None}
    assert sql_intervals(everyone) == expected
    assert expected[care.aged.pk] == 2 and expected[care.west_person.pk] == 12
    assert care.dependent.pk not in expected


def test_a_bureau_or_community_administrator_sets_the_policy_and_it_is_audited(care):
    row = set_policy(care.staff, Condition.EMPTY_NEST, 10)
    assert (row.node, row.node_path, row.updated_by) == (care.world.community_a, care.world.community_a.path,
                                                         care.staff)
    set_policy(care.staff, Condition.EMPTY_NEST, 12, active=False)
    services.clear_policy(actor=care.staff, scope=care.staff_scope, condition=Condition.EMPTY_NEST)
    actions = list(AuditEvent.objects.filter(object_type="care.carepolicy").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    update = AuditEvent.objects.get(object_type="care.carepolicy", action=AuditAction.UPDATE)
    assert update.changes == {"interval_days": [10, 12], "active": [True, False]}


def test_a_unit_administrator_or_a_volunteer_cannot_set_a_policy(care):
    with pytest.raises(PermissionDenied):
        set_policy(care.world.unit_a_admin, Condition.ALONE, 5)
    with pytest.raises(PermissionDenied):
        set_policy(care.volunteer, Condition.ALONE, 5)


@pytest.mark.parametrize("days", [0, 61, None])
def test_the_interval_is_from_1_to_60_days(care, days):
    with pytest.raises(ValidationError) as caught:
        set_policy(care.staff, Condition.ALONE, days)
    assert "interval_days" in caught.value.message_dict


def test_a_new_interval_applies_to_the_current_assignments_below(care):
    assignment = assign(care, care.empty_nest)
    assert (assignment.interval_days, assignment.next_due_on) == (14, timezone.localdate() + datetime.timedelta(14))
    set_policy(care.staff, Condition.EMPTY_NEST, 10)
    assignment.refresh_from_db()
    assert (assignment.interval_days, assignment.next_due_on) == (10, timezone.localdate() + datetime.timedelta(10))
    set_policy(care.staff, Condition.EMPTY_NEST, 10, active=False)  # no longer matches: the assignment stays
    assignment.refresh_from_db()
    assert assignment.interval_days == 10 and assignment.ended_on is None
    assert CareAssignment.objects.count() == 1


def test_the_unassigned_follow_the_policies(care):
    def names():
        return set(policies.unassigned(care.county_scope, timezone.localdate()).values_list("name", flat=True))

    assert names() == {"独居老人", "失能老人", "高龄老人", "空巢老人", "西门空巢", "无社区独居"}
    set_policy(care.staff, Condition.EMPTY_NEST, 14, active=False)
    assert "空巢老人" not in names() and "西门空巢" in names()
    care.ordinary.living_status = LivingStatus.ALONE
    care.ordinary.save()
    assert "普通老人" in names()
