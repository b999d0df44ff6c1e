"""Keyset ("load more") pagination for long lists: newest first by (time field, id), cursor ``?before=<id>``.

No COUNT(*) and no OFFSET: each page costs one indexed range query (plus one to find the cursor row).
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404


@dataclass
class Page:
    rows: list
    next_before: int | None  # the id to pass as ?before= for the next page, None on the last page

    @property
    def has_more(self):
        return self.next_before is not None


def keyset_page(queryset, *, before=None, size=50, field="created_at"):
    """A page of ``queryset`` ordered by (``field``, id) descending, starting after row ``before``.

    ``before`` must be the id of a row of ``queryset`` (else 404), as given by the previous page.
    """
    ordered = queryset.order_by(f"-{field}", "-pk")
    if before not in (None, ""):
        try:
            before_id = int(before)
        except (TypeError, ValueError):
            raise Http404 from None
        anchor = queryset.filter(pk=before_id).values_list(field, flat=True).first()
        if anchor is None:
            raise Http404
        ordered = ordered.filter(Q(**{f"{field}__lt": anchor}) | Q(**{field: anchor, "pk__lt": before_id}))
    rows = list(ordered[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_before=rows[-1].pk if more and rows else None)


def next_page_url(request, page):
    """The current URL with ``before`` set to the next page's cursor ('' on the last page)."""
    if not page.has_more:
        return ""
    query = request.GET.copy()
    query["before"] = str(page.next_before)
    return f"{request.path}?{query.urlencode()}"
