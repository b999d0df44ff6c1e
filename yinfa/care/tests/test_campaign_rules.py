"""Who a campaign visits (the criteria groups, their union, living people within the organisation), who visits
them (unit or community), and the due date from the lunar calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from yinfa.care import campaign_rules as rules
from yinfa.care.models import Festival
from yinfa.care.tests.test_campaign_helpers import SPRING_2026, build_roster, criteria

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(world):
    return build_roster(world)


def drawn(world, *groups, node=None, visited_by="unit", day=SPRING_2026, **ages):
    cleaned = rules.clean_criteria(criteria(*groups, visited_by=visited_by, **ages))
    return {person: (node_id, path) for person, node_id, path in
            rules.draw(cleaned, node or world.county_a, day)}


def test_the_lixiu_group_is_every_living_lixiu_cadre_of_the_organisation(world, roster):
    assert set(drawn(world, "lixiu")) == {roster.lixiu.pk, roster.both.pk, roster.outside_unit.pk}


def test_the_dependent_group_is_everyone_who_cannot_look_after_themselves(world, roster):
    assert set(drawn(world, "dependent")) == {roster.dependent.pk, roster.both.pk}


def test_living_alone_counts_from_the_age_reached_on_the_due_date(world, roster):
    assert set(drawn(world, "alone_aged")) == {roster.alone_80.pk}
    assert set(drawn(world, "alone_aged", alone_age=79)) == {roster.alone_80.pk, roster.alone_79.pk}


def test_the_age_group_takes_everyone_from_that_age(world, roster):
    assert set(drawn(world, "aged", age=90)) == {roster.lixiu.pk, roster.aged_92.pk}
    assert roster.lixiu.pk in drawn(world, "aged", age=95)
    assert roster.aged_92.pk not in drawn(world, "aged", age=95)


def test_survivors_households_are_deceased_files_with_a_living_survivor(world, roster):
    assert set(drawn(world, "survivors")) == {roster.dead_with_survivor.pk}


def test_the_union_of_groups_lists_each_person_once(world, roster):
    rows = rules.draw(rules.clean_criteria(criteria("lixiu", "dependent", "aged", age=90)), world.county_a,
                      SPRING_2026)
    people = [row[0] for row in rows]
    assert len(people) == len(set(people))
    assert set(people) == {roster.lixiu.pk, roster.both.pk, roster.outside_unit.pk, roster.dependent.pk,
                           roster.aged_92.pk}


def test_only_living_people_are_visited_except_the_survivors_households(world, roster):
    everyone = drawn(world, "lixiu", "dependent", "alone_aged", "aged", age=50)
    assert roster.dead_lixiu.pk not in everyone
    assert roster.dead_with_survivor.pk not in everyone
    assert roster.dead_lixiu.pk not in drawn(world, "lixiu", "survivors")


def test_only_people_within_the_campaigns_organisation_are_drawn(world, roster):
    assert roster.county_b.pk not in drawn(world, "lixiu")
    assert set(drawn(world, "lixiu", node=world.unit_a)) == {roster.lixiu.pk, roster.both.pk}
    assert set(drawn(world, "lixiu", node=world.county_b)) == {roster.outside_unit.pk, roster.county_b.pk}


def test_the_former_unit_visits_and_the_community_takes_those_whose_unit_is_outside(world, roster):
    rows = drawn(world, "lixiu")
    assert rows[roster.lixiu.pk] == (world.unit_a.pk, world.unit_a.path)
    assert rows[roster.outside_unit.pk] == (world.community_a.pk, world.community_a.path)


def test_the_community_visits_and_the_unit_takes_those_without_a_community(world, roster):
    rows = drawn(world, "lixiu", "aged", age=90, visited_by="community")
    assert rows[roster.lixiu.pk] == (world.community_a.pk, world.community_a.path)
    assert rows[roster.aged_92.pk] == (world.unit_a.pk, world.unit_a.path)


def test_the_preview_counts_each_group_and_each_visiting_organisation(world, roster):
    cleaned = rules.clean_criteria(criteria("lixiu", "dependent"))
    preview = rules.preview(cleaned, world.county_a, SPRING_2026)
    assert preview.total == 4
    assert [(g, n) for g, _label, n in preview.groups] == [("lixiu", 3), ("dependent", 2)]
    assert preview.overlap == 1
    assert {name: n for _pk, name, _kind, n in preview.organisations} == {"甲县财政局": 3, "东门社区": 1}


def test_the_spring_festival_2026_falls_on_17_february_and_double_ninth_on_18_october():
    assert rules.festival_date(Festival.SPRING, 2026) == datetime.date(2026, 2, 17)
    assert rules.festival_date(Festival.DOUBLE_NINTH, 2026) == datetime.date(2026, 10, 18)
    assert rules.clean_due_date(Festival.SPRING, 2026, None) == datetime.date(2026, 2, 17)
    assert rules.clean_due_date(Festival.DOUBLE_NINTH, 2026, None) == datetime.date(2026, 10, 18)


def test_the_planner_may_move_the_due_date_up_to_120_days_earlier_or_60_days_later():
    assert rules.clean_due_date(Festival.SPRING, 2026, datetime.date(2026, 2, 10)) == datetime.date(2026, 2, 10)
    assert rules.clean_due_date(Festival.DOUBLE_NINTH, 2026, datetime.date(2026, 12, 15)) == datetime.date(2026, 12,
                                                                                                           15)
    with pytest.raises(ValidationError):
        rules.clean_due_date(Festival.SPRING, 2026, datetime.date(2026, 4, 20))
    with pytest.raises(ValidationError):
        rules.clean_due_date(Festival.SPRING, 2026, datetime.date(2025, 6, 1))


def test_another_occasion_needs_an_explicit_date_in_its_year():
    assert rules.clean_due_date(Festival.OTHER, 2026, datetime.date(2026, 7, 1)) == datetime.date(2026, 7, 1)
    with pytest.raises(ValidationError):
        rules.clean_due_date(Festival.OTHER, 2026, None)
    with pytest.raises(ValidationError):
        rules.clean_due_date(Festival.OTHER, 2026, datetime.date(2027, 1, 2))


def test_criteria_need_a_known_group_and_sensible_ages():
    assert rules.clean_criteria({"groups": ["aged", "lixiu"]}) == {
        "groups": ["lixiu", "aged"], "alone_age": 80, "age": 90, "visited_by": "unit"}
    for wrong in ({"groups": []}, {"groups": ["rich"]}, {"groups": ["aged"], "age": 30},
                  {"groups": ["lixiu"], "visited_by": "volunteers"}):
        with pytest.raises(ValidationError):
            rules.clean_criteria(wrong)


def test_the_default_year_is_next_year_once_the_festival_is_past():
    assert rules.default_year(Festival.SPRING, datetime.date(2026, 3, 1)) == 2027
    assert rules.default_year(Festival.DOUBLE_NINTH, datetime.date(2026, 3, 1)) == 2026


def test_stored_criteria_without_a_known_group_draw_nobody(world, roster):
    assert rules.draw({"groups": ["alone_over"]}, world.county_a, SPRING_2026) == []
    assert rules.preview({"groups": []}, world.county_a, SPRING_2026).total == 0
    assert set(p for p, _n, _path in rules.draw({"groups": ["lixiu"]}, world.county_a, SPRING_2026)) == {
        roster.lixiu.pk, roster.both.pk, roster.outside_unit.pk}
