"""The person list (人员档案): scope, filters, name/pinyin/initials search, exact lookup by ID or phone
(posted, never in a URL), keyset pagination for each sort, masked values and a constant number of queries."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from yinfa.core.models import OrgKind, RoleGrant
from yinfa.core.scope import Scope
from yinfa.core.testing import login, make_node
from yinfa.people import idnumbers
from yinfa.people.filters import years_before
from yinfa.people.models import Category, Gender, Level, LivingStatus, Person, PoliticalStatus, SelfCare
from yinfa.people.selectors import person_list_page
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db

# Queries of one list page: session (read and its activity stamp: 3), user, grants, notifications, the
# probe (ids of at most COUNT_CAP matches, also the count), the page, the organisation options. Independent of
# the number of rows.
LIST_QUERIES = 10
NOT_FOUND = ("No file in your scope has this ID number or mobile number. Check the number, or create the file "
             "with “New file”.")
MALFORMED = ("Type a full 18-character ID number (or an old 15-digit one) or an 11-digit mobile number. %s")


def zh(msgid):
    """A message as the page shows it (the zh-hans catalogue, or the msgid while it is untranslated)."""
    with translation.override("zh-hans"):
        return html.escape(translation.gettext(msgid), quote=False)


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").get(user=user))


def names_in(response):
    return re.findall(r'data-testid="person-row">\s*<td[^>]*><a href="[^"]+" class="fw-semibold">([^<]+)</a>',
                      response.content.decode())


def born_aged(age, today=None):
    """A birth date giving ``age`` years today (born 30 days after the birthday, to stay clear of edges)."""
    today = today or timezone.localdate()
    return years_before(today, age) - datetime.timedelta(days=30)


@pytest.fixture
def people(world):
    """County A people with varied attributes, one county B person of the same name."""
    branch = make_node(world.unit_a, OrgKind.BRANCH, "财政局离退休党支部")
    unit_2 = make_node(world.county_a, OrgKind.UNIT, "甲县教育局")
    made = {
        "wang": make_person(world.unit_a, name="王国华", born=born_aged(92), category=Category.LIXIU,
                            community=world.community_a, branch=branch, treatment=Level.BUREAU_DEPUTY,
                            political_status=PoliticalStatus.PARTY_MEMBER, living_status=LivingStatus.ALONE,
                            self_care=SelfCare.PARTLY, joined_revolution_on=datetime.date(1946, 3, 1)),
        "wanggang": make_person(unit_2, name="王刚", born=born_aged(75), political_status=PoliticalStatus.MASSES,
                                lives_elsewhere=True, elsewhere_place="海南三亚"),
        "li": make_person(unit_2, name="李明", born=born_aged(68), gender=Gender.FEMALE,
                          living_status=LivingStatus.WITH_CHILDREN, self_care=SelfCare.INDEPENDENT),
        "zhang": make_person(world.unit_a, name="张百岁", born=born_aged(101), community=world.community_a),
        "dead": make_person(world.unit_a, name="赵已故", born=born_aged(88), deceased_on=datetime.date(2025, 1, 2)),
        "b": make_person(world.unit_b, name="王国华", born=born_aged(80), community=world.community_b),
    }
    made["branch"], made["unit_2"] = branch, unit_2
    return made


def listed(client, **params):
    response = client.get(reverse("people:person_list"), params)
    assert response.status_code == 200
    return sorted(names_in(response))


def test_the_list_shows_the_living_people_of_the_scope_only(world, people):
    client = login(world.county_a_admin)
    assert listed(client) == sorted(["王国华", "王刚", "李明", "张百岁"])
    # A community administrator sees the people anchored in the community.
    assert listed(login(world.community_a_admin)) == sorted(["王国华", "张百岁"])
    # County B sees its own 王国华 only.
    response = login(world.county_b_admin).get(reverse("people:person_list"))
    assert names_in(response) == ["王国华"] and "甲县财政局" not in response.content.decode()


@pytest.mark.parametrize("params, expected", [
    ({"category": "lixiu"}, ["王国华"]),
    ({"category": "tuixiu"}, ["张百岁", "李明", "王刚"]),
    ({"age": "lt70"}, ["李明"]),
    ({"age": "70"}, ["王刚"]),
    ({"age": "80"}, []),
    ({"age": "90"}, ["王国华"]),
    ({"age": "100"}, ["张百岁"]),
    ({"treatment": "bureau_deputy"}, ["王国华"]),
    ({"political_status": "masses"}, ["王刚"]),
    ({"living_status": "with_children"}, ["李明"]),
    ({"self_care": "partly"}, ["王国华"]),
    ({"elsewhere": "yes"}, ["王刚"]),
    ({"elsewhere": "no"}, ["张百岁", "李明", "王国华"]),
    ({"status": "deceased"}, ["赵已故"]),
    ({"status": "all"}, ["张百岁", "李明", "王刚", "王国华", "赵已故"]),
    ({"status": "all", "age": "80"}, ["赵已故"]),
])
def test_each_filter_narrows_the_list(world, people, params, expected):
    assert listed(login(world.county_a_admin), **params) == sorted(expected)


def test_the_organisation_filters_take_a_subtree_of_the_scope(world, people):
    client = login(world.county_a_admin)
    assert listed(client, unit=world.unit_a.pk) == sorted(["王国华", "张百岁"])
    assert listed(client, unit=people["unit_2"].pk) == sorted(["王刚", "李明"])
    assert listed(client, community=world.community_a.pk) == sorted(["王国华", "张百岁"])
    assert listed(client, branch=people["branch"].pk) == ["王国华"]
    assert listed(client, node=world.street_a.pk) == sorted(["王国华", "张百岁"])
    # An organisation of the sibling county is not a valid choice: the filter is refused, nothing leaks.
    response = client.get(reverse("people:person_list"), {"unit": world.unit_b.pk})
    assert "filter-errors" in response.content.decode() and "乙县教育局" not in response.content.decode()


@pytest.mark.parametrize("q, expected", [
    ("wangguohua", ["王国华"]),
    ("wangg", ["王刚", "王国华"]),
    ("WGH", ["王国华"]),
    ("wgh", ["王国华"]),
    ("wg", ["王刚", "王国华"]),
    ("wang guo", ["王国华"]),
    ("国华", ["王国华"]),
    ("王", ["王刚", "王国华"]),
    ("zbs", ["张百岁"]),
    ("guohua", []),
])
def test_the_name_search_takes_chinese_pinyin_or_initials(world, people, q, expected):
    assert listed(login(world.county_a_admin), q=q) == sorted(expected)


def test_the_list_shows_masked_id_numbers_and_phones_only(world, people):
    person = people["wang"]
    body = login(world.county_a_admin).get(reverse("people:person_list")).content.decode()
    assert person.id_number not in body and person.phone not in body
    assert person.id_number[:3] + "*" * 11 + person.id_number[-4:] in body
    assert person.phone[:3] + "****" + person.phone[-4:] in body


def test_the_exact_lookup_by_id_number_is_posted_and_opens_the_file(world, people):
    client = login(world.county_a_admin)
    person = people["wang"]
    typed = " ".join([person.id_number[:6], person.id_number[6:14], person.id_number[14:].lower()])
    response = client.post(reverse("people:person_find"), {"number": typed})
    assert response.status_code == 302 and response["Location"] == reverse("people:person_detail", args=[person.pk])
    for url in (response.request["PATH_INFO"], response["Location"]):
        assert person.id_number not in url and person.id_number[6:14] not in url
    page = client.get(response["Location"]).content.decode()
    assert person.id_number not in page


def test_the_exact_lookup_by_mobile_finds_within_the_scope_only(world, people):
    client = login(world.county_a_admin)
    response = client.post(reverse("people:person_find"), {"number": "+86 " + people["li"].phone})
    assert response["Location"] == reverse("people:person_detail", args=[people["li"].pk])
    # The county B person is not found by the county A administrator, not even named.
    response = client.post(reverse("people:person_find"), {"number": people["b"].id_number}, follow=True)
    body = response.content.decode()
    assert zh(NOT_FOUND) in body and people["b"].id_number not in body
    assert all(people["b"].id_number not in url for url, _status in response.redirect_chain)


def test_a_shared_phone_lists_the_matching_files_without_a_url(world, people):
    client = login(world.county_a_admin)
    spouse = make_person(world.unit_a, name="王妻", phone=people["wang"].phone, gender=Gender.FEMALE)
    response = client.post(reverse("people:person_find"), {"number": people["wang"].phone})
    body = response.content.decode()
    assert response.status_code == 200 and "王妻" in body and "王国华" in body
    assert people["wang"].phone not in body and response["Cache-Control"] == "no-store"
    assert spouse.pk


def test_a_malformed_number_says_why_without_echoing_it(world, people):
    response = login(world.county_a_admin).post(reverse("people:person_find"), {"number": "37012319450101123"},
                                                follow=True)
    body = response.content.decode()
    assert zh(MALFORMED).split("%s")[0].strip() in body and "37012319450101123" not in body


def test_digits_typed_into_the_name_search_are_not_searched(world, people):
    response = login(world.county_a_admin).get(reverse("people:person_list"), {"q": "13900000001"})
    assert 'data-testid="number-in-q"' in response.content.decode() and names_in(response) == []


@pytest.mark.parametrize("extra", [3, 60])
def test_the_list_runs_a_constant_number_of_queries(world, people, extra, django_assert_num_queries):
    for i in range(extra):
        make_person(world.unit_a, name=f"测试{i:02d}", community=world.community_a)
    client = login(world.county_a_admin)
    client.get(reverse("people:person_list"))
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("people:person_list"))
    assert len(names_in(response)) == min(4 + extra, 50)
    # A next page (htmx rows only): the probe, the cursor row and the page; no options or notifications.
    page = person_list_page(scope_of(world.county_a_admin), {}, size=2)
    client.get(reverse("people:person_list"), {"after": page.next_cursor}, headers={"HX-Request": "true"})
    with django_assert_num_queries(LIST_QUERIES - 1):
        client.get(reverse("people:person_list"), {"after": page.next_cursor}, headers={"HX-Request": "true"})


def test_the_count_is_capped_instead_of_counting_the_whole_scope(world, people, monkeypatch):
    from yinfa.people import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    page = person_list_page(scope_of(world.county_a_admin), {}, size=1)
    assert page.count == 2 and page.count_capped
    page = person_list_page(scope_of(world.county_a_admin), {"q": "wgh"}, size=1)
    assert page.count == 1 and not page.count_capped


@pytest.fixture
def many(world):
    """People with repeated names, equal birth dates and missing ones, in two units: ties for every sort."""
    unit_2 = make_node(world.county_a, OrgKind.UNIT, "甲县水利局")
    made = []
    for i in range(23):
        born = None if i % 7 == 0 else datetime.date(1940 + i % 4, 1 + i % 3, 1)
        name = ["王国华", "李明", "张伟", "陈静", "刘洋"][i % 5]
        number = idnumbers.make("379921", born or datetime.date(1950, 1, 1), i * 2 + 1)
        person = make_person(world.unit_a if i % 2 else unit_2, name=name, id_number=number,
                             born=born or datetime.date(1950, 1, 1))
        if born is None:
            Person.objects.filter(pk=person.pk).update(birth_date=None)
        made.append(person)
    return made


@pytest.mark.parametrize("cap", [5000, 3], ids=["narrow filter: pages read among the probed ids",
                                                 "wide filter: pages read through the ordered index"])
@pytest.mark.parametrize("sort", ["name", "birth", "unit"])
def test_keyset_pages_cover_every_row_once_in_order_for_each_sort(world, many, sort, cap, monkeypatch):
    from yinfa.people import selectors

    monkeypatch.setattr(selectors, "COUNT_CAP", cap)
    scope = scope_of(world.county_a_admin)
    whole = [p.pk for p in person_list_page(scope, {"sort": sort}, size=1000).rows]
    assert len(whole) == len(many)
    seen, after = [], None
    while True:
        page = person_list_page(scope, {"sort": sort}, after=after, size=4)
        seen += [p.pk for p in page.rows]
        if not page.has_more:
            break
        after = page.next_cursor
    assert seen == whole


def test_load_more_through_the_page_continues_without_duplicates(world, many, monkeypatch):
    from yinfa.people.views import registry

    monkeypatch.setattr(registry, "PAGE_SIZE", 15)
    client = login(world.county_a_admin)
    first = client.get(reverse("people:person_list"), {"sort": "birth"})
    body = first.content.decode()
    more = re.search(r'hx-get="([^"]+)"[^>]*data-testid="load-more"', body).group(1).replace("&amp;", "&")
    assert "after=birth." in more and "sort=birth" in more
    second = client.get(more, headers={"HX-Request": "true"})
    assert second.status_code == 200 and "<html" not in second.content.decode()
    links = re.findall(r'href="/people/(\d+)/" class="fw-semibold"', body + second.content.decode())
    assert len(links) == len(set(links)) == len(many)


def test_a_cursor_of_another_sort_or_outside_the_scope_is_404(world, many, people):
    client = login(world.county_a_admin)
    assert client.get(reverse("people:person_list"), {"after": f"name.{many[0].pk}", "sort": "birth"}
                      ).status_code == 404
    assert client.get(reverse("people:person_list"), {"after": f"name.{people['b'].pk}"}).status_code == 404
    assert client.get(reverse("people:person_list"), {"after": "name.x"}).status_code == 404


class TestWidePinyinSearch:
    """A pinyin search over many matches is read in two index-ordered halves and merged."""

    def test_pages_of_a_wide_pinyin_search_match_the_narrow_reading(self, world, monkeypatch):
        from django.http import QueryDict

        from yinfa.core.models import RoleGrant
        from yinfa.core.scope import Scope
        from yinfa.people import selectors
        from yinfa.people.tests.factories import make_person

        names = ["王国华", "吴国强", "魏刚", "王芳", "吴敏", "汪国", "伍华", "万国庆", "文广", "李伟国"]
        for name in names:
            make_person(world.unit_a, name=name)
        scope = Scope.from_grant(RoleGrant.objects.get(user=world.county_a_admin))

        def walk(query):
            seen, after = [], None
            while True:
                page = selectors.person_list_page(scope, QueryDict(f"q={query}"), after=after, size=3)
                seen += [person.name for person in page.rows]
                if not page.next_cursor:
                    return seen
                after = page.next_cursor

        narrow = {query: walk(query) for query in ("w", "wg", "wangg")}
        monkeypatch.setattr(selectors, "COUNT_CAP", 2)
        wide = {query: walk(query) for query in ("w", "wg", "wangg")}
        assert wide == narrow
        assert set(narrow["wg"]) == {"王国华", "吴国强", "魏刚", "汪国", "万国庆", "文广"}
        assert narrow["wangg"] == ["王国华"] or set(narrow["wangg"]) == {"王国华", "汪国"}
