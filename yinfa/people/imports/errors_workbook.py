"""The downloadable workbook of the rows that were not imported: the row number, the columns at fault and the
reasons, then the row's cells as they were, so the user can fix them and import that file again."""

from django.utils.translation import gettext as _

from yinfa.core.exports import XlsxStream

REASON_SEPARATOR = "；"


class ErrorWorkbook:
    """``with ErrorWorkbook(path, headers) as book: book.add(row_number, errors, raw_cells)``.

    With ``path`` None nothing is written. The file is written in constant memory; cells go through
    ``safe_cell`` (a value starting with = + - @ cannot become a formula). A failed pass leaves no file.
    """

    def __init__(self, path, headers):
        self.path = path
        self.headers = list(headers)
        self.stream = None
        self.rows = 0

    def __enter__(self):
        if self.path is not None:
            columns = [(_("Row"), 8), (_("Columns"), 16), (_("Reason"), 60)]
            columns += [(header or "", 14) for header in self.headers]
            self.stream = XlsxStream(self.path, columns, sheet_name=_("Rows not imported")).__enter__()
        return self

    def add(self, number, errors, raw):
        self.rows += 1
        if self.stream is None:
            return
        columns = list(dict.fromkeys(error.column for error in errors))
        reasons = [f"{error.column}: {error.reason}" for error in errors]
        cells = list(raw) + [""] * max(0, len(self.headers) - len(raw))
        self.stream.write([number, REASON_SEPARATOR.join(columns), REASON_SEPARATOR.join(reasons),
                           *[_cell(value) for value in cells[: max(len(self.headers), len(raw))]]])

    def __exit__(self, exc_type, exc, tb):
        if self.stream is not None:
            self.stream.__exit__(exc_type, exc, tb)
        return False


def _cell(value):
    """Floats that hold a (damaged) ID number are shown in full rather than as 3.8E+17."""
    if isinstance(value, float) and value >= 1e11 and value.is_integer():
        return f"{value:.0f}"
    return value
