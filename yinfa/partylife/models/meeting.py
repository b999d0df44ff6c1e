"""Meetings of organisational life (三会一课 and the others) and their attendance.

A meeting *qualifies* for compliance when its attendance is recorded and its minutes are written. The counts on
the meeting row are cached by the services whenever the attendance changes, so lists and the calendar never
count attendance rows.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yinfa.core.uploads import stored_name
from yinfa.partylife.periods import days_after_ends
from yinfa.partylife.querysets import AttendanceQuerySet, MeetingQuerySet


class MeetingKind(models.TextChoices):
    GENERAL = "general", _("General members' meeting")
    COMMITTEE = "committee", _("Branch committee meeting")
    GROUP = "group", _("Party group meeting")
    LECTURE = "lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Themed party day")
    LIFE_MEETING = "life_meeting", _("Organisational life meeting")
    EVALUATION = "evaluation", _("Democratic evaluation of members")
    HEART_TALK = "heart_talk", _("Heart-to-heart talks")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")
    DELIVERED = "delivered", _("Study delivered at home")


# 送学上门 counts as taking part (domain.md); it does not count towards the quorum of a vote at the meeting.
PARTICIPATING = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.DELIVERED})


class Meeting(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    branch = models.ForeignKey("partylife.Branch", on_delete=models.PROTECT, related_name="meetings",
                               verbose_name=_("branch"))
    branch_path = models.CharField(max_length=255, editable=False)
    party_group = models.ForeignKey("core.OrgNode", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="group_meetings", verbose_name=_("party group"))
    kind = models.CharField(_("meeting type"), max_length=20, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    host = models.CharField(_("host"), max_length=60, blank=True)
    speaker = models.CharField(_("speaker"), max_length=60, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    # The month this meeting counts for in compliance: the month it was held, or an earlier one for a make-up.
    counts_year = models.PositiveSmallIntegerField(_("counts for year"), editable=False)
    counts_month = models.PositiveSmallIntegerField(_("counts for month"))
    days_after_month = models.SmallIntegerField(default=0, editable=False)
    days_after_quarter = models.SmallIntegerField(default=0, editable=False)
    days_after_year = models.SmallIntegerField(default=0, editable=False)
    # Cached from the attendance rows by the services.
    attendance_recorded = models.BooleanField(default=False, editable=False)
    qualifies = models.BooleanField(default=False, editable=False)
    expected_count = models.PositiveIntegerField(default=0, editable=False)
    present_count = models.PositiveIntegerField(default=0, editable=False)
    delivered_count = models.PositiveIntegerField(default=0, editable=False)
    leave_count = models.PositiveIntegerField(default=0, editable=False)
    absent_count = models.PositiveIntegerField(default=0, editable=False)
    voting_count = models.PositiveIntegerField(default=0, editable=False)
    voting_present = models.PositiveIntegerField(default=0, editable=False)
    copied_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["branch", "held_on"], name="meeting_branch_day"),
            models.Index(fields=["counts_year", "kind", "branch"], name="meeting_compliance"),
            models.Index(fields=["branch_path"], name="meeting_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.topic}"

    def save(self, *args, **kwargs):
        self.fill_period()
        super().save(*args, **kwargs)

    def fill_period(self):
        """Default the attributed month to the month held; derive the lateness columns the compliance SQL reads."""
        if not self.counts_month:
            self.counts_month = self.held_on.month
        if not self.counts_year:
            self.counts_year = self.held_on.year
        if (self.counts_year, self.counts_month) > (self.held_on.year, self.held_on.month):
            self.counts_year, self.counts_month = self.held_on.year, self.held_on.month
        self.days_after_month, self.days_after_quarter, self.days_after_year = days_after_ends(
            self.held_on, self.counts_year, self.counts_month)

    @property
    def quorum_required(self):
        return self.kind == MeetingKind.GENERAL

    @property
    def quorum_met(self):
        """A 党员大会 needs more than half of the voting (full) members present; None for other meetings."""
        if not self.quorum_required or not self.attendance_recorded:
            return None
        return self.voting_present * 2 > self.voting_count

    @property
    def participation_rate(self):
        if not self.expected_count:
            return None
        return (self.present_count + self.delivered_count) / self.expected_count


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance",
                                verbose_name=_("meeting"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="attendance",
                               verbose_name=_("person"))
    status = models.CharField(_("attendance"), max_length=20, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.ABSENT)
    is_voting = models.BooleanField(_("voting member"), default=True)
    leave_reason = models.CharField(_("reason for leave"), max_length=120, blank=True)
    delivered_by = models.CharField(_("material taken by"), max_length=60, blank=True)
    delivered_on = models.DateField(_("material taken on"), null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_attendance_per_person")]
        indexes = [models.Index(fields=["person", "meeting"], name="attendance_person")]

    def __str__(self):
        return f"{self.meeting_id}: {self.person_id} {self.status}"


def meeting_file_path(instance, filename):
    return stored_name(f"meetings/{instance.meeting.uid}", filename)


class MeetingFile(models.Model):
    """A photo or document of a meeting; served only through a scoped view."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="files", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=200)
    is_photo = models.BooleanField(_("photo"), default=False)
    file = models.FileField(_("file"), upload_to=meeting_file_path, max_length=300)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meeting file")
        verbose_name_plural = _("meeting files")
        ordering = ["meeting", "-is_photo", "id"]

    def __str__(self):
        return self.title
