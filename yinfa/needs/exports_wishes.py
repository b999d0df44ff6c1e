"""The staff's wish list as an Excel workbook: the filtered list, names in full (staff of the scope see them on the
page too), capped, written in constant memory. The view audits the export (personal data)."""

import tempfile
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core.exports import XlsxStream
from yinfa.needs.services.wish_reads import with_claim

EXPORT_LIMIT = 20_000
EXPORT_FIELDS = ("pk", "title", "reason", "estimated_cost", "status", "created_at", "published_at", "fulfilled_at",
                 "confirmed_at", "confirmed_by_proxy", "beneficiary_words", "reason_closed", "person__name",
                 "wall__name", "collected_by__full_name", "collected_by__username")


def columns():
    return [(_("Collected on"), 12), (_("Person"), 12), (_("The wish"), 28), (_("Why"), 40),
            (_("Estimated cost (yuan)"), 12), (_("Status"), 18), (_("Wish wall"), 20), (_("Collected by"), 14),
            (_("Published on"), 12), (_("Claimed by"), 20), (_("To be fulfilled by"), 12), (_("Fulfilled on"), 12),
            (_("Confirmed on"), 12), (_("Confirmed by staff for the person"), 10), (_("What the person said"), 30),
            (_("Reason"), 30)]


def _day(value):
    return timezone.localtime(value).date() if value else None


def export_wishes(wishes):
    """(xlsx bytes, number of rows) of ``wishes`` (already scoped and filtered), newest first."""
    rows = with_claim(wishes.select_related("person", "wall", "collected_by").only(*EXPORT_FIELDS))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wishes.xlsx"
        with XlsxStream(path, columns(), sheet_name=_("Micro-wishes")) as sheet:
            for wish in rows.order_by("-created_at", "-pk")[:EXPORT_LIMIT].iterator(chunk_size=2000):
                sheet.write([
                    _day(wish.created_at), wish.person.name, wish.title, wish.reason, wish.estimated_cost,
                    wish.get_status_display(), wish.wall.name,
                    wish.collected_by.display_name if wish.collected_by else "", _day(wish.published_at),
                    wish.claim_name or "", wish.claim_fulfil_by, _day(wish.fulfilled_at),
                    _day(wish.confirmed_at), _("Yes") if wish.confirmed_by_proxy else "",
                    wish.beneficiary_words, wish.reason_closed,
                ])
            count = sheet.rows
        return path.read_bytes(), count
