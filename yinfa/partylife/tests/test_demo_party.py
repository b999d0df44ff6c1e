"""The demo's party life and dues: a year of meetings (some branches behind), attendance with 送学上门, dues with
arrears, one assessment round under review; consistent with the services' own rules, and deterministic.

The whole demo county is loaded once for the module (inside a transaction rolled back at the end); each test
runs in a savepoint of its own. The determinism test loads a small demo itself, so it comes first.
"""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth

from yinfa.core.demo import DEFAULT_SEED, REFERENCE_DATE
from yinfa.core.demo.loader import load
from yinfa.core.models import OrgNode, RoleGrant
from yinfa.dues.demo import RAISE_NOTE
from yinfa.dues.models import DecisionKind, DuesDecision, DuesPayment, PensionBase
from yinfa.dues.rules import monthly_dues
from yinfa.dues.selectors import arrears
from yinfa.partylife.demo import party_digest
from yinfa.partylife.models import (
    AssessmentRound,
    AssessmentStatus,
    Attendance,
    AttendanceStatus,
    Branch,
    BranchAssessment,
    BranchCompliance,
    CommunityRegistration,
    ItemScore,
    ItemSource,
    LeftBy,
    Meeting,
    MeetingKind,
    Membership,
    Relation,
    RoundStatus,
    Standing,
)
from yinfa.partylife.services.branches import WarningCode, warnings_for
from yinfa.partylife.services.meetings import roster_on
from yinfa.people.models import Person, SelfCare

TODAY = REFERENCE_DATE
pytestmark = pytest.mark.django_db


def _load_and_digest(seed, scale):
    with transaction.atomic():
        result = load(seed=seed, scale=scale)
        digest = party_digest()
        transaction.set_rollback(True)
    return result.party, digest


def test_the_party_data_is_deterministic_and_depends_on_the_seed():
    first = _load_and_digest(7, 0.05)
    assert first == _load_and_digest(7, 0.05)
    assert first[1] != _load_and_digest(8, 0.05)[1]
    assert first[0]["meetings"] > 0 and first[0]["attendance"] > 0


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The full demo county, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load(seed=DEFAULT_SEED)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def secretary_branch(demo):
    node = RoleGrant.objects.get(user__username="zhibu_shuji").node
    return Branch.objects.select_related("node").get(pk=node.pk)


def test_the_secretarys_branch_has_a_year_of_meetings_with_attendance(secretary_branch):
    meetings = Meeting.objects.filter(branch=secretary_branch, held_on__year=2026, held_on__lte=TODAY)
    theme_months = set(meetings.filter(kind=MeetingKind.THEME_DAY).values_list("counts_month", flat=True))
    assert theme_months == set(range(1, 12))
    assert set(meetings.filter(kind=MeetingKind.COMMITTEE, qualifies=True).values_list("counts_month", flat=True)) \
        >= set(range(1, 11))
    assert {MeetingKind.GENERAL, MeetingKind.LECTURE, MeetingKind.GROUP} <= set(meetings.values_list("kind", flat=True))
    rows = Attendance.objects.filter(meeting__branch=secretary_branch)
    assert rows.filter(status=AttendanceStatus.DELIVERED).exists()
    assert rows.filter(status=AttendanceStatus.LEAVE).exclude(leave_reason="").exists()
    assert secretary_branch.has_committee and secretary_branch.term_ends_on > TODAY
    meeting = meetings.filter(kind=MeetingKind.THEME_DAY).latest("held_on")
    assert meeting.created_by.username == "zhibu_shuji"
    assert meeting.place and meeting.host and meeting.agenda and "应到" in meeting.minutes
    assert DuesPayment.objects.filter(branch=secretary_branch, month=datetime.date(2026, 11, 1)).exists()


def test_study_delivered_at_home_reaches_the_frail_and_says_who_and_when(demo):
    delivered = Attendance.objects.filter(status=AttendanceStatus.DELIVERED)
    assert delivered.count() > 1000
    rows = delivered.order_by("pk").values_list("delivered_by", "delivered_on", "meeting__held_on", "person__self_care",
                                                "person__birth_date")
    for by, on, held_on, self_care, born in rows:
        assert by and held_on <= on <= TODAY
        age = TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))
        assert self_care in (SelfCare.PARTLY, SelfCare.DEPENDENT) or age >= 89


