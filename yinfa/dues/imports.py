"""Importing pension bases from a sheet: 姓名, 身份证号, 基本离退休费, 起始月份 (one row per member and month).

The file passes the roster importer's safety checks first (``yinfa.people.imports.safety``: size, type, macros,
zip and XML bombs) and is read with python-calamine (CSV with the csv module). People are matched by ID number
through the blind index, only among the people of the scope; the name must agree. Every row is checked before
anything is written: the preview lists each row's errors, and the import writes all rows or none
(``services.bases.import_bases``, an upsert).
"""

import csv
import datetime
import io
import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from yinfa.core.fields import lookup_index
from yinfa.core.masking import mask_id_number
from yinfa.dues.rules import FEN
from yinfa.dues.services.bases import ImportRow, check_base, members_in_scope, plan_import
from yinfa.people.imports.columns import BY_FIELD, header_key
from yinfa.people.imports.normalize import CellError, parse_date, parse_id_number, text
from yinfa.people.imports.reader import FOOTER_WORDS, TOTAL_WORDS, RosterError
from yinfa.people.imports.safety import CSV, MAX_ROWS, CheckedFile
from yinfa.people.models import Person

HEADER_SCAN_ROWS = 15
MAX_BASE_ROWS = 20_000
CHUNK = 1000
TEMPLATE_HEADERS = ("姓名", "身份证号", "基本离退休费", "起始月份")
SYNONYMS = {
    "name": BY_FIELD["name"].synonyms,
    "id_number": BY_FIELD["id_number"].synonyms,
    "amount": ("基本离退休费", "基本养老金", "基本退休费", "基本离休费", "离退休费", "养老金", "退休金",
               "党费基数", "计算基数", "基数", "月基本离退休费"),
    "month": ("起始月份", "起始年月", "生效月份", "执行月份", "起始时间", "开始月份", "月份"),
}
KEYS = {header_key(synonym): name for name, synonyms in SYNONYMS.items() for synonym in synonyms}
_AMOUNT_NOISE = str.maketrans({",": "", "，": "", "¥": "", "￥": "", "元": "", " ": "", "\u3000": ""})
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


# --- cells ---------------------------------------------------------------------------------------------------

def parse_amount(value) -> Decimal:
    """A base cell (3333.33, "3,333.33", "¥3333.33", "3333.33元") → Decimal to the fen; CellError otherwise."""
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        raise CellError(_("The amount is missing."))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    else:
        raw = str(value).translate(_FULL_WIDTH).translate(_AMOUNT_NOISE).strip()
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not an amount in yuan.") % {"value": str(value).strip()[:30]}) from None
    if not amount.is_finite():
        raise CellError(_("“%(value)s” is not an amount in yuan.") % {"value": str(value).strip()[:30]})
    if amount < 0:
        raise CellError(_("The amount cannot be negative."))
    if amount != amount.quantize(FEN):
        raise CellError(_("The amount has more than two decimal places."))
    if amount >= Decimal("100000000"):
        raise CellError(_("The amount is too large."))
    return amount.quantize(FEN)


