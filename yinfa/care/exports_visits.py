"""Excel files of the visits list and the round-birthdays list: written while the request waits (capped), without
ID numbers or phone numbers (the lists never load them). The views audit each export through
``services.visits.record_export``."""

import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core.exports import XlsxStream

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 20_000


def workbook(columns, rows, sheet_name):
    """(the bytes of a one-sheet workbook, the number of rows written)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        with XlsxStream(path, columns, sheet_name=sheet_name) as sheet:
            for row in rows:
                sheet.write(row)
            count = sheet.rows
        return path.read_bytes(), count


def download(content, stem):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{stem}-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def node_name(node):
    return node.name if node is not None else ""


def visit_rows(visits):
    for visit in visits:
        person = visit.person
        yield [visit.visited_on, person.name, node_name(person.unit), node_name(person.community),
               visit.get_kind_display(), visit.visitors, visit.leaders, visit.gift, visit.money, visit.feedback,
               visit.needs, node_name(visit.organisation)]


def visits_workbook(visits):
    columns = [(_("Visited on"), 12), (_("Full name"), 12), (_("Former work unit"), 26), (_("Community"), 20),
               (_("Kind of visit"), 14), (_("Visitors"), 26), (_("Leaders present"), 20), (_("Gift"), 20),
               (_("Money (yuan)"), 12), (_("What the person said"), 40), (_("Needs"), 40),
               (_("Visiting organisation"), 24)]
    return workbook(columns, visit_rows(visits), _("Visits"))


def birthday_rows(rows):
    for row in rows:
        person, birthday = row.person, row.birthday
        yield [person.name, node_name(person.unit), node_name(person.community), birthday.age, birthday.on,
               _("Lunar") if birthday.lunar else _("Solar"), birthday.days_to_go, row.last_visit]


def birthdays_workbook(rows):
    columns = [(_("Full name"), 12), (_("Former work unit"), 26), (_("Community"), 20), (_("Age to be"), 10),
               (_("Birthday"), 12), (_("Calendar"), 8), (_("Days to go"), 10), (_("Last birthday visit"), 14)]
    return workbook(columns, birthday_rows(rows), _("Round birthdays"))
