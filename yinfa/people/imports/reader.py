"""Reading a roster: find the sheet and its header row, map the headers, stream the data rows.

Real rosters start with merged title rows (单位名称, 制表日期…), may repeat the header on every printed page,
end with 合计 rows and signature lines (填表人, 审核人, 单位盖章…). Those are reported as skipped rows, not
errors. Workbooks (.xlsx, .xls, .ods) are read with python-calamine; CSV with the csv module.
"""

import csv
import io
import itertools
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from yinfa.people.imports.columns import BY_FIELD, column_for_header
from yinfa.people.imports.normalize import text
from yinfa.people.imports.safety import CSV, MAX_ROWS, CheckedFile

HEADER_SCAN_ROWS = 15
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数")
FOOTER_WORDS = ("填表人", "填报人", "制表人", "审核人", "审批人", "负责人", "单位盖章", "盖章", "签字", "签名",
                "制表日期", "填表日期", "填报日期", "报送日期", "制表时间", "填表时间", "联系人")
NOTE_PREFIXES = ("注:", "注：", "说明:", "说明：", "备注:", "备注：", "填表说明")


class RosterError(ValueError):
    """The file as a whole cannot be imported (no header row, a required column missing…)."""

    def __init__(self, reason):
        self.reason = str(reason)
        super().__init__(self.reason)


@dataclass
class SourceRow:
    number: int  # the row number the user sees in Excel (or the record number in a CSV file)
    cells: dict  # field -> raw cell value, non-blank cells of mapped columns only
    raw: list  # every cell of the row, as read


@dataclass
class SkippedRow:
    number: int
    reason: str


@dataclass
class Roster:
    sheet_name: str
    header_number: int
    headers: list  # the header row's texts as in the file
    columns: dict  # column index -> Column (first column for each field)
    ignored_headers: list = field(default_factory=list)
    estimated_rows: int = 0
    _rows: object = None

    @cached_property
    def field_headers(self):
        """field -> the header text the file uses for it."""
        return {column.field: self.headers[index] for index, column in self.columns.items()}

    def header_for(self, field_name):
        """The file's header for a field, or the template's when the file has no such column."""
        return self.field_headers.get(field_name) or BY_FIELD[field_name].label

    def rows(self):
        """SourceRow and SkippedRow in file order (once)."""
        return _classify(self, self._rows)


def _row_fields(row):
    mapped = {}
    for index, cell in enumerate(row):
        column = column_for_header(cell) if isinstance(cell, str) else None
        if column is not None and column.field not in mapped:
            mapped[column.field] = index
    return mapped


def _find_header(first_rows):
    """(index in first_rows, {field: column index}) of the row naming most known columns, or (None, {})."""
    best_index, best = None, {}
    for index, row in enumerate(first_rows):
        fields = _row_fields(row)
        if len(fields) > len(best) and len(fields) >= 2 and {"name", "id_number"} & set(fields):
            best_index, best = index, fields
    return best_index, best


def _build(sheet_name, rows_iter, first_number=1, estimated_total=0):
    first_rows = list(itertools.islice(rows_iter, HEADER_SCAN_ROWS))
    header_index, fields = _find_header(first_rows)
    if header_index is None:
        return None
    header = [text(cell) for cell in first_rows[header_index]]
    missing = [BY_FIELD[f].label for f in ("name", "id_number") if f not in fields]
    if missing:
        raise RosterError(_("The header row (row %(row)s) has no column for: %(columns)s.") % {
            "row": first_number + header_index, "columns": "、".join(missing)})
    columns = {index: column_for_header(header[index]) for index in fields.values()}
    used = set(fields.values())
    ignored = [h for i, h in enumerate(header) if h and (i not in used or columns[i].kind == "ignored")]
    columns = {i: c for i, c in columns.items() if c.kind != "ignored"}
    header_number = first_number + header_index
    rest = itertools.chain(first_rows[header_index + 1:], rows_iter)
    numbered = zip(itertools.count(header_number + 1), rest)
    return Roster(sheet_name=sheet_name, header_number=header_number, headers=header, columns=columns,
                  ignored_headers=ignored, estimated_rows=max(0, estimated_total - header_number),
                  _rows=numbered)


