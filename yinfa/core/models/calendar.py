"""The holiday table: the State Council's public holidays and make-up working days (调休上班), day by day.

Seeded from the ``chinese-calendar`` library (which knows only the years already announced) and edited by the
system administrator when the next year's schedule is published. A year with no rows is not known: working days
then fall back to Monday–Friday, and whoever shows a result computed that way says so (``yinfa.core.workdays``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Public holiday (no work)")
    WORKDAY = "workday", _("Make-up working day")


class DaySource(models.TextChoices):
    LIBRARY = "library", _("From the chinese-calendar library")
    ENTERED = "entered", _("Entered by the system administrator")


class CalendarDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    year = models.PositiveSmallIntegerField(_("year"), editable=False, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("holiday"), max_length=40, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=DaySource.choices, default=DaySource.ENTERED)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("holiday table day")
        verbose_name_plural = _("holiday table")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        self.year = self.day.year
        super().save(*args, **kwargs)
