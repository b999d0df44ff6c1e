"""Reminders to branch secretaries ten days before a period ends without its required meeting, and the periodic
tasks (the nightly refresh and the reminders)."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yinfa.core.models import Notification, RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scheduling import discover
from yinfa.core.testing import make_user
from yinfa.partylife.models import BranchCompliance, ComplianceReminder, ComplianceRule, MeetingKind
from yinfa.partylife.periods import Frequency
from yinfa.partylife.services import compliance
from yinfa.partylife.tests.compliance_factories import make_branch, make_meeting

pytestmark = pytest.mark.django_db

D = datetime.date
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def branches(world):
    """A monthly committee rule and a quarterly lecture rule; three county-A branches and one of county B, each
    but one with a secretary."""
    ComplianceRule.objects.update(active=False)
    committee = ComplianceRule.objects.create(name="支委会每月", meeting_kind=MeetingKind.COMMITTEE,
                                              frequency=Frequency.MONTH)
    lecture = ComplianceRule.objects.create(name="党课每季度", meeting_kind=MeetingKind.LECTURE,
                                            frequency=Frequency.QUARTER)
    held = make_branch(world.unit_a, "甲县财政局第一支部")
    behind = make_branch(world.community_a, "东门社区第一支部")
    unattended = make_branch(world.community_a, "东门社区第二支部")
    other = make_branch(world.unit_b, "乙县教育局支部")
    secretaries = {
        "held": make_user("sec_held", role=Role.BRANCH_SECRETARY, node=held.node),
        "behind": make_user("sec_behind", role=Role.BRANCH_SECRETARY, node=behind.node),
        "other": make_user("sec_other", role=Role.BRANCH_SECRETARY, node=other.node),
        "liaison": make_user("liaison_behind", role=Role.LIAISON, node=behind.node),
    }
    make_meeting(held, MeetingKind.COMMITTEE, D(2026, 3, 5))
    make_meeting(behind, MeetingKind.COMMITTEE, D(2026, 3, 6), qualifies=False)  # does not count
    return {"rules": {"committee": committee, "lecture": lecture}, "held": held, "behind": behind,
            "unattended": unattended, "other": other, "secretaries": secretaries}


def notified(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


def test_secretaries_are_reminded_ten_days_before_the_period_ends(branches):
    figures = compliance.send_reminders(today=D(2026, 3, 22))
    held_note, = notified(branches["secretaries"]["held"])
    assert "甲县财政局第一支部" in held_note.title
    assert "2026年第1季度" in held_note.body and "2026年3月" not in held_note.body  # the committee meeting was held
    assert held_note.url == reverse("partylife:compliance_branch", args=[branches["held"].pk]) + "?year=2026"
    behind_note, = notified(branches["secretaries"]["behind"])
    assert "2026年3月" in behind_note.body and "2026年第1季度" in behind_note.body
    assert "2026-03-31" in behind_note.body
    other_note, = notified(branches["secretaries"]["other"])
    assert "乙县教育局支部" in other_note.title and "甲县" not in other_note.body
    assert notified(branches["secretaries"]["liaison"]) == []  # only the secretaries
    assert not ComplianceReminder.objects.filter(branch=branches["unattended"]).exists()  # nobody to tell
    assert figures == {"branches": 3, "notifications": 3, "reminders": 5}


def test_a_reminder_is_sent_once_per_period(branches):
    compliance.send_reminders(today=D(2026, 3, 22))
    again = compliance.send_reminders(today=D(2026, 3, 25))
    assert again["notifications"] == 0
    assert len(notified(branches["secretaries"]["behind"])) == 1
    next_month = compliance.send_reminders(today=D(2026, 4, 25))  # April ends; the quarter does not yet
    assert next_month["reminders"] == 3
    assert "2026年4月" in notified(branches["secretaries"]["behind"])[-1].body


def test_nothing_is_sent_earlier_than_ten_days_before_the_end(branches):
    assert compliance.send_reminders(today=D(2026, 3, 20))["notifications"] == 0  # 11 days left
    assert compliance.send_reminders(today=D(2026, 3, 21))["notifications"] == 3  # 10 days left


def test_a_branch_that_held_its_meetings_is_not_reminded(branches):
    make_meeting(branches["behind"], MeetingKind.COMMITTEE, D(2026, 3, 20))
    make_meeting(branches["behind"], MeetingKind.LECTURE, D(2026, 1, 20))
    compliance.send_reminders(today=D(2026, 3, 22))
    assert notified(branches["secretaries"]["behind"]) == []


def test_closed_branches_revoked_secretaries_and_rules_out_of_force_are_left_out(branches):
    from yinfa.core.models import OrgNode

    OrgNode.objects.filter(pk=branches["other"].pk).update(closed_on=D(2026, 3, 1))
    RoleGrant.objects.filter(user=branches["secretaries"]["held"]).update(revoked_at=timezone.now())
    branches["rules"]["lecture"].active = False
    branches["rules"]["lecture"].save()
    figures = compliance.send_reminders(today=D(2026, 3, 22))
    assert figures == {"branches": 1, "notifications": 1, "reminders": 1}
    assert len(notified(branches["secretaries"]["behind"])) == 1


def test_a_rule_for_other_branch_kinds_reminds_nobody_here(branches):
    branches["rules"]["committee"].branch_kinds = ["joint"]
    branches["rules"]["committee"].save()
    compliance.send_reminders(today=D(2026, 3, 22))
    assert "2026年3月" not in notified(branches["secretaries"]["behind"])[0].body


def test_reminders_take_the_same_queries_for_2_and_20_branches(world, branches):
    def count():
        ComplianceReminder.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            compliance.send_reminders(today=D(2026, 3, 22))
        return len(captured)

    few = count()
    for n in range(18):
        branch = make_branch(world.community_a, f"东门社区加支部{n}")
        make_user(f"sec_more_{n}", role=Role.BRANCH_SECRETARY, node=branch.node)
    assert count() == few
    assert Notification.objects.filter(recipient__username__startswith="sec_more_").count() == 18


def test_the_periodic_tasks_are_registered_daily():
    registry = discover()
    for name in ("compliance_refresh", "compliance_reminders"):
        assert registry[name].every == datetime.timedelta(days=1)


def test_the_daily_reminder_task_uses_the_date_of_the_day(branches):
    from yinfa.partylife.tasks_compliance import compliance_reminders

    with time_machine.travel(datetime.datetime(2026, 6, 25, 8, tzinfo=SHANGHAI), tick=False):
        result = compliance_reminders.call()
    assert result["notifications"] == 3
    assert "2026年6月" in notified(branches["secretaries"]["behind"])[0].body


def test_the_nightly_refresh_covers_last_year_in_january(branches):
    from yinfa.partylife.tasks_compliance import compliance_refresh

    with time_machine.travel(datetime.datetime(2027, 1, 5, 2, tzinfo=SHANGHAI), tick=False):
        result = compliance_refresh.call()
    assert set(result) == {"2026", "2027"}
    row = BranchCompliance.objects.get(branch=branches["held"], year=2026)
    assert row.held == 1 and row.expected == 12 + 4  # the whole of 2026 is due by then
    with time_machine.travel(datetime.datetime(2027, 2, 5, 2, tzinfo=SHANGHAI), tick=False):
        assert set(compliance_refresh.call()) == {"2027"}
