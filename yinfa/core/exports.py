"""Spreadsheet exports shared by every module: safe cells, a constant-memory xlsx writer, export jobs.

An export runs as a background job (``start_export``): the task streams rows into ``XlsxStream``,
which writes MEDIA_ROOT/exports/<job uid>.xlsx; the owner downloads it from the job page.
"""

import datetime
import decimal
import json
import os
from pathlib import Path

import xlsxwriter
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from yinfa.core import audit
from yinfa.core.models import AuditAction
from yinfa.core.services.jobs import start_job

EXPORT_DIR = "exports"
# A spreadsheet treats a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet may show it: text that looks like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_file(uid, extension="xlsx"):
    """(path relative to MEDIA_ROOT, absolute path) of the result file of job ``uid``."""
    relative = f"{EXPORT_DIR}/{uid}.{extension}"
    return relative, Path(settings.MEDIA_ROOT) / relative


def resolve_result_file(relative):
    """The absolute path of a job's result file, or None when it is missing or outside the export folder."""
    if not relative:
        return None
    root = (Path(settings.MEDIA_ROOT) / EXPORT_DIR).resolve()
    path = (Path(settings.MEDIA_ROOT) / relative).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


class XlsxStream:
    """One worksheet written row by row in constant memory.

    ``columns`` is a list of (title, width). Use as a context manager::

        with XlsxStream(path, [("Name", 20), ("Time", 20)]) as sheet:
            for row in rows:
                sheet.write(row)

    Text is written as text (never as a formula, URL or number) after ``safe_cell``; aware datetimes are
    shown in local time. A failed export leaves no half-written file behind.
    """

    def __init__(self, path, columns, sheet_name=None):
        self.path = Path(path)
        self.columns = columns
        self.sheet_name = sheet_name
        self.rows = 0

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook = xlsxwriter.Workbook(str(self.path), {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        })
        self.sheet = self.workbook.add_worksheet(self.sheet_name[:31] if self.sheet_name else None)
        self.datetime_format = self.workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.date_format = self.workbook.add_format({"num_format": "yyyy-mm-dd"})
        header_format = self.workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
        for col, (title, width) in enumerate(self.columns):
            self.sheet.set_column(col, col, width)
            self.sheet.write_string(0, col, str(title), header_format)
        self.sheet.freeze_panes(1, 0)
        return self

    def write(self, values):
        self.rows += 1
        for col, value in enumerate(values):
            self._write_cell(self.rows, col, value)

    def _write_cell(self, row, col, value):
        sheet = self.sheet
        if value is None or value == "":
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(value)
            sheet.write_datetime(row, col, value, self.datetime_format)
        elif isinstance(value, datetime.date):
            sheet.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), self.date_format)
        elif isinstance(value, int | float | decimal.Decimal):
            sheet.write_number(row, col, float(value))
        else:
            if isinstance(value, dict | list):
                value = json.dumps(value, ensure_ascii=False, sort_keys=True)
            sheet.write_string(row, col, safe_cell(str(value)))

    def __exit__(self, exc_type, exc, tb):
        self.workbook.close()
        if exc is not None and self.path.exists():
            os.unlink(self.path)
        return False


@transaction.atomic
def start_export(*, actor, scope, kind, title, task, params, exported_type, personal_data=False):
    """Start an export job for ``actor`` and audit the export with the filter used.

    ``params`` (JSON) is given to the task through the job; ``params["filters"]`` is what the audit shows.
    """
    job = start_job(actor=actor, scope=scope, kind=kind, title=title, task=task, params=params)
    audit.record(AuditAction.EXPORT, actor=actor, object_type=exported_type, object_repr=title[:200],
                 detail={"filters": params.get("filters", {}), "job": str(job.uid), "kind": kind},
                 personal_data=personal_data)
    return job


@transaction.atomic
def record_download(*, actor, job):
    """Audit the download of an export's result file by its owner."""
    audit.record(AuditAction.EXPORT, actor=actor, obj=job, object_repr=job.title[:200],
                 detail={"download": job.result_file, "job": str(job.uid), "kind": job.kind})
