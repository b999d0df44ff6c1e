"""Excel exports of the needs list (需求清单) and the resource list (资源清单): the rows of the page's filters,
written synchronously (capped), audited. Only names are shown of the people (no ID numbers, phones or addresses);
the needs list export is marked as personal data in the audit trail."""

import tempfile
from pathlib import Path

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from yinfa.core.exports import XlsxStream
from yinfa.needs.models import ProviderKind, ServiceCategory

EXPORT_LIMIT = 20_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ORDER_COLUMNS = ("pk", "created_at", "person__name", "person__community__name", "person__unit__name",
                 "item__name", "item__category", "channel", "proxy_name", "proxy_relation", "status", "handler__name",
                 "provider__provider_name", "accept_by", "due_on", "done_at", "rating", "confirmed_by_proxy",
                 "reason")


def _response(path, filename):
    response = HttpResponse(path.read_bytes(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def orders_workbook(orders):
    """(response, rows) for the orders (a filtered queryset)."""
    from yinfa.needs.models import OrderChannel, OrderStatus

    statuses, channels = dict(OrderStatus.choices), dict(OrderChannel.choices)
    categories = dict(ServiceCategory.choices)
    columns = [(_("Ordered at"), 18), (pgettext_lazy("service order", "For"), 12), (_("Community"), 18),
               (_("Former unit"), 20), (_("Service"), 20), (pgettext_lazy("service order", "Kind of service"), 16),
               (pgettext_lazy("service order", "Ordered"), 16), (_("Acting for the retiree"), 18),
               (_("Status"), 22), (_("Handled by"), 18), (_("Provider"), 20), (_("To be accepted by"), 12),
               (_("To be carried out by"), 12), (_("Carried out at"), 18), (_("On time"), 8),
               (pgettext_lazy("service order", "Rating"), 8),
               (_("Confirmed by proxy"), 10), (_("Reason"), 30)]
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "orders.xlsx"
        with XlsxStream(path, columns, sheet_name=_("Needs list")) as sheet:
            for row in orders.order_by("-created_at", "-pk").values_list(*ORDER_COLUMNS)[:EXPORT_LIMIT].iterator(
                    chunk_size=2000):
                values = dict(zip(ORDER_COLUMNS, row, strict=True))
                done_at = values["done_at"]
                on_time = "" if done_at is None else (
                    _("Yes") if timezone.localdate(done_at) <= values["due_on"] else _("No"))
                proxy = " ".join(p for p in (values["proxy_name"], values["proxy_relation"] and
                                             f"({values['proxy_relation']})") if p)
                sheet.write([values["created_at"], values["person__name"], values["person__community__name"] or "",
                             values["person__unit__name"] or "", values["item__name"],
                             categories.get(values["item__category"], ""), channels.get(values["channel"], ""),
                             proxy, statuses.get(values["status"], ""), values["handler__name"],
                             values["provider__provider_name"] or "", values["accept_by"], values["due_on"], done_at,
                             on_time, values["rating"], _("Yes") if values["confirmed_by_proxy"] else "",
                             values["reason"]])
                rows += 1
        return _response(path, "needs-list"), rows


RESOURCE_COLUMNS = ("pk", "provider_kind", "provider_name", "node__name", "community__name", "categories", "offer",
                    "skills", "place", "available", "contact_name", "active")


def resources_workbook(resources):
    kinds, categories = dict(ProviderKind.choices), dict(ServiceCategory.choices)
    columns = [(_("Kind of provider"), 16), (_("Provider"), 22), (_("Kept by"), 18), (_("Community served"), 18),
               (pgettext_lazy("service order", "Kinds of service"), 26), (_("What is offered"), 30), (_("Skills"), 20),
               (pgettext_lazy("service order", "Where"), 18), (pgettext_lazy("service order", "When"), 18),
               (_("Contact person"), 12), (pgettext_lazy("service order", "Available"), 8)]
    rows = 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "resources.xlsx"
        with XlsxStream(path, columns, sheet_name=_("Resource list")) as sheet:
            for row in resources.order_by("provider_kind", "provider_name", "pk").values_list(
                    *RESOURCE_COLUMNS)[:EXPORT_LIMIT].iterator(chunk_size=2000):
                values = dict(zip(RESOURCE_COLUMNS, row, strict=True))
                sheet.write([kinds.get(values["provider_kind"], ""), values["provider_name"], values["node__name"],
                             values["community__name"] or "",
                             "、".join(str(categories.get(c, c)) for c in values["categories"] or []),
                             values["offer"], values["skills"], values["place"], values["available"],
                             values["contact_name"], _("Yes") if values["active"] else _("No")])
                rows += 1
        return _response(path, "resources"), rows