def test_the_cached_counts_of_every_meeting_agree_with_its_attendance(demo):
    counted = Meeting.objects.annotate(
        rows=Count("attendance"), present=Count("attendance", filter=Q(attendance__status=AttendanceStatus.PRESENT)),
        delivered=Count("attendance", filter=Q(attendance__status=AttendanceStatus.DELIVERED)),
        voting=Count("attendance", filter=Q(attendance__is_voting=True)))
    for m in counted.iterator():
        assert (m.expected_count, m.present_count, m.delivered_count, m.voting_count) == (
            m.rows, m.present, m.delivered, m.voting)
        assert m.attendance_recorded == (m.rows > 0)
        assert m.qualifies == (m.attendance_recorded and bool(m.minutes.strip()))
        assert m.held_on <= TODAY or not m.attendance_recorded
    assert Meeting.objects.filter(attendance_recorded=True, qualifies=False).exists(), "some minutes are missing"
    assert Meeting.objects.filter(held_on__gt=TODAY).exists(), "some meetings are planned"


def test_rosters_are_the_members_on_the_meeting_day_as_the_meeting_service_builds_them(demo):
    meetings = Meeting.objects.filter(attendance_recorded=True).exclude(branch__kind="functional").order_by("pk")
    for meeting in meetings[::50]:
        assert dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "is_voting")) == \
            roster_on(meeting)


def test_some_branches_are_behind_and_some_meetings_are_make_ups(demo):
    rows = list(BranchCompliance.objects.filter(year=2026))
    assert len(rows) == Branch.objects.count()
    behind = [r for r in rows if r.held < r.expected]
    complete = [r for r in rows if r.expected and r.held == r.expected]
    assert 0.1 * len(rows) <= len(behind) <= 0.5 * len(rows)
    assert len(complete) >= 0.4 * len(rows)
    assert any(r.on_time < r.held for r in rows), "a make-up meeting counts but not on time"
    make_ups = Meeting.objects.filter(counts_year=2026, counts_month__lt=ExtractMonth("held_on"))
    assert make_ups.exists()
    life = Meeting.objects.filter(kind=MeetingKind.LIFE_MEETING, counts_year=2026, qualifies=True)
    assert 0 < life.count() < 0.5 * len(rows), "most branches hold the 组织生活会 in December"


def test_every_branch_warning_shows_somewhere(demo):
    branches = Branch.objects.select_related("node")
    found = Counter(code for branch in branches for code, _message in warnings_for(branch, TODAY))
    expected = {WarningCode.TOO_FEW, WarningCode.TOO_MANY, WarningCode.NO_COMMITTEE, WarningCode.TERM_ENDING,
                WarningCode.TERM_OVER}
    assert expected <= set(found)
    founded = OrgNode.objects.filter(kind="branch", opened_on__year=2026, opened_on__month=4)
    assert founded.count() == 1
    assert not OrgNode.objects.filter(kind="branch", opened_on__isnull=True).exists()


def test_memberships_agree_with_the_person_files(demo):
    open_rows = Membership.objects.filter(relation=Relation.ORGANISATIONAL, ended_on__isnull=True)
    anchors = dict(Person.objects.filter(deceased_on__isnull=True, branch__isnull=False)
                   .values_list("pk", "branch_id"))
    held = dict(open_rows.values_list("person_id", "branch_id"))
    assert held == anchors
    assert not open_rows.filter(person__deceased_on__isnull=False).exists()
    died = Membership.objects.filter(left_by=LeftBy.DIED).select_related("person")
    assert died.exists() and all(m.ended_on == m.person.deceased_on for m in died)
    transfers = Membership.objects.filter(left_by=LeftBy.TRANSFER)
    assert transfers.count() >= 20 and all(t.transfer_out_to for t in transfers)
    probationary = open_rows.filter(standing=Standing.PROBATIONARY)
    assert probationary.count() >= 5
    assert not probationary.filter(Q(probation_from=None) | Q(probation_until=None)).exists()
    assert Membership.objects.filter(relation=Relation.FUNCTIONAL, branch__kind="functional").count() >= 10
    assert not open_rows.filter(party_group=None, branch__node__child_count__gt=0).exists()
    registered = dict(CommunityRegistration.objects.filter(ended_on__isnull=True)
                      .values_list("person_id", "community_id"))
    assert registered == dict(Person.objects.filter(registered_community__isnull=False)
                              .values_list("pk", "registered_community_id"))
    living = Person.objects.filter(pk__in=held, community__isnull=False).count()
    assert 0.5 < len(registered) / living < 0.7


