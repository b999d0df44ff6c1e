"""Helpers of the care contact pages: ascending keyset pages ("load more", cursor ``?after=<id>``) and the Excel
response (written while the request waits, capped, audited)."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils import timezone

from yinfa.care.services.contacts import record_export
from yinfa.core.exports import XlsxStream

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Page:
    rows: list
    next_after: int | None

    @property
    def has_more(self):
        return self.next_after is not None


def ascending_page(queryset, *, after=None, size=50, field):
    """A page of ``queryset`` ordered by (``field``, id) ascending, starting after row ``after`` (an id of the
    queryset, else 404). No COUNT and no OFFSET."""
    ordered = queryset.order_by(field, "pk")
    if after not in (None, ""):
        try:
            after_id = int(after)
        except (TypeError, ValueError):
            raise Http404 from None
        anchor = queryset.filter(pk=after_id).values_list(field, flat=True).first()
        if anchor is None:
            raise Http404
        ordered = ordered.filter(Q(**{f"{field}__gt": anchor}) | Q(**{field: anchor, "pk__gt": after_id}))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_after=rows[-1].pk if more and rows else None)


def next_url(request, page):
    if not page.has_more:
        return ""
    query = request.GET.copy()
    query["after"] = str(page.next_after)
    return f"{request.path}?{query.urlencode()}"


def export_response(request, columns, rows, *, sheet_name, filename, filters, object_type):
    count = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        with XlsxStream(path, columns, sheet_name=sheet_name) as sheet:
            for row in rows:
                sheet.write(row)
                count += 1
        content = path.read_bytes()
    record_export(actor=request.user, scope=request.scope, object_type=object_type, filters=filters, rows=count)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.localdate():%Y%m%d}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
