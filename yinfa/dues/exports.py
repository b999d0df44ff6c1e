"""Excel files of party dues: the branch-by-month grid, the arrears list, the scope-by-month report and the
template of the sheet of bases. Small enough to be written while the request waits (a branch, a scope's
members in arrears, one row per organisation); every export is audited by the view through a service."""

import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.utils.translation import gettext as _

from yinfa.core.exports import XlsxStream
from yinfa.dues import ledger
from yinfa.dues.imports import TEMPLATE_HEADERS
from yinfa.dues.rules import month_key

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook(columns, rows, sheet_name):
    """The bytes of a one-sheet workbook."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        with XlsxStream(path, columns, sheet_name=sheet_name) as sheet:
            for row in rows:
                sheet.write(row)
        return path.read_bytes()


def download(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def month_titles():
    return [_("Month %(n)s") % {"n": n} for n in range(1, 13)]


def cell_value(cell):
    """A grid cell as the spreadsheet shows it: the amount paid as a number, otherwise a word."""
    if cell.status == ledger.PAID:
        return cell.payment.amount_paid
    if cell.status in (ledger.UNPAID, ledger.OPEN, ledger.AHEAD):
        label = _("unpaid") if cell.status == ledger.UNPAID else _("due")
        return f"{label} {cell.due}"
    return {ledger.WAIVED: _("waived"), ledger.NO_BASE: _("no base"), ledger.OUTSIDE: "—"}.get(cell.status, "")


def grid_rows(grid):
    for row in grid.rows:
        arrears = row.arrears.count if row.arrears is not None else ""
        yield [row.name, *(cell_value(cell) for cell in row.cells), row.paid, row.due, arrears]
    yield [_("Paid"), *grid.month_paid, grid.total_paid, "", ""]
    yield [_("Due"), *grid.month_due, "", grid.total_due, ""]


def grid_workbook(grid, branch_name):
    columns = [(_("Name"), 12), *((title, 10) for title in month_titles()), (_("Paid this year"), 12),
               (_("Due this year"), 12), (_("Months in arrears"), 10)]
    return workbook(columns, grid_rows(grid), f"{branch_name[:20]} {grid.year}")


def arrears_workbook(rows, branch_names):
    columns = [(_("Name"), 12), (_("Branch"), 30), (_("Months in arrears"), 10), (_("Since"), 10),
               (_("Amount owed"), 12), (_("Months"), 60)]
    data = ([row.name, branch_names.get(row.branch_id, ""), row.count, month_key(row.oldest), row.amount,
             ", ".join(month_key(month) for month in row.months)] for row in rows)
    return workbook(columns, data, _("Arrears"))


def report_workbook(report):
    columns = [(_("Organisation"), 30), (_("Branches"), 9), (_("Members"), 9),
               *((title, 10) for title in month_titles()), (_("Year total"), 12), (_("Members in arrears"), 10)]

    def rows():
        for row in report.rows:
            yield [row.name, row.branches, row.members, *row.months, row.total,
                   row.in_arrears if row.in_arrears is not None else ""]
        yield [_("Total"), sum(r.branches for r in report.rows), report.members, *report.month_totals, report.total,
               report.in_arrears if report.in_arrears is not None else ""]

    return workbook(columns, rows(), f"{report.node.name[:20]} {report.year}")


def template_workbook():
    columns = [(header, 22) for header in TEMPLATE_HEADERS]
    return workbook(columns, [], "党费基数")
