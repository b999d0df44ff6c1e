"""Seed the holiday table from the chinese-calendar library (the years it knows); later years are entered by the
system administrator when the State Council publishes them."""

from django.db import migrations


def seed(apps, schema_editor):
    from yinfa.core.workdays import library_days

    CalendarDay = apps.get_model("core", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("day", flat=True))
    CalendarDay.objects.bulk_create([
        CalendarDay(day=day, year=day.year, kind=kind, name=name[:40], source="library")
        for day, kind, name in library_days() if day not in existing
    ], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_holiday_table")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
