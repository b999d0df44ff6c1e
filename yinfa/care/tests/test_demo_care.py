"""The demo's care and services (issue 5): a year of visits, a closed 春节 campaign and a 重阳 campaign under way, aid,
orders and wishes in every state, care contacts with exactly two open escalations; consistent with the services'
rules and deterministic.

A small demo county is loaded once for the module (inside a transaction rolled back at the end); each test runs in
a savepoint of its own. Until the loader calls ``seed_care``/``seed_needs`` itself, the tests call them after
``load()`` with the seeds the loader is to use. The tests that load demos of their own come first.
"""

import datetime
import hashlib
import json
import random
from collections import Counter

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yinfa.care.demo import seed_care, visits_with_needs
from yinfa.care.demo_context import care_interval
from yinfa.care.models import (
    AidApplication,
    AidStatus,
    CampaignStatus,
    CampaignTask,
    CareAssignment,
    ContactOutcome,
    Escalation,
    EscalationReason,
    EscalationStatus,
    TaskStatus,
    Visit,
    VisitCampaign,
    VisitKind,
)
from yinfa.core import lunar
from yinfa.core.demo import DEFAULT_SEED, REFERENCE_DATE
from yinfa.core.demo import loader as demo_loader
from yinfa.core.models import OrgNode, User
from yinfa.core.workdays import WorkCalendar
from yinfa.needs.demo import seed_needs
from yinfa.needs.models import (
    ClaimStatus,
    OrderChannel,
    OrderStatus,
    Resource,
    ServiceItem,
    ServiceOrder,
    ServiceProject,
    Wish,
    WishClaim,
    WishStatus,
)
from yinfa.people.models import LifeEvent, LifeEventKind, Person

TODAY = REFERENCE_DATE
SCALE = 0.2
pytestmark = pytest.mark.django_db


def _seed_ourselves(seed):
    nodes = {node.code: node for node in OrgNode.objects.all()}
    people = {str(person.uid): person for person in Person.objects.order_by("id")}
    accounts = {user.username: user for user in User.objects.all()}
    care = seed_care(rng=random.Random(f"{seed}:care"), nodes=nodes, people=people, accounts=accounts)
    needs = seed_needs(rng=random.Random(f"{seed}:needs"), nodes=nodes, people=people, accounts=accounts,
                       visits=visits_with_needs())
    return care, needs


def load_demo(seed, scale):
    """The demo with its care and services: (care figures, needs figures)."""
    result = demo_loader.load(seed=seed, scale=scale)
    care, needs = getattr(result, "care", None), getattr(result, "needs", None)
    if care and needs:
        return care, needs
    return _seed_ourselves(seed)


def care_digest():
    """A fingerprint of the data (natural keys, no primary keys or timestamps)."""
    payload = {
        "visits": list(Visit.objects.order_by("uid").values_list("uid", "person__uid", "kind", "visited_on",
                                                                  "visitors", "money", "needs")),
        "tasks": list(CampaignTask.objects.order_by("campaign__title", "person__uid").values_list(
            "campaign__title", "person__uid", "status", "done_on", "assignee__code")),
        "aid": list(AidApplication.objects.order_by("uid").values_list("uid", "person__uid", "status",
                                                                       "amount_granted", "paid_on")),
        "contacts": list(CareAssignment.objects.order_by("person__uid").values_list(
            "person__uid", "carer__username", "next_due_on", "last_contact_on", "unanswered_in_a_row")),
        "orders": list(ServiceOrder.objects.order_by("uid").values_list("uid", "person__uid", "status", "due_on")),
        "wishes": list(Wish.objects.order_by("uid").values_list("uid", "person__uid", "status", "wall__code")),
    }
    return hashlib.sha256(json.dumps(payload, default=str, ensure_ascii=False).encode()).hexdigest()


def _load_and_digest(seed, scale):
    with transaction.atomic():
        figures = load_demo(seed, scale)
        digest = care_digest()
        transaction.set_rollback(True)
    return figures, digest


