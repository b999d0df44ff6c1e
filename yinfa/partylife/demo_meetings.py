"""The demo's organisational life, December 2025 to the demo's "today" (and a few meetings planned for December
2026): 主题党日, 支委会 and 党小组会 monthly, 党员大会 and 党课 quarterly, 组织生活会, 民主评议 and 谈心谈话 yearly,
each with its attendance (present, on leave, absent, 送学上门 for the frail) and its cached counts.

Most branches keep to the rules; about 15 % fall behind (several months without meetings, a make-up or two),
a few record attendance but forget the minutes (those meetings do not qualify), and meetings of the last few
days may still wait for their attendance.
"""

import datetime

from django.utils import timezone

from yinfa.partylife import demo_texts as texts
from yinfa.partylife.demo_sql import insert_objects, insert_rows, stable_uuid
from yinfa.partylife.models import Attendance, AttendanceStatus, BranchKind, CommitteePost, Meeting, MeetingKind

LEAVE_REASONS = ("外出探亲", "身体不适", "住院", "照顾家人", "外出探亲", "身体不适")
FRAIL_LEAVE = ("住院", "身体不适")
FIRST_MONTH = (2025, 12)
MONTHS = [FIRST_MONTH] + [(2026, m) for m in range(1, 13)]


def weekday(day):
    """Move a Saturday back to Friday and a Sunday on to Monday."""
    if day.weekday() == 5:
        return day - datetime.timedelta(days=1)
    if day.weekday() == 6:
        return day + datetime.timedelta(days=1)
    return day


def _day(year, month, day):
    return weekday(datetime.date(year, month, min(day, 28)))