def parse_month_cell(value) -> datetime.date:
    """A month cell (2026-01, 2026年1月, 202601, 2026.01, a date) → the first day of that month."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError(_("The month is missing."))
    if isinstance(value, datetime.datetime):
        value = value.date()
    parsed = parse_date(value)
    return parsed.value.replace(day=1)


# --- the sheet -------------------------------------------------------------------------------------------------

@dataclass
class SheetRow:
    number: int
    cells: dict  # field -> raw cell


def _header(row):
    found = {}
    for index, cell in enumerate(row):
        key = KEYS.get(header_key(cell)) if isinstance(cell, str) else None
        if key is not None and key not in found:
            found[key] = index
    return found


def _rows(numbered):
    """SheetRows after the header row (found in the first rows); blank, total and signature rows skipped."""
    first = list(itertools.islice(numbered, HEADER_SCAN_ROWS))
    found = [(position, _header(row)) for position, (_number, row) in enumerate(first)]
    found = [(position, columns) for position, columns in found if len(columns) == len(SYNONYMS)]
    if not found:
        raise RosterError(_("No header row with the columns %(columns)s was found in the first %(n)s rows.") % {
            "columns": "、".join(TEMPLATE_HEADERS), "n": HEADER_SCAN_ROWS})
    position, columns = found[0]
    rows = []
    for number, row in itertools.chain(first[position + 1:], numbered):
        cells = {name: row[index] for name, index in columns.items() if index < len(row)}
        values = [text(cell) for cell in cells.values() if cell not in (None, "")]
        if not any(values):
            continue
        first_text = values[0].replace(" ", "")
        if first_text.startswith(TOTAL_WORDS) or (
                not any(ch.isdigit() for ch in text(cells.get("id_number")))
                and any(word in value for value in values for word in FOOTER_WORDS)):
            continue
        rows.append(SheetRow(number, cells))
        if len(rows) > MAX_BASE_ROWS:
            raise RosterError(_("The file has more than %(limit)s rows. Split it into smaller files.") % {
                "limit": f"{MAX_BASE_ROWS:,}"})
    return rows


def read_sheet(checked: CheckedFile) -> list:
    """The data rows of a file that passed ``safety.check_file`` (raises RosterError)."""
    if checked.kind == CSV:
        content = Path(checked.path).read_bytes().decode(checked.encoding)
        return _rows(zip(itertools.count(1), csv.reader(io.StringIO(content))))
    try:
        with Path(checked.path).open("rb") as handle:
            workbook = CalamineWorkbook.from_filelike(handle)
    except CalamineError as exc:
        raise RosterError(_("The workbook cannot be read (%(error)s). Open it in Excel or WPS, save it again as "
                            ".xlsx and upload that.") % {"error": str(exc)[:120]}) from None
    error = None
    for meta in workbook.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet or meta.visible != SheetVisibleEnum.Visible:
            continue
        sheet = workbook.get_sheet_by_name(meta.name)
        try:
            return _rows(zip(itertools.count(1), itertools.islice(sheet.iter_rows(), MAX_ROWS)))
        except RosterError as exc:
            error = error or exc
    raise error or RosterError(_("The workbook has no visible sheet."))


# --- checking ----------------------------------------------------------------------------------------------------

@dataclass
class PreviewRow:
    number: int
    name: str
    id_masked: str
    month: datetime.date
    amount: Decimal
    status: str = ""  # new, update, unchanged
    person_id: int = 0


@dataclass
class Preview:
    rows: list = field(default_factory=list)  # PreviewRow, valid rows
    errors: list = field(default_factory=list)  # (row number, name, message)

    @property
    def importable(self):
        return bool(self.rows) and not self.errors

    def counts(self):
        counts = {"new": 0, "update": 0, "unchanged": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    def import_rows(self):
        return [ImportRow(row.number, row.person_id, row.month, row.amount) for row in self.rows]


def _parse(sheet_row):
    cells = sheet_row.cells
    name = text(cells.get("name"))
    if not name:
        raise CellError(_("The name (姓名) is missing."))
    if cells.get("id_number") in (None, ""):
        raise CellError(_("The ID number (身份证号) is missing."))
    number = parse_id_number(cells["id_number"]).number
    return name, number, parse_amount(cells.get("amount")), parse_month_cell(cells.get("month"))


def check_rows(scope, sheet_rows) -> Preview:
    """Each row parsed, matched among the scope's people and compared with the stored bases (a few queries per
    thousand rows)."""
    preview, parsed = Preview(), []
    for row in sheet_rows:
        try:
            name, number, amount, month = _parse(row)
            check_base(amount, month)
        except CellError as exc:
            preview.errors.append((row.number, text(row.cells.get("name")), exc.reason))
            continue
        except ValidationError as exc:
            preview.errors.append((row.number, text(row.cells.get("name")), " ".join(exc.messages)))
            continue
        parsed.append((row.number, name, number, amount, month))
    people = {}
    for start in range(0, len(parsed), CHUNK):
        chunk = {lookup_index(Person, "id_number_index", item[2]): item[2] for item in parsed[start:start + CHUNK]}
        for index, pk, name in (Person.objects.visible_to(scope).filter(id_number_index__in=list(chunk))
                                .values_list("id_number_index", "pk", "name")):
            people[chunk[index]] = (pk, name)
    members = members_in_scope(scope, [pk for pk, _name in people.values()])
    seen = set()
    for number, name, id_number, amount, month in parsed:
        match = people.get(id_number)
        if match is None:
            message = _("No person with this ID number in your scope.")
        elif match[1] != name:
            message = _("The name does not agree with the file of this ID number (%(name)s).") % {"name": match[1]}
        elif match[0] not in members:
            message = _("%(name)s is not a member of a party branch in your scope.") % {"name": name}
        elif (match[0], month) in seen:
            message = _("This person and month appear twice in the file.")
        else:
            seen.add((match[0], month))
            preview.rows.append(PreviewRow(number, name, mask_id_number(id_number), month, amount,
                                           person_id=match[0]))
            continue
        preview.errors.append((number, name, message))
    plan = plan_import(preview.import_rows())
    for row in preview.rows:
        row.status = plan[(row.person_id, row.month)]
    preview.errors.sort()
    return preview
