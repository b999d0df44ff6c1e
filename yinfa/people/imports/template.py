"""The downloadable roster template: the columns the importer reads, an example row, and a notes sheet."""

import datetime
import io

import xlsxwriter
from django.utils.translation import gettext as _

from yinfa.core.exports import safe_cell
from yinfa.people import idnumbers
from yinfa.people.imports.columns import COLUMNS
from yinfa.people.imports.safety import MAX_FILE_BYTES, MAX_ROWS

TEMPLATE_COLUMNS = [column for column in COLUMNS if column.kind != "ignored"]
TEXT_KINDS = {"id", "phone", "date"}


def example_values():
    """The example row: a made-up person with a valid (made-up) ID number."""
    values = {column.field: column.example for column in TEMPLATE_COLUMNS}
    values["id_number"] = idnumbers.make("110101", datetime.date(1950, 5, 12), 123)
    return values


def template_bytes() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    header = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True})
    required = workbook.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1, "font_color": "#B3261E"})
    as_text = workbook.add_format({"num_format": "@"})
    sheet = workbook.add_worksheet(_("Roster")[:31])
    example = example_values()
    for col, column in enumerate(TEMPLATE_COLUMNS):
        width = 20 if column.kind in ("id", "text", "community") else 14
        sheet.set_column(col, col, width, as_text if column.kind in TEXT_KINDS else None)
        sheet.write_string(0, col, column.label, required if column.required else header)
        value = example.get(column.field, "")
        if value:
            sheet.write_string(1, col, safe_cell(str(value)), as_text)
    sheet.freeze_panes(1, 0)

    notes = workbook.add_worksheet(_("Notes")[:31])
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 10)
    notes.set_column(2, 2, 70, wrap)
    notes.set_column(3, 3, 40, wrap)
    for col, title in enumerate((_("Column"), _("Required"), _("What to write"), _("Other headers accepted"))):
        notes.write_string(0, col, title, header)
    row = 1
    for column in TEMPLATE_COLUMNS:
        notes.write_string(row, 0, column.label)
        notes.write_string(row, 1, _("yes") if column.required else "")
        notes.write_string(row, 2, str(column.help), wrap)
        notes.write_string(row, 3, "、".join(column.synonyms[1:]), wrap)
        row += 1
    row += 1
    for line in (
        _("The second row is an example: replace it with your own people."),
        _("Title rows above the header, 合计 rows and signature lines below the table are skipped."),
        _("Dates may be written as 1945-03-07, 1945/3/7, 1945年3月7日, 1945.03, 1945年3月 or 194503."),
        _("Format the ID number and phone columns as text: Excel turns long numbers into 3.8E+17 and loses "
          "digits."),
        _("A person already registered is found by the ID number and updated; empty cells never erase what the "
          "file already holds."),
        _("At most %(rows)s rows and %(mb)s MB per file; .xlsx, .xls and .csv (UTF-8 or GBK) are accepted, "
          "workbooks with macros are not.") % {"rows": f"{MAX_ROWS:,}", "mb": MAX_FILE_BYTES // (1024 * 1024)},
    ):
        notes.write_string(row, 0, line)
        row += 1
    workbook.close()
    return buffer.getvalue()