class MeetingPlanner:
    """Plans the meetings of one branch; ``rows`` collects (meeting, attendance tuples)."""

    def __init__(self, rng, demo, today, creator=None, low_turnout=False):
        self.rng = rng
        self.demo = demo
        self.today = today
        self.creator = creator
        self.rows = []
        self.no_minutes = rng.randint(1, 2) if demo.habit == "sloppy" else 0
        self.low_turnout_done = not low_turnout

    # --- the calendar of one branch -----------------------------------------------------------------------

    def plan(self):
        rng, demo = self.rng, self.demo
        skipped = set()
        if demo.habit == "behind":
            skipped = set(rng.sample(range(1, 11), rng.randint(3, 6)))
        functional = demo.kind == BranchKind.FUNCTIONAL
        has_committee = len(demo.committee) > 1
        for year, month in MONTHS:
            planned_only = (year, month) == (2026, 12)
            if year == 2026 and month in skipped:
                continue
            if planned_only and rng.random() > 0.3:
                continue
            theme = _day(year, month, demo.theme_day)
            self.add(MeetingKind.THEME_DAY, theme)
            if planned_only or functional:
                if functional and month in (2, 5, 8, 11):
                    self.add(MeetingKind.LECTURE, _day(year, month, demo.theme_day + 7))
                continue
            if has_committee:
                held = weekday(theme - datetime.timedelta(days=rng.randint(2, 6)))
                if demo.habit != "diligent" and year == 2026 and 2 <= month <= 10 and rng.random() < 0.15:
                    held = _day(year, month + 1, rng.randint(1, 6))  # a make-up early the next month
                self.add(MeetingKind.COMMITTEE, held, counts=(year, month))
            for group in demo.groups:
                if demo.habit == "sloppy" and rng.random() < 0.1:
                    continue
                self.add(MeetingKind.GROUP, weekday(theme + datetime.timedelta(days=rng.randint(3, 12))), group=group)
            self.quarterly(year, month, theme)
        self.yearly(skipped)
        if demo.habit == "behind" and skipped:
            month = min(skipped)
            if month + 1 <= 11 and month + 1 not in skipped:
                self.add(MeetingKind.THEME_DAY, _day(2026, month + 1, demo.theme_day + 8), counts=(2026, month))
        return self.rows

    def quarterly(self, year, month, theme):
        rng, demo = self.rng, self.demo
        if month in (2, 5, 8, 11) or (year, month) == FIRST_MONTH:
            self.add(MeetingKind.LECTURE, weekday(theme + datetime.timedelta(days=rng.randint(0, 6))))
        general_month = month in (3, 6, 9, 12) if year == 2025 or month < 10 else month == 11
        if general_month:
            day = theme if demo.habit == "diligent" and rng.random() < 0.5 else weekday(
                theme + datetime.timedelta(days=rng.randint(1, 9)))
            if year == 2026 and month == 11 and rng.random() < 0.35:
                day = _day(2026, 12, rng.randint(8, 20))  # Q4 planned for December
            self.add(MeetingKind.GENERAL, day)

    def yearly(self, skipped):
        rng, demo = self.rng, self.demo
        if demo.kind == BranchKind.FUNCTIONAL:
            return
        if rng.random() < 0.85:
            day = _day(2025, 12, rng.randint(18, 28))
            self.add(MeetingKind.LIFE_MEETING, day)
            self.add(MeetingKind.EVALUATION, day)
        if rng.random() < 0.6:
            self.add(MeetingKind.HEART_TALK, _day(2025, 12, rng.randint(1, 15)))
        roll = rng.random()
        if roll < 0.2:
            day = _day(2026, 11, rng.randint(10, 20))
            self.add(MeetingKind.LIFE_MEETING, day)
            self.add(MeetingKind.EVALUATION, day)
        elif roll < 0.55:
            day = _day(2026, 12, rng.randint(15, 28))
            self.add(MeetingKind.LIFE_MEETING, day)
            self.add(MeetingKind.EVALUATION, day)
        if rng.random() < (0.5 if demo.habit == "behind" else 0.88):
            self.add(MeetingKind.HEART_TALK, _day(2026, rng.randint(6, 9), rng.randint(1, 28)))

    # --- one meeting ------------------------------------------------------------------------------------------

    def add(self, kind, held_on, group=None, counts=None):
        demo, rng = self.demo, self.rng
        if demo.opened_on and held_on < demo.opened_on:
            return
        roster = self.roster(kind, held_on, group)
        if not roster:
            return
        year, month = counts or (held_on.year, held_on.month)
        subject = texts.topic(kind, year, month, rng, group.name if group else "")
        if counts and counts != (held_on.year, held_on.month):
            subject = f"{subject}（补开）"
        secretary = self.post_on(CommitteePost.SECRETARY, held_on)
        host = secretary.name if secretary else demo.branch.liaison_name
        meeting = Meeting(
            uid=stable_uuid(rng), branch=demo.branch, branch_path=demo.branch.path,
            party_group=group, kind=kind, topic=subject[:200], held_on=held_on,
            starts_at=datetime.time(9, 0) if kind in (MeetingKind.THEME_DAY, MeetingKind.GENERAL) else
            datetime.time(rng.choice((9, 14)), 30),
            place=self.place(kind, held_on, group, roster), host=host, speaker=self.speaker(kind, host, roster),
            agenda=texts.agenda(kind, subject), counts_year=year, counts_month=month, created_by=self.creator)
        meeting.fill_period()
        attendance = []
        recorded = held_on <= self.today
        if recorded and (self.today - held_on).days <= 3 and rng.random() < 0.5:
            recorded = False  # held in the last few days; the secretary has not entered it yet
        if recorded:
            attendance = self.attendance(kind, held_on, roster)
            self.fill_counts(meeting, attendance, kind, host)
        self.rows.append((meeting, attendance))

    def post_on(self, post, day):
        for start, posts in self.demo.terms:
            if start <= day:
                member = posts.get(post)
                return member if member and member.active_on(day) else None
        return None

    def roster(self, kind, day, group):
        demo = self.demo
        if kind == MeetingKind.COMMITTEE:
            for start, posts in demo.terms:
                if start <= day:
                    committee = [m for m in posts.values() if m.active_on(day)]
                    if committee:
                        return committee
                    break
        return demo.members_on(day, group if kind == MeetingKind.GROUP else None)

    def place(self, kind, day, group, roster):
        rng = self.rng
        if kind == MeetingKind.THEME_DAY and (day.year, day.month) in texts.THEME_PLACES:
            return texts.THEME_PLACES[(day.year, day.month)]
        if kind == MeetingKind.GROUP and rng.random() < 0.3:
            return f"党小组长{roster[0].name}家中"
        return self.demo.place

    def speaker(self, kind, host, roster):
        rng = self.rng
        if kind == MeetingKind.LECTURE:
            if rng.random() < 0.3:
                return f"{rng.choice(texts.GUEST_SPEAKERS)}{roster[-1].name[0]}老师"
            return host
        if kind == MeetingKind.GROUP:
            return roster[0].name
        return host

    def attendance(self, kind, day, roster):
        """(person id, status, is_voting, leave reason, delivered by, delivered on) for everyone on the roster."""
        rng, demo = self.rng, self.demo
        low = False
        if not self.low_turnout_done and kind == MeetingKind.GENERAL and len(roster) >= 5:
            low = self.low_turnout_done = True  # a 党员大会 without a quorum
        carriers = demo.delivery_names()
        rows = []
        for member in roster:
            voting = member.voting_on(day)
            reason, by, on = "", "", None
            roll = rng.random()
            if member.record.lives_elsewhere:
                status, reason = AttendanceStatus.LEAVE, "异地居住"
            elif kind != MeetingKind.COMMITTEE and member.needs_delivery(day):
                if kind == MeetingKind.GENERAL and roll < 0.3:
                    status = AttendanceStatus.PRESENT  # brought by the family to vote
                elif roll < 0.88:
                    status, by = AttendanceStatus.DELIVERED, rng.choice(carriers)
                    on = min(day + datetime.timedelta(days=rng.choice((0, 0, 1, 2, 3))), self.today)
                else:
                    status, reason = AttendanceStatus.LEAVE, rng.choice(FRAIL_LEAVE)
            elif low and roll < 0.6:
                status, reason = AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)
            elif roll < 0.89:
                status = AttendanceStatus.PRESENT
            elif roll < 0.97:
                status, reason = AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)
            else:
                status = AttendanceStatus.ABSENT
            rows.append((member.person.id, status, voting, reason, by, on))
        return rows

    def fill_counts(self, meeting, rows, kind, host):
        statuses = [row[1] for row in rows]
        meeting.attendance_recorded = True
        meeting.expected_count = len(rows)
        meeting.present_count = statuses.count(AttendanceStatus.PRESENT)
        meeting.delivered_count = statuses.count(AttendanceStatus.DELIVERED)
        meeting.leave_count = statuses.count(AttendanceStatus.LEAVE)
        meeting.absent_count = statuses.count(AttendanceStatus.ABSENT)
        meeting.voting_count = sum(1 for row in rows if row[2])
        meeting.voting_present = sum(1 for row in rows if row[2] and row[1] == AttendanceStatus.PRESENT)
        if self.no_minutes and meeting.held_on.year == 2026 and self.rng.random() < 0.08:
            self.no_minutes -= 1
            meeting.minutes = ""
        else:
            meeting.minutes = texts.minutes(kind, meeting.topic, host, (
                meeting.expected_count, meeting.present_count, meeting.delivered_count, meeting.leave_count,
                meeting.absent_count))
        meeting.qualifies = bool(meeting.minutes.strip())


