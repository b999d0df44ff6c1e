"""Provider suggestions for an order: the person's own community first, then providers matching the kind of service
or a skill, then the rest; and retirees with talents for the resource list."""

import pytest
from django.urls import reverse

from yinfa.core.testing import login
from yinfa.needs.models import ProviderKind, ServiceCategory
from yinfa.needs.suggestions import rank, suggest_providers, talents
from yinfa.needs.tests.order_fixtures import S, make_item, make_resource, order_world, scope_of  # noqa: F401
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def providers(ow):
    world = ow.world
    ow.by_volunteer.delete()
    ow.by_shop.delete()
    return {
        "other_kind_elsewhere": make_resource(world.county_a, name="A县法律援助中心",
                                              categories=[ServiceCategory.LEGAL]),
        "same_kind_elsewhere": make_resource(world.county_a, name="B县城美发店",
                                             categories=[ServiceCategory.HAIRCUT]),
        "skill_elsewhere": make_resource(world.county_a, name="C退休理发师", categories=[ServiceCategory.OTHER],
                                         skills="理发 修面"),
        "community_other_kind": make_resource(world.county_a, name="D东门助餐点", categories=[ServiceCategory.ERRANDS],
                                              community=world.community_a),
        "community_same_kind": make_resource(world.community_a, name="E东门理发志愿队",
                                             categories=[ServiceCategory.HAIRCUT]),
        "inactive": make_resource(world.community_a, name="F停用", categories=[ServiceCategory.HAIRCUT],
                                  active=False),
        "elsewhere_county": make_resource(world.county_b, name="G乙县理发", categories=[ServiceCategory.HAIRCUT]),
    }


def test_the_persons_community_comes_first_then_matching_kind_or_skill_then_the_rest(ow, providers):
    order = ow.order_in(S.ACCEPTED)
    ranked = suggest_providers(order, scope_of(ow.staff))
    names = [s.resource.provider_name for s in ranked]
    assert names == ["E东门理发志愿队", "D东门助餐点", "B县城美发店", "C退休理发师", "A县法律援助中心"]
    first = ranked[0]
    assert first.same_community and first.kind_matches
    skill = next(s for s in ranked if s.resource.provider_name == "C退休理发师")
    assert skill.skills == ["理发"] and not skill.kind_matches and skill.matches
    assert not ranked[-1].matches and not ranked[-1].same_community


def test_inactive_providers_and_those_of_another_county_are_never_suggested(ow, providers):
    names = {s.resource.provider_name for s in suggest_providers(ow.order_in(S.ACCEPTED), scope_of(ow.county_staff))}
    assert "F停用" not in names and "G乙县理发" not in names


def test_a_skill_named_in_what_the_person_asked_for_counts(ow, providers):
    order = ow.order_in(S.ACCEPTED, details="顺便修面")
    ranked = rank([providers["skill_elsewhere"], providers["same_kind_elsewhere"]], order)
    assert ranked[0].resource == providers["same_kind_elsewhere"]  # the kind of service outranks a skill
    assert ranked[1].skills == ["理发", "修面"]


def test_the_assign_page_shows_the_suggestions_in_order_with_their_reasons(ow, providers):
    order = ow.order_in(S.ACCEPTED)
    page = login(ow.staff).get(reverse("needs:order_assign", args=[order.pk])).content.decode()
    positions = [page.index(name) for name in ("E东门理发志愿队", "D东门助餐点", "B县城美发店", "C退休理发师")]
    assert positions == sorted(positions)
    assert page.count('data-testid="tag-community"') == 2 and "G乙县理发" not in page


def test_talents_are_retirees_of_the_scope_with_specialties_matching_first_any_word(ow):
    world = ow.world
    make_person(world.unit_a, community=world.community_a, name="书法家", specialties="书法 篆刻")
    make_person(world.unit_a, community=world.community_a, name="老医生", specialties="中医，针灸")
    make_person(world.unit_a, community=world.community_a, name="没特长")
    make_person(world.unit_b, community=world.community_b, name="乙县书法家", specialties="书法")
    scope = scope_of(ow.staff)
    assert {p.name for p in talents(scope)} == {"书法家", "老医生"}
    assert [p.name for p in talents(scope, "针灸 推拿")] == ["老医生"]
    assert [p.name for p in talents(scope_of(ow.county_staff), "书法")] == ["书法家"]


def test_the_resource_form_suggests_talents_and_pre_fills_one(ow):
    talent = make_person(ow.world.unit_a, community=ow.world.community_a, name="书法家", specialties="书法 篆刻")
    client = login(ow.staff)
    page = client.get(reverse("needs:resource_create"), {"talent": "书法"}).content.decode()
    assert "书法家" in page and f"?person={talent.pk}" in page
    form = client.get(reverse("needs:resource_create"), {"person": talent.pk}).context["form"]
    assert form.initial["provider_kind"] == ProviderKind.RETIREE and form.initial["provider_person"] == talent.pk
    assert form.initial["skills"] == "书法 篆刻" and form.initial["community"] == ow.world.community_a.pk


def test_an_item_description_names_a_skill_too(ow):
    item = make_item(ow.world.community_a, name="家电维修", category=ServiceCategory.HOUSEHOLD,
                     description="修电视、修冰箱")
    electrician = make_resource(ow.world.county_a, name="电工", categories=[ServiceCategory.OTHER], skills="修冰箱")
    painter = make_resource(ow.world.county_a, name="油漆工", categories=[ServiceCategory.OTHER], skills="刷墙")
    order = ow.place(item=item)
    assert [s.resource for s in rank([painter, electrician], order)] == [electrician, painter]