def _first_text(row):
    """The first non-blank cell as text without spaces, or None for a blank row."""
    for cell in row:
        if cell is None or cell == "":
            continue
        if isinstance(cell, str):
            if cell.strip():
                return cell.replace(" ", "").replace("\u3000", "").strip()
            continue
        return text(cell)
    return None


def _skip_reason(roster, row, cells, first):
    if first is None:
        return _("blank row")
    if first.startswith(TOTAL_WORDS):
        return _("total row")
    name, id_value = cells.get("name"), cells.get("id_number")
    name = name if isinstance(name, str) else text(name)
    id_text = id_value if isinstance(id_value, str) else text(id_value)
    # A footer's words may sit in any column, the name and ID columns included; real data has digits there.
    if (not name or _has_footer_word(name)) and (not id_text or not any(ch.isdigit() for ch in id_text)
                                                  or _has_footer_word(id_text)):
        if first.startswith(NOTE_PREFIXES):
            return _("note below the table")
        if any(_has_footer_word(cell) for cell in row if isinstance(cell, str)):
            return _("signature line")
    if name and name == roster.header_for("name"):
        repeated = sum(1 for index in roster.columns
                       if index < len(row) and text(row[index]) == roster.headers[index])
        if repeated >= min(3, len(roster.columns)):
            return _("repeated header row")
    return None


def _classify(roster, numbered_rows):
    data_rows = 0
    columns = [(index, column.field) for index, column in roster.columns.items()]
    for number, row in numbered_rows:
        width = len(row)
        cells = {}
        for index, field_name in columns:
            if index < width:
                cell = row[index]
                if cell is not None and cell != "" and not (isinstance(cell, str) and not cell.strip()):
                    cells[field_name] = cell
        reason = _skip_reason(roster, row, cells, _first_text(row))
        if reason is not None:
            yield SkippedRow(number, reason)
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise RosterError(_("The file has more than %(limit)s rows. Split it into smaller files.") % {
                "limit": f"{MAX_ROWS:,}"})
        yield SourceRow(number, cells, row)


def _workbook_roster(checked: CheckedFile):
    try:
        with Path(checked.path).open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
    except CalamineError as exc:
        raise RosterError(_("The workbook cannot be read (%(error)s). Open it in Excel or WPS, save it again as "
                            ".xlsx and upload that.") % {"error": str(exc)[:120]}) from None
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        end = sheet.end
        # iter_rows starts at the sheet's first row, so the n-th row yielded is Excel's row n.
        roster = _build(meta.name, sheet.iter_rows(), 1, (end[0] + 1) if end else 0)
        if roster is not None:
            return roster
    raise RosterError(_("No sheet has a header row with the columns 姓名 and 身份证号 in its first %(n)s rows.")
                      % {"n": HEADER_SCAN_ROWS})


def _csv_roster(checked: CheckedFile):
    content = Path(checked.path).read_bytes().decode(checked.encoding)
    sample = content[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(content), dialect))
    roster = _build(Path(checked.path).name, iter(rows), 1, len(rows))
    if roster is None:
        raise RosterError(_("The file has no header row with the columns 姓名 and 身份证号 in its first %(n)s "
                            "rows.") % {"n": HEADER_SCAN_ROWS})
    return roster


def read_roster(checked: CheckedFile) -> Roster:
    """The roster of a file that passed the safety checks (raises RosterError)."""
    if checked.kind == CSV:
        return _csv_roster(checked)
    return _workbook_roster(checked)


def _has_footer_word(value) -> bool:
    return any(word in value for word in FOOTER_WORDS)