def test_dues_arrears_reach_the_warning_and_the_escalation_but_never_six_months(demo):
    rows = arrears(branch_ids=list(Branch.objects.values_list("pk", flat=True)), today=TODAY)
    months = Counter(row.count for row in rows)
    assert months[1] + months[2] >= 3
    assert months[3] + months[4] == 3
    assert months[5] == 2
    assert max(months) == 5


def test_dues_follow_the_rule_with_a_waiver_a_reduction_and_payments_ahead(demo):
    reduced = DuesDecision.objects.get(kind=DecisionKind.REDUCE)
    waived = DuesDecision.objects.get(kind=DecisionKind.WAIVE)
    assert "支部委员会" in reduced.decision and "支部委员会" in waived.decision
    assert not DuesPayment.objects.filter(person=waived.person_id, month__gte=waived.from_month).exists()
    paid = DuesPayment.objects.exclude(person=reduced.person_id).values_list("base", "amount_due", "amount_paid")
    for base, due, amount in paid:
        assert due == amount == monthly_dues(base)
    assert set(DuesPayment.objects.filter(person=reduced.person_id, month__year=2026)
               .values_list("amount_due", flat=True)) == {Decimal("2.00")}
    assert PensionBase.objects.filter(amount=Decimal("5000.00")).count() >= 3
    assert PensionBase.objects.filter(amount__lt=5000).exists() and PensionBase.objects.filter(amount__gt=5000).exists()
    raises = set(PensionBase.objects.filter(note=RAISE_NOTE).values_list("effective_month", flat=True))
    assert raises == {datetime.date(2026, 1, 1), datetime.date(2026, 7, 1)}
    assert DuesPayment.objects.filter(month__gte=datetime.date(2027, 1, 1)).exists(), "one member paid ahead"
    quarterly = DuesPayment.objects.values("person", "batch").annotate(n=Count("pk")).filter(n=3)
    assert quarterly.exists()


def test_one_assessment_round_is_under_review_with_scores_from_the_records(demo):
    round_ = AssessmentRound.objects.get()
    assert round_.status == RoundStatus.REVIEW and round_.node.code == "QH-GW" and round_.year == 2026
    assert round_.template.items.count() == 12
    statuses = Counter(BranchAssessment.objects.filter(round=round_).values_list("status", flat=True))
    assert statuses[AssessmentStatus.SUBMITTED] + statuses[AssessmentStatus.REVIEWED] > 3 * statuses[
        AssessmentStatus.PENDING] > 0
    assert statuses[AssessmentStatus.REVIEWED] > 0
    for assessment in BranchAssessment.objects.filter(round=round_, status=AssessmentStatus.REVIEWED):
        scores = list(assessment.scores.all())
        assert assessment.final_total == sum(s.final_score for s in scores)
        assert all(s.comment for s in scores if s.final_score != s.self_score)
    system = ItemScore.objects.filter(assessment__round=round_).exclude(item__source=ItemSource.MANUAL)
    assert not system.filter(system_score=None).exists()
    manual = ItemScore.objects.filter(assessment__round=round_, item__source=ItemSource.MANUAL,
                                      assessment__status=AssessmentStatus.SUBMITTED)
    assert not manual.filter(evidence="").exists()


def test_the_summary_prints_the_party_figures(demo):
    from yinfa.core.management.commands.seed_demo import Command

    out = io.StringIO()
    command = Command(stdout=out)
    command._print_summary(demo, 1.0, DEFAULT_SEED, 1.0)
    text = out.getvalue()
    assert "送学上门" in text and "members in arrears" in text and demo.party["assessment_round"] in text
    assert demo.party["attendance"] > 50_000 and demo.party["arrears_5_plus"] == 2
