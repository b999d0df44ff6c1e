"""Arrears: unpaid, unwaived months up to last month; the daily task warns the branch secretary at 3 months and
escalates to the work committee at 5, each once per run of unpaid months."""

import datetime
from decimal import Decimal

import pytest

from yinfa.core.models import Notification, OrgKind
from yinfa.core.permissions import Role
from yinfa.core.testing import make_node, make_user
from yinfa.dues.models import AlertLevel, ArrearsAlert, DuesDecision, DuesPayment
from yinfa.dues.selectors import arrears, longest_arrears_by_branch
from yinfa.dues.tasks import send_dues_arrears_alerts
from yinfa.dues.tests.helpers import TODAY, build, on

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def dues(world):
    with on(TODAY):
        yield build(world, members=2)


def paid(person, branch, *months):
    for month in months:
        DuesPayment.objects.create(person=person, month=datetime.date(2026, month, 1), branch=branch,
                                   branch_path=branch.path, base=D("4000.00"), amount_due=D("20.00"),
                                   amount_paid=D("20.00"), paid_on=datetime.date(2026, month, 15))


def run_task(day, capture):
    with on(day), capture(execute=True):
        return send_dues_arrears_alerts.call()


def notes(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_unpaid_months_up_to_last_month_are_arrears_not_the_current_one(dues):
    late, punctual = dues.members
    paid(late, dues.branch, 1, 2, 3, 4, 5, 6)
    paid(punctual, dues.branch, *range(1, 11))
    rows = {row.person_id: row for row in arrears(branch_ids=[dues.branch.pk], today=TODAY)}
    assert punctual.pk not in rows  # November, the current month, is not late yet
    assert rows[late.pk].count == 4
    assert rows[late.pk].oldest == datetime.date(2026, 7, 1)
    assert rows[late.pk].months[-1] == datetime.date(2026, 10, 1)
    assert rows[late.pk].amount == D("80.00")
    assert rows[late.pk].branch_id == dues.branch.pk


def test_a_waived_month_is_not_arrears(dues):
    late = dues.members[0]
    paid(late, dues.branch, 1, 2, 3, 4, 5, 6)
    DuesDecision.objects.create(person=late, branch=dues.branch, branch_path=dues.branch.path, kind="waive",
                                from_month=datetime.date(2026, 7, 1), to_month=datetime.date(2026, 8, 1),
                                decided_on=datetime.date(2026, 7, 3), decision="支部委员会决定免交")
    row = next(r for r in arrears(people_ids=[late.pk], today=TODAY))
    assert row.months == [datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)]


def test_longest_arrears_by_branch_gives_every_branch_asked_for(dues):
    late, other = dues.members
    paid(late, dues.branch, 1, 2, 3, 4, 5, 6)
    paid(other, dues.branch, *range(1, 10))
    empty = dues.branch_b
    assert longest_arrears_by_branch([dues.branch.pk, empty.pk], TODAY) == {dues.branch.pk: 4, empty.pk: 0}


def test_arrears_cost_the_same_queries_for_2_or_20_members(dues, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        arrears(branch_ids=[dues.branch.pk], today=TODAY)
    for n in range(18):
        dues.add_member(f"甲县老同志{n + 10}")
    with django_assert_max_num_queries(4):
        assert len(arrears(branch_ids=[dues.branch.pk], today=TODAY)) == 20


def test_three_months_warn_the_secretary_once_five_escalate_to_the_committee_only(
        dues, django_capture_on_commit_callbacks):
    late, punctual = dues.members
    with on(TODAY):
        bureau = dues.world.county_a_admin
        other_secretary = make_user("zhibu_b", role=Role.BRANCH_SECRETARY, node=dues.branch_b.node)
        far_committee = make_user("gongwei_b", role=Role.COMMITTEE_ADMIN, node=dues.world.county_b)
    paid(late, dues.branch, 1, 2, 3, 4, 5, 6)
    paid(punctual, dues.branch, *range(1, 13))

    run_task(datetime.date(2026, 9, 5), django_capture_on_commit_callbacks)  # July, August: 2 months
    assert not Notification.objects.exists()

    run_task(datetime.date(2026, 10, 2), django_capture_on_commit_callbacks)  # + September: 3 months
    warnings = notes(dues.secretary)
    assert len(warnings) == 1
    assert late.name in warnings[0].body and punctual.name not in warnings[0].body
    assert warnings[0].url == f"/dues/branches/{dues.branch.pk}/"
    assert notes(dues.committee_admin) == []
    assert ArrearsAlert.objects.get(person=late).level == AlertLevel.WARNING

    run_task(datetime.date(2026, 10, 3), django_capture_on_commit_callbacks)  # the next day: nothing new
    run_task(datetime.date(2026, 11, 3), django_capture_on_commit_callbacks)  # 4 months: nothing new
    assert len(notes(dues.secretary)) == 1 and notes(dues.committee_admin) == []

    run_task(datetime.date(2026, 12, 1), django_capture_on_commit_callbacks)  # July–November: 5 months
    escalations = notes(dues.committee_admin)
    assert len(escalations) == 1 and late.name in escalations[0].body
    assert "5" in escalations[0].title and escalations[0].title != warnings[0].title  # in Chinese: tasks speak it
    assert len(notes(dues.secretary)) == 1  # the secretary was warned already
    assert notes(bureau) == notes(other_secretary) == notes(far_committee) == []

    run_task(datetime.date(2026, 12, 2), django_capture_on_commit_callbacks)
    assert len(notes(dues.committee_admin)) == 1
    assert ArrearsAlert.objects.filter(person=late).count() == 2


def test_paying_up_and_falling_behind_again_is_a_new_run(dues, django_capture_on_commit_callbacks):
    late = dues.members[0]
    paid(dues.members[1], dues.branch, *range(1, 13))
    paid(late, dues.branch, 1, 2, 3, 4, 5, 6)
    run_task(datetime.date(2026, 10, 2), django_capture_on_commit_callbacks)
    paid(late, dues.branch, 7, 8, 9)
    run_task(datetime.date(2027, 1, 5), django_capture_on_commit_callbacks)  # October–December unpaid
    assert len(notes(dues.secretary)) == 2
    assert sorted(ArrearsAlert.objects.filter(person=late).values_list("since_month", flat=True)) == [
        datetime.date(2026, 7, 1), datetime.date(2026, 10, 1)]


def test_a_branch_without_a_secretary_account_has_its_warning_sent_to_the_committee(
        dues, django_capture_on_commit_callbacks):
    with on(TODAY):
        lonely = make_node(dues.world.unit_a, OrgKind.BRANCH, "甲县财政局第三党支部")
        from yinfa.partylife.models import Branch

        branch = Branch.objects.get(pk=lonely.pk)
        person = dues.add_member("甲县老同志孤", branch=branch)
    paid(person, branch, 1, 2, 3, 4, 5, 6)
    run_task(datetime.date(2026, 10, 2), django_capture_on_commit_callbacks)
    told = [note for note in notes(dues.committee_admin) if "第三党支部" in note.title]
    assert len(told) == 1 and "甲县老同志孤" in told[0].body