def save_meetings(rng, plan, creators):
    """Plan and write every branch's meetings and attendance; returns figures."""
    planned = []
    low = next((d for d in plan.branches if d.habit == "behind" and d.county == "QH"), None)
    for demo in plan.branches:
        planned.extend(MeetingPlanner(rng, demo, plan.today, creators.get(demo.code), low_turnout=demo is low).plan())
    meetings = [meeting for meeting, _rows in planned]
    now = timezone.now()
    insert_objects(Meeting, meetings, now)
    keys = dict(Meeting.objects.values_list("uid", "pk"))
    attendance = [(keys[meeting.uid], person_id, status, voting, reason, by, on, now)
                  for meeting, rows in planned for person_id, status, voting, reason, by, on in rows]
    insert_rows(Attendance, ["meeting_id", "person_id", "status", "is_voting", "leave_reason", "delivered_by",
                             "delivered_on", "updated_at"], attendance)
    delivered = sum(1 for row in attendance if row[2] == AttendanceStatus.DELIVERED)
    return {"meetings": len(meetings), "attendance": len(attendance), "delivered": delivered,
            "meetings_2026": sum(1 for m in meetings if m.held_on.year == 2026 and m.held_on <= plan.today),
            "no_minutes": sum(1 for m in meetings if m.attendance_recorded and not m.qualifies)}
