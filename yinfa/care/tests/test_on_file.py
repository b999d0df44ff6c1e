"""The person file's "care and aid" card (``{% care_on_file person %}``): the person's aid applications, their
latest visits and their open care assignment, read within the scope in use, for roles with CARE_VIEW only, in a
constant number of queries. Rendered directly, as the person file's template will."""

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from yinfa.care.models import AidKind, AidStatus, CareAssignment, Visit, VisitKind
from yinfa.care.tests.test_aid_helpers import Aid, apply, in_state, scope_of, today
from yinfa.core.permissions import Role
from yinfa.core.testing import make_user

pytestmark = pytest.mark.django_db
TAG = Template("{% load care_tags %}{% care_on_file person %}")


@pytest.fixture
def aid(world):
    return Aid(world)


def render(user, person, scope=None):
    request = RequestFactory().get(f"/people/{person.pk}/")
    request.user = user
    request.scope = scope or scope_of(user)
    return TAG.render(Context({"request": request, "person": person}))


def visit(person, days_ago, visitors="社区书记"):
    return Visit.objects.create(person=person, kind=VisitKind.ROUTINE, visitors=visitors,
                                visited_on=today() - datetime.timedelta(days=days_ago))


def test_the_card_lists_the_persons_aid_with_status_amounts_and_links(aid):
    paid = in_state(aid, AidStatus.PAID)
    asked = apply(aid, kind=AidKind.TEMPORARY, amount="600.00")
    html = render(aid.community, aid.person)
    assert 'data-testid="care-on-file"' in html and "Care and aid" in html
    assert html.count('data-testid="care-aid-row"') == 2
    assert f'href="/care/aid/{paid.pk}/"' in html and f'href="/care/aid/{asked.pk}/"' in html
    assert "¥1,500.00 / ¥1,500.00" in html and "¥600.00 asked" in html
    assert "Paid" in html and "Temporary aid" in html
    assert f'/care/aid/new/?person={aid.person.pk}' in html


def test_the_card_shows_the_five_latest_visits_and_the_open_care_assignment(aid):
    for days in (40, 30, 20, 10, 5, 1):
        visit(aid.person, days, visitors=f"走访人{days}")
    carer = make_user("a_carer", role=Role.VOLUNTEER, node=aid.world.community_a, full_name="王志愿")
    CareAssignment.objects.create(person=aid.person, carer=carer, interval_days=7, started_on=today(),
                                  last_contact_on=today() - datetime.timedelta(days=9),
                                  next_due_on=today() - datetime.timedelta(days=2))
    html = render(aid.unit, aid.person)
    assert html.count('data-testid="care-visit-row"') == 5
    assert "走访人1" in html and "走访人40" not in html
    assert html.index("走访人1<") < html.index("走访人5<")
    assert "王志愿" in html and 'data-testid="care-overdue"' in html
    assert 'data-testid="care-aid-empty"' in html


def test_an_ended_assignment_is_not_shown(aid):
    carer = make_user("a_carer", role=Role.VOLUNTEER, node=aid.world.community_a, full_name="王志愿")
    CareAssignment.objects.create(person=aid.person, carer=carer, interval_days=7, started_on=today(),
                                  ended_on=today(), next_due_on=today())
    html = render(aid.community, aid.person)
    assert "王志愿" not in html and 'data-testid="care-assignment-none"' in html


def test_a_role_without_care_view_gets_no_card(aid, world):
    apply(aid)
    secretary = make_user("a_sec", role=Role.BRANCH_SECRETARY, node=world.unit_a)
    assert render(secretary, aid.person).strip() == ""
    request = RequestFactory().get("/")
    request.scope = None
    assert TAG.render(Context({"request": request, "person": aid.person})).strip() == ""


def test_the_card_reads_within_the_scope_in_use(aid):
    apply(aid)
    visit(aid.person, 3)
    html = render(aid.sibling, aid.person)
    assert 'data-testid="care-aid-empty"' in html and 'data-testid="care-visits-empty"' in html


def test_the_card_costs_three_queries_whatever_the_rows(aid, django_assert_num_queries):
    scope = scope_of(aid.community)
    render(aid.community, aid.person, scope)  # warm the template caches
    with django_assert_num_queries(3):
        render(aid.community, aid.person, scope)
    in_state(aid, AidStatus.PAID)
    for kind in (AidKind.TEMPORARY, AidKind.EXTREME_HARDSHIP):
        apply(aid, kind=kind)
    for days in range(8):
        visit(aid.person, days)
    carer = make_user("a_carer", role=Role.VOLUNTEER, node=aid.world.community_a)
    CareAssignment.objects.create(person=aid.person, carer=carer, interval_days=14, started_on=today(),
                                  next_due_on=today() + datetime.timedelta(days=14))
    with django_assert_num_queries(3):
        html = render(aid.community, aid.person, scope)
    assert html.count('data-testid="care-aid-row"') == 3 and html.count('data-testid="care-visit-row"') == 5
