"""Importing pension bases from a sheet: upload → preview (every row checked, errors per row) → confirm (all
rows or none). The checked rows wait in the session between preview and confirm; the service checks them again
against the scope before writing."""

import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.dues import exports
from yinfa.dues.forms import UploadForm
from yinfa.dues.imports import check_rows, read_sheet
from yinfa.dues.rules import month_key, parse_month
from yinfa.dues.services.bases import ImportRow, import_bases
from yinfa.people.imports.reader import RosterError
from yinfa.people.imports.safety import UnsafeFile, check_file, check_size, extension_of

SESSION_KEY = "dues_base_import"
ROWS_SHOWN = 500


def _preview(request, upload):
    """Check the uploaded file and its rows; (Preview, None) or (None, the reason it is refused)."""
    try:
        check_size(upload.size)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"upload{extension_of(upload.name)}"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            rows = read_sheet(check_file(path, upload.name))
    except (UnsafeFile, RosterError) as exc:
        return None, exc.reason
    if not rows:
        return None, _("The file has no data rows under its header row.")
    return check_rows(request.scope, rows), None


def _stored_rows(request, token):
    stored = request.session.get(SESSION_KEY) or {}
    if not token or stored.get("token") != token:
        return None, ""
    rows = [ImportRow(number, person_id, parse_month(month), Decimal(amount))
            for number, person_id, month, amount in stored.get("rows", [])]
    return rows, stored.get("file", "")


@module("dues")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.DUES_MANAGE)
def base_import(request):
    form, preview, refused = UploadForm(), None, ""
    if request.method == "POST" and request.POST.get("action") == "confirm":
        rows, file_name = _stored_rows(request, request.POST.get("token"))
        if rows is None:
            messages.error(request, _("This preview has expired. Upload the file again."))
            return redirect("dues:base_import")
        try:
            result = import_bases(actor=request.user, scope=request.scope, rows=rows, file_name=file_name)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("dues:base_import")
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("Bases imported: %(created)s new, %(updated)s changed, %(unchanged)s already "
                                    "recorded.") % result)
        return redirect("dues:base_import")
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            preview, refused = _preview(request, upload)
            if preview is not None and preview.importable:
                token = uuid.uuid4().hex
                request.session[SESSION_KEY] = {
                    "token": token, "file": upload.name[:200],
                    "rows": [[row.number, row.person_id, month_key(row.month), str(row.amount)]
                             for row in preview.rows]}
                preview.token = token
    return render(request, "dues/base_import.html", {
        "form": form, "preview": preview, "refused": refused, "rows_shown": ROWS_SHOWN,
        "shown_rows": preview.rows[:ROWS_SHOWN] if preview else [],
        "counts": preview.counts() if preview else {},
    })


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def base_import_template(request):
    return exports.download(exports.template_workbook(), "dues-bases-template.xlsx")