def test_the_care_and_services_data_are_deterministic_and_depend_on_the_seed():
    first = _load_and_digest(7, 0.05)
    assert first == _load_and_digest(7, 0.05)
    assert first[1] != _load_and_digest(8, 0.05)[1]
    assert first[0][0]["visits"] > 0 and first[0][1]["orders"] > 0


def test_seeding_reads_as_much_for_a_bigger_county_and_writes_in_bulk(monkeypatch):
    monkeypatch.setattr(demo_loader, "seed_care", lambda **kwargs: {}, raising=False)
    monkeypatch.setattr(demo_loader, "seed_needs", lambda **kwargs: {}, raising=False)
    counts = []
    for scale in (0.05, 0.15):
        with transaction.atomic():
            demo_loader.load(seed=7, scale=scale)
            WorkCalendar.forget()
            with CaptureQueriesContext(connection) as queries:
                _seed_ourselves(7)
            reads = sum(1 for q in queries.captured_queries if q["sql"].startswith("SELECT"))
            counts.append((reads, len(queries)))
            transaction.set_rollback(True)
    assert counts[0][0] == counts[1][0] and counts[1][1] < 200


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """A small demo county with its care and services, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load_demo(DEFAULT_SEED, SCALE)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def user(username):
    return User.objects.get(username=username)


# --- visits and campaigns ---

def test_the_year_has_visits_of_every_kind_with_visitors_leaders_gifts_and_needs(demo):
    visits = Visit.objects.filter(visited_on__year=2026, visited_on__lt=TODAY)
    assert set(visits.values_list("kind", flat=True)) == set(VisitKind.values)
    assert visits.count() == demo[0]["visits"] >= 150
    assert not visits.filter(visitors="").exists()
    assert visits.exclude(leaders="").exists() and visits.exclude(gift="").exists()
    assert visits.filter(money__gt=0).exists() and visits.exclude(needs="").exists()
    assert visits.exclude(feedback="").exists()
    for visit in visits.filter(kind=VisitKind.HOSPITAL).select_related("hospital_stay"):
        assert visit.hospital_stay.kind == LifeEventKind.HOSPITAL and visit.hospital_stay.person_id == visit.person_id
        assert visit.hospital_stay.starts_on <= visit.visited_on
    for visit in visits.filter(kind=VisitKind.SURVIVOR).select_related("person"):
        assert visit.person.deceased_on < visit.visited_on
    assert all(p.lives_elsewhere for p in Person.objects.filter(visits__kind=VisitKind.ELSEWHERE))
    assert not Visit.objects.filter(person__deceased_on__isnull=False, kind=VisitKind.BIRTHDAY,
                                    visited_on__gte=TODAY).exists()


def test_a_few_people_of_the_home_community_and_the_finance_bureau_are_in_hospital_now(demo):
    stays = LifeEvent.objects.filter(kind=LifeEventKind.HOSPITAL, ends_on__isnull=True)
    home = stays.filter(person__community__code="QH-S01-C01") | stays.filter(person__unit__code="QH-U15")
    assert home.distinct().count() >= 3


def test_the_spring_festival_campaign_is_closed_with_every_task_visited_before_the_festival_but_a_few(demo):
    campaign = VisitCampaign.objects.get(title="2026年春节慰问")
    assert campaign.status == CampaignStatus.CLOSED and campaign.due_on == lunar.festival("spring", 2026)
    assert campaign.criteria["groups"] and campaign.node.code == "JB-QH"
    tasks = campaign.tasks.all()
    done = tasks.filter(status=TaskStatus.DONE)
    assert not tasks.filter(status=TaskStatus.PENDING).exists()
    assert done.count() / tasks.count() >= 0.95
    skipped = tasks.filter(status=TaskStatus.SKIPPED)
    assert skipped.exists() and not skipped.filter(reason="").exists()
    for task in done.select_related("visit", "assignee", "person"):
        assert task.visit.kind == VisitKind.FESTIVAL and task.visit.visited_on == task.done_on < campaign.due_on
        assert task.assignee_id == task.person.unit_id and task.assignee_path == task.assignee.path


def test_the_winter_campaign_is_under_way_with_some_units_done_and_some_behind(demo):
    campaign = VisitCampaign.objects.get(title="2026年重阳节暨冬季慰问")
    assert campaign.status == CampaignStatus.OPEN and campaign.due_on > TODAY
    tasks = campaign.tasks.all()
    share = tasks.filter(status=TaskStatus.DONE).count() / tasks.count()
    assert 0.4 <= share <= 0.7
    assert tasks.filter(status=TaskStatus.SKIPPED).exclude(reason="").exists()
    progress = tasks.values("assignee").annotate(n=Count("id"), done=Count("id", filter=Q(status=TaskStatus.DONE)))
    assert any(row["done"] == row["n"] for row in progress)
    assert any(row["done"] / row["n"] < 0.3 for row in progress)
    assert tasks.filter(assignee__code="QH-U15", status=TaskStatus.PENDING).exists()
    assert not Visit.objects.filter(task__campaign=campaign, visited_on__gte=TODAY).exists()


# --- aid ---

def test_aid_applications_are_in_every_state_with_a_step_for_each_transition(demo):
    counts = Counter(AidApplication.objects.values_list("status", flat=True))
    assert all(counts[status] >= 2 for status in AidStatus.values)
    for app in AidApplication.objects.prefetch_related("steps"):
        steps = list(app.steps.all())
        assert steps[0].from_status == "" and steps[0].to_status == AidStatus.SUBMITTED
        assert steps[-1].to_status == app.status
        assert all(a.to_status == b.from_status and a.at <= b.at for a, b in zip(steps, steps[1:], strict=False))
        assert 500 <= app.amount_requested <= 5000 and app.created_by_id
        if app.status == AidStatus.PAID:
            assert app.amount_paid == app.amount_granted and app.paid_on and app.payment_method
        if app.status == AidStatus.REJECTED:
            assert app.rejection_reason and steps[-1].comment == app.rejection_reason
    waiting_unit = AidApplication.objects.filter(status=AidStatus.SUBMITTED, person__unit__code="QH-U15")
    assert waiting_unit.exists()
    assert AidApplication.objects.filter(status=AidStatus.UNIT_REVIEWED, person__unit__code__startswith="QH-").exists()
    assert AidApplication.objects.filter(status=AidStatus.PAID, paid_on__year=2025).exists()


# --- care contacts ---

def test_exactly_two_escalations_are_open_one_no_answer_and_one_overdue(demo):
    open_ = Escalation.objects.filter(status=EscalationStatus.OPEN).select_related("assignment")
    assert sorted(e.reason for e in open_) == [EscalationReason.NO_ANSWER, EscalationReason.OVERDUE]
    for escalation in open_:
        if escalation.reason == EscalationReason.NO_ANSWER:
            assert escalation.assignment.unanswered_in_a_row == 2
        else:
            assert escalation.assignment.next_due_on < TODAY
    resolved = Escalation.objects.filter(status=EscalationStatus.RESOLVED)
    assert 2 <= resolved.count() <= 3
    assert not resolved.filter(follow_up="").exists() and not resolved.filter(resolved_by=None).exists()


def test_no_other_assignment_is_overdue_or_unanswered_twice(demo):
    escalated = Escalation.objects.filter(status=EscalationStatus.OPEN).values_list("assignment_id", flat=True)
    others = CareAssignment.objects.filter(ended_on=None).exclude(pk__in=list(escalated))
    assert not others.filter(next_due_on__lt=TODAY).exists()
    assert not others.filter(unanswered_in_a_row__gte=2).exists()


def test_the_cached_fields_of_each_assignment_agree_with_its_contacts(demo):
    assignments = CareAssignment.objects.prefetch_related("contacts")
    assert assignments.count() == demo[0]["care_assignments"] > 5
    for assignment in assignments:
        contacts = sorted(assignment.contacts.all(), key=lambda c: c.contacted_at)
        answered = [c for c in contacts if c.outcome != ContactOutcome.NO_ANSWER]
        trailing = 0
        for contact in reversed(contacts):
            if contact.outcome != ContactOutcome.NO_ANSWER:
                break
            trailing += 1
        base = answered[-1].contacted_at.astimezone(_tz()).date() if answered else assignment.started_on
        assert assignment.next_due_on == base + _days(assignment.interval_days)
        assert assignment.unanswered_in_a_row == trailing
        last = contacts[-1].contacted_at.astimezone(_tz()).date() if contacts else None
        assert assignment.last_contact_on == last
        assert all(c.carer_id == assignment.carer_id and c.person_id == assignment.person_id for c in contacts)
        assert assignment.interval_days == care_interval(assignment.person, TODAY)
    outcomes = set(CareAssignment.objects.values_list("contacts__outcome", flat=True))
    assert {ContactOutcome.WELL, ContactOutcome.NEEDS_HELP, ContactOutcome.NO_ANSWER} <= outcomes


def test_some_vulnerable_people_of_the_covered_communities_have_no_carer(demo):
    assigned = set(CareAssignment.objects.filter(ended_on=None).values_list("person_id", flat=True))
    people = Person.objects.filter(community__code__in=("QH-S01-C01", "QH-S01-C02", "QH-S01-C03"),
                                   deceased_on=None, lives_elsewhere=False)
    unassigned = [p for p in people if care_interval(p, TODAY) and p.pk not in assigned]
    assert 1 <= len(unassigned) == demo[0]["care_unassigned"] <= 10
    carers = set(CareAssignment.objects.values_list("carer__username", flat=True))
    assert {"shequ_admin", "zhiyuanzhe"} <= carers


# --- orders ---

def test_orders_are_in_every_state_with_the_working_day_clock_and_steps(demo):
    counts = Counter(ServiceOrder.objects.values_list("status", flat=True))
    assert all(counts[status] >= 2 for status in OrderStatus.values)
    calendar = WorkCalendar.load()
    for order in ServiceOrder.objects.select_related("item").prefetch_related("steps"):
        day = order.created_at.astimezone(_tz()).date()
        assert TODAY - _days(90) <= day <= TODAY
        assert order.accept_by == calendar.add_working_days(day, order.item.accept_days)
        assert order.due_on == calendar.add_working_days(day, order.item.complete_days)
        steps = list(order.steps.all())
        assert steps[0].to_status == OrderStatus.SUBMITTED and steps[-1].to_status == order.status
        assert all(a.to_status == b.from_status and a.at <= b.at for a, b in zip(steps, steps[1:], strict=False))
        assert order.handler_path == order.handler.path
        if order.status == OrderStatus.CONFIRMED:
            assert 3 <= order.rating <= 5 and order.rating_comment and order.closed_at
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REJECTED):
            assert order.reason
        if order.status in (OrderStatus.ASSIGNED, OrderStatus.DONE, OrderStatus.CONFIRMED):
            assert order.provider_id and order.assigned_at
        if order.channel == OrderChannel.FAMILY:
            assert order.proxy_name and order.proxy_relation
        if order.channel == OrderChannel.VISIT:
            assert order.source_visit.person_id == order.person_id and order.details == order.source_visit.needs
    assert set(ServiceOrder.objects.values_list("channel", flat=True)) == set(OrderChannel.values)


def test_some_orders_are_overdue(demo):
    from yinfa.needs import sla

    late = ServiceOrder.objects.filter(sla.overdue_condition(TODAY))
    assert late.filter(status=OrderStatus.SUBMITTED).exists()
    assert late.filter(status__in=(OrderStatus.ACCEPTED, OrderStatus.ASSIGNED)).exists()
    assert late.count() == demo[1]["orders_overdue"]


def test_no_order_is_confirmed_by_whoever_carried_it_out(demo):
    from yinfa.needs.models import OrderStep

    steps = {(s.order_id, s.to_status): s.actor_id for s in OrderStep.objects.filter(
        to_status__in=(OrderStatus.DONE, OrderStatus.CONFIRMED))}
    confirmed = [pk for (pk, status) in steps if status == OrderStatus.CONFIRMED]
    assert confirmed
    assert all(steps[(pk, OrderStatus.CONFIRMED)] != steps[(pk, OrderStatus.DONE)] for pk in confirmed)


def test_the_retiree_has_an_order_awaiting_his_confirmation_and_the_volunteer_has_orders_to_do(demo):
    retiree = Person.objects.get(account__username="laotongzhi")
    mine = ServiceOrder.objects.filter(person=retiree, channel=OrderChannel.SELF)
    assert mine.filter(status=OrderStatus.DONE).exists() and mine.filter(status=OrderStatus.CONFIRMED).exists()
    assert not mine.filter(status=OrderStatus.CONFIRMED, confirmed_by_proxy=True).exists()
    assert ServiceOrder.objects.filter(assignee__username="zhiyuanzhe", status=OrderStatus.ASSIGNED).count() >= 2


def test_the_three_lists_hold_resources_a_menu_and_projects(demo):
    assert Resource.objects.count() >= 12
    assert Resource.objects.filter(provider_user__username="zhiyuanzhe").exists()
    assert Resource.objects.filter(provider_kind="retiree", provider_person__isnull=False).exists()
    assert ServiceItem.objects.filter(node__code="JB-QH").count() >= 10
    assert ServiceItem.objects.filter(node__code="QH-S01-C01").exists()
    assert ServiceProject.objects.filter(active=True).count() >= 3


# --- wishes ---

def test_wishes_are_in_every_state_with_claims_that_are_not_yet_due(demo):
    counts = Counter(Wish.objects.values_list("status", flat=True))
    assert all(counts[status] >= 1 for status in WishStatus.values)
    active = WishClaim.objects.filter(status=ClaimStatus.ACTIVE).select_related("wish")
    assert active.exists() and all(c.fulfil_by > TODAY and c.wish.status == WishStatus.CLAIMED for c in active)
    assert active.filter(claimant__username="zhibu_shuji", claimant_org__isnull=False).exists()
    expired = WishClaim.objects.get(status=ClaimStatus.EXPIRED)
    assert expired.wish.status == WishStatus.PUBLISHED and expired.fulfil_by < TODAY
    for wish in Wish.objects.filter(status__in=(WishStatus.FULFILLED, WishStatus.CONFIRMED)):
        claim = wish.claims.get(status=ClaimStatus.FULFILLED)
        assert claim.fulfilment_note and wish.fulfilled_at
    assert not Wish.objects.filter(status__in=(WishStatus.REJECTED, WishStatus.WITHDRAWN), reason_closed="").exists()
    for wish in Wish.objects.prefetch_related("steps"):
        steps = list(wish.steps.all())
        assert steps[0].to_status == WishStatus.COLLECTED and steps[-1].to_status == wish.status
        assert 50 <= wish.estimated_cost <= 800
    walls = set(Wish.objects.filter(status=WishStatus.PUBLISHED).values_list("wall__code", flat=True))
    assert {"QH-S01-C01", "JB-QH"} <= walls


def test_the_sibling_county_has_a_few_rows_of_its_own(demo):
    for model in (Visit, AidApplication, ServiceOrder, Wish):
        assert model.objects.filter(person__unit__code__startswith="BX-").exists(), model.__name__


def _tz():
    return timezone.get_default_timezone()


def _days(n):
    return datetime.timedelta(days=n)
