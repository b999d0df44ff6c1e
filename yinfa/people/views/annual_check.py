"""The annual check (年检) pages: campaigns, opening one, progress per unit, the unconfirmed list, and each unit's
confirmation page with per-row confirm (htmx), batch confirm and the correction path.

Campaigns and items are read only through ``querysets_annual_check`` (scoped); anything outside the scope is 404.
Unit names are read by the ids found in the scoped items (one query per page).
"""

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from yinfa.core.access import scope_checked
from yinfa.core.exports import XlsxStream, start_export
from yinfa.core.forms import StyledFormMixin
from yinfa.core.forms_org import DateInput, add_service_errors
from yinfa.core.masking import mask_address, mask_phone
from yinfa.core.models import OrgNode
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.people.models import AnnualCheckCampaign, AnnualCheckItem, CampaignStatus, CheckStatus
from yinfa.people.querysets_annual_check import (
    ancestor_paths,
    campaign_items,
    campaign_within,
    campaigns_visible_to,
    items_visible_to,
    progress_counts,
    unconfirmed_items,
    unit_progress,
    with_shares,
)
from yinfa.people.services import annual_check as services
from yinfa.people.tasks import export_annual_check_unconfirmed

PAGE_SIZE = 50
CAMPAIGNS_SHOWN = 100
UNIT_ROWS_SHOWN = 300  # the progress table shows the units lagging most; the Excel file has them all
UNIT_SELECT_LIMIT = 300  # above this many units the unit filter is set from the progress table's links
# Shown instead of CampaignStatus labels: the msgid "Open" is already the verb of "open a record" (查看).
STATUS_FILTERS = {
    "pending": (CheckStatus.PENDING,),
    "done": (CheckStatus.CONFIRMED, CheckStatus.CORRECTED),
    "all": None,
}


# --- forms ---------------------------------------------------------------------------------------------------

class OpenCampaignForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int)
    due_on = forms.DateField(label=gettext_lazy("Due on"), widget=DateInput,
                             help_text=gettext_lazy("Units should confirm their people by this day. Reminders "
                                                    "start 14 days before."))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=120, required=False,
                            help_text=gettext_lazy("Leave empty for the usual title."))

    def __init__(self, *args, this_year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in (this_year - 1, this_year, this_year + 1)]


class ItemCheckForm(StyledFormMixin, forms.Form):
    alive = forms.BooleanField(label=gettext_lazy("Alive"), required=False)
    address_ok = forms.BooleanField(label=gettext_lazy("Address is correct"), required=False)
    phone_ok = forms.BooleanField(label=gettext_lazy("Phone number is correct"), required=False)
    status_ok = forms.BooleanField(label=gettext_lazy("Status is correct (category, treatment, party, living)"),
                                   required=False)
    note = forms.CharField(label=gettext_lazy("What was corrected"), max_length=300, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=gettext_lazy("Needed when something was wrong: say what you corrected in "
                                                  "the file."))


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        try:
            ids = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise ValidationError(_("The selection is not valid.")) from None
        if len(ids) > services.CONFIRM_MANY_LIMIT:
            raise ValidationError(_("Confirm at most %(limit)s people at a time.") % {
                "limit": services.CONFIRM_MANY_LIMIT})
        return ids


class SelectionForm(forms.Form):
    item = IdListField(required=False)
    page_item = IdListField(required=False)
    which = forms.ChoiceField(choices=[("selected", "selected"), ("page", "page")])

    def chosen_ids(self):
        return self.cleaned_data["item" if self.cleaned_data["which"] == "selected" else "page_item"]


# --- helpers -------------------------------------------------------------------------------------------------

def get_campaign(request, pk):
    campaign = get_object_or_404(campaigns_visible_to(request.scope).select_related("node", "created_by"), pk=pk)
    return campaign


def get_item(request, pk):
    return get_object_or_404(items_visible_to(request.scope).select_related("campaign", "person", "confirmed_by"),
                             pk=pk)


def may_manage(request, campaign):
    return request.scope.has(Perm.PEOPLE_EDIT) and campaign_within(campaign, request.scope)


def may_confirm(request, campaign):
    return request.scope.has(Perm.PEOPLE_EDIT) and campaign.status == CampaignStatus.OPEN


def bar_class(row):
    if row["complete"]:
        return "bg-success"
    return "bg-warning" if row["percent"] >= 50 else "bg-danger"


def unit_names(ids):
    """{unit id: (name, path)} for units answering for scoped items (one query)."""
    return {pk: (name, path) for pk, name, path in OrgNode.objects.filter(pk__in=list(ids))
            .values_list("pk", "name", "path")}


def named_unit_rows(items):
    """Per-unit progress of ``items`` with unit names, lowest share done first (two queries)."""
    rows = unit_progress(items)
    names = unit_names(row["unit_id"] for row in rows)
    for row in rows:
        row["name"], row["path"] = names.get(row["unit_id"], ("", ""))
        row["bar"] = bar_class(row)
    return rows


def unit_filter(request, rows):
    """The chosen unit id (only a unit of ``rows``), and the options of the unit select (None: too many)."""
    chosen = request.GET.get("unit", "")
    known = {str(row["unit_id"]): row for row in rows}
    chosen_row = known.get(chosen)
    options = None
    if len(rows) <= UNIT_SELECT_LIMIT:
        options = sorted(({"id": row["unit_id"], "name": row["name"], "pending": row["pending"]} for row in rows),
                         key=lambda o: (o["name"], o["id"]))
    return chosen_row, options


def ascending_page(queryset, after, size):
    """Keyset page in id order after the item ``after`` (an id from the previous page)."""
    rows = queryset.order_by("pk")
    try:
        after_id = int(after) if after else None
    except (TypeError, ValueError):
        after_id = None
    if after_id:
        rows = rows.filter(pk__gt=after_id)
    rows = list(rows[: size + 1])
    return rows[:size], (rows[size - 1].pk if len(rows) > size else None)


def next_url(request, next_after):
    if next_after is None:
        return ""
    query = request.GET.copy()
    query["after"] = str(next_after)
    return f"{request.path}?{query.urlencode()}"


def decorate(item, names):
    """Display values of an item row: masked phone and address, the file link, the unit's name."""
    person = item.person
    item.masked_phone = mask_phone(person.phone)
    item.masked_address = mask_address(person.address)
    item.file_url = services.person_file_url(person.pk)
    item.unit_name = names.get(item.unit_id, ("", ""))[0]
    return item


def htmx_aware(response):
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- campaigns -----------------------------------------------------------------------------------------------

@module("annual_check")
@scope_checked(Perm.PEOPLE_VIEW)
def campaign_list(request):
    scope = request.scope
    this_year = timezone.localdate().year
    campaigns = campaigns_visible_to(scope).select_related("node")
    year, status = request.GET.get("year", ""), request.GET.get("status", "")
    if year.isdigit():
        campaigns = campaigns.filter(year=int(year))
    if status in CampaignStatus.values:
        campaigns = campaigns.filter(status=status)
    campaigns = list(campaigns.order_by("-year", "scope_path", "pk")[: CAMPAIGNS_SHOWN + 1])
    more = len(campaigns) > CAMPAIGNS_SHOWN
    campaigns = campaigns[:CAMPAIGNS_SHOWN]
    managed = [c.pk for c in campaigns if campaign_within(c, scope)]
    figures = {}
    if campaigns:
        rows = (items_visible_to(scope).filter(campaign__in=[c.pk for c in campaigns])
                .values("campaign").annotate(**progress_counts()).order_by())
        figures = {row["campaign"]: with_shares(row) for row in rows}
    for campaign in campaigns:
        campaign.figures = figures.get(campaign.pk) or with_shares({"planned": 0, "confirmed": 0, "corrected": 0})
        campaign.figures["bar"] = bar_class(campaign.figures)
        campaign.is_own = campaign.pk in managed
    can_open = scope.has(Perm.PEOPLE_EDIT) and not AnnualCheckCampaign.objects.filter(
        year=this_year, scope_path__in=ancestor_paths(scope.path)).exists()
    return render(request, "people/annual_check/list.html", {
        "campaigns": campaigns, "more": more, "this_year": this_year, "can_open": can_open,
        "years": range(this_year + 1, this_year - 6, -1), "year": year, "status": status,
        "statuses": CampaignStatus.choices, "filtered": bool(year or status),
    })


@module("annual_check")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def campaign_open(request):
    scope = request.scope
    this_year = timezone.localdate().year
    if request.method == "POST":
        form = OpenCampaignForm(request.POST, this_year=this_year)
        if form.is_valid():
            try:
                campaign = services.open_campaign(actor=request.user, scope=scope, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                job = services.preparing_job(campaign)
                if job is not None:
                    messages.success(request, _("The annual check is open. Its list of people is being prepared "
                                                "in the background."))
                else:
                    messages.success(request, _("The annual check is open. The units can now confirm their "
                                                "people; “Send reminders now” tells their administrators."))
                return redirect("people:annual_check_detail", pk=campaign.pk)
    else:
        form = OpenCampaignForm(initial={"year": this_year, "due_on": services.default_due_on(this_year)},
                                this_year=this_year)
    roster = services.roster(scope).aggregate(people=Count("pk"), units=Count("unit", distinct=True))
    covering = (AnnualCheckCampaign.objects.filter(year=this_year, scope_path__in=ancestor_paths(scope.path))
                .select_related("node").first())
    return render(request, "people/annual_check/open.html", {
        "form": form, "roster": roster, "covering": covering, "this_year": this_year,
        "background": roster["people"] > services.SYNC_LIMIT, "sync_limit": services.SYNC_LIMIT,
        "default_title": services.default_title(this_year, scope.node_name),
    })


@module("annual_check")
@scope_checked(Perm.PEOPLE_VIEW)
def campaign_detail(request, pk):
    campaign = get_campaign(request, pk)
    items = campaign_items(campaign, request.scope)
    rows = named_unit_rows(items)
    totals = with_shares({key: sum(row[key] for row in rows) for key in ("planned", "confirmed", "corrected")})
    totals["bar"] = bar_class(totals)
    manageable = may_manage(request, campaign)
    return render(request, "people/annual_check/detail.html", {
        "campaign": campaign, "totals": totals, "unit_count": len(rows), "rows": rows[:UNIT_ROWS_SHOWN],
        "rows_cut": len(rows) > UNIT_ROWS_SHOWN, "rows_shown": UNIT_ROWS_SHOWN,
        "job": services.preparing_job(campaign), "manageable": manageable,
        "can_remind": manageable and campaign.status == CampaignStatus.OPEN,
        "can_close": manageable and campaign.status == CampaignStatus.OPEN,
        "can_confirm": may_confirm(request, campaign),
        "can_export": request.scope.has(Perm.PEOPLE_EXPORT),
        "overdue": campaign.status == CampaignStatus.OPEN and campaign.due_on < timezone.localdate(),
        "is_own": campaign_within(campaign, request.scope),
    })


@module("annual_check")
@scope_checked(Perm.PEOPLE_EXPORT)
def progress_export(request, pk):
    campaign = get_campaign(request, pk)
    rows = named_unit_rows(campaign_items(campaign, request.scope))
    columns = [(_("Unit"), 32), (_("Planned"), 10), (_("Confirmed unchanged"), 12),
               (_("Confirmed after correction"), 14), (_("Not yet confirmed"), 12), (_("Done (%)"), 10)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "progress.xlsx"
        with XlsxStream(path, columns, sheet_name=_("Progress")) as sheet:
            for row in rows:
                sheet.write([row["name"], row["planned"], row["confirmed"], row["corrected"], row["pending"],
                             row["percent"]])
            totals = with_shares({key: sum(r[key] for r in rows) for key in ("planned", "confirmed", "corrected")})
            sheet.write([_("Total"), totals["planned"], totals["confirmed"], totals["corrected"], totals["pending"],
                         totals["percent"]])
        content = path.read_bytes()
    services.record_progress_export(actor=request.user, campaign=campaign, units=len(rows))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="annual-check-{campaign.year}-progress.xlsx"'
    return response


@module("annual_check")
@require_POST
@scope_checked(Perm.PEOPLE_EDIT)
def campaign_remind(request, pk):
    campaign = get_campaign(request, pk)
    result = services.send_reminders(campaign=campaign, actor=request.user, scope=request.scope, force=True)
    if result["units"]:
        messages.success(request, ngettext(
            "Reminders were sent to %(units)s unit (%(accounts)s accounts).",
            "Reminders were sent to %(units)s units (%(accounts)s accounts).", result["units"]) % result)
    else:
        messages.info(request, _("No reminder was sent."))
    if result["already"]:
        messages.info(request, ngettext("%(already)s unit was already reminded today.",
                                        "%(already)s units were already reminded today.", result["already"]) % result)
    if result["unattended"]:
        messages.warning(request, ngettext(
            "%(unattended)s lagging unit has no unit administrator to remind; contact it directly.",
            "%(unattended)s lagging units have no unit administrator to remind; contact them directly.",
            result["unattended"]) % result)
    return redirect("people:annual_check_detail", pk=campaign.pk)


@module("annual_check")
@require_POST
@scope_checked(Perm.PEOPLE_EDIT)
def campaign_prepare(request, pk):
    """Start preparing the list of people again after the background job failed."""
    campaign = get_campaign(request, pk)
    try:
        job = services.prepare_again(actor=request.user, scope=request.scope, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("people:annual_check_detail", pk=campaign.pk)
    messages.success(request, _("The list of people is being prepared again; the people already on it are kept."))
    return redirect("core:job_detail", uid=job.uid)


@module("annual_check")
@require_POST
@scope_checked(Perm.PEOPLE_EDIT)
def campaign_close(request, pk):
    campaign = get_campaign(request, pk)
    try:
        services.close_campaign(actor=request.user, scope=request.scope, campaign=campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The annual check is closed. Its figures stay as they are."))
    return redirect("people:annual_check_detail", pk=campaign.pk)


# --- the unconfirmed list ------------------------------------------------------------------------------------

@module("annual_check")
@scope_checked(Perm.PEOPLE_VIEW)
def unconfirmed(request, pk):
    campaign = get_campaign(request, pk)
    items = campaign_items(campaign, request.scope)
    rows = [row for row in named_unit_rows(items) if row["pending"]]
    chosen, options = unit_filter(request, rows)
    pending = unconfirmed_items(items, chosen["unit_id"] if chosen else None)
    page, after = ascending_page(pending.select_related("person"), request.GET.get("after"), PAGE_SIZE)
    names = {row["unit_id"]: (row["name"], row["path"]) for row in rows}
    context = {
        "campaign": campaign, "items": [decorate(item, names) for item in page], "next_url": next_url(request, after),
        "chosen": chosen, "options": options, "is_first_page": not request.GET.get("after"),
        "pending_total": chosen["pending"] if chosen else sum(row["pending"] for row in rows),
        "can_export": request.scope.has(Perm.PEOPLE_EXPORT), "can_confirm": may_confirm(request, campaign),
    }
    template = "people/annual_check/unconfirmed.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return htmx_aware(render(request, template, context))


@module("annual_check")
@require_POST
@scope_checked(Perm.PEOPLE_EXPORT)
def unconfirmed_export(request, pk):
    campaign = get_campaign(request, pk)
    unit = request.POST.get("unit", "")
    filters = {"unit": int(unit)} if unit.isdigit() else {}
    stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    job = start_export(
        actor=request.user, scope=request.scope, kind="annual_check_unconfirmed",
        title=_("Not yet confirmed: %(title)s %(time)s") % {"title": campaign.title, "time": stamp},
        task=export_annual_check_unconfirmed, exported_type=AnnualCheckItem._meta.label_lower, personal_data=True,
        params={"campaign": campaign.pk, "filters": filters, "grant_id": request.scope.grant_id,
                "language": getattr(request, "LANGUAGE_CODE", "")},
    )
    messages.success(request, _("The export has started. The file can be downloaded here when it is ready."))
    return redirect("core:job_detail", uid=job.uid)


# --- confirming ----------------------------------------------------------------------------------------------

@module("annual_check")
@scope_checked(Perm.PEOPLE_VIEW)
def confirm_page(request, pk):
    """A unit's list of people to confirm (all visible units, or the one chosen)."""
    campaign = get_campaign(request, pk)
    items = campaign_items(campaign, request.scope)
    rows = named_unit_rows(items)
    chosen, options = unit_filter(request, rows)
    status = request.GET.get("status", "pending")
    status = status if status in STATUS_FILTERS else "pending"
    shown = items.filter(unit_id=chosen["unit_id"]) if chosen else items
    if STATUS_FILTERS[status]:
        shown = shown.filter(status__in=STATUS_FILTERS[status])
    page, after = ascending_page(shown.select_related("person", "confirmed_by"), request.GET.get("after"),
                                 PAGE_SIZE)
    names = {row["unit_id"]: (row["name"], row["path"]) for row in rows}
    summary = chosen or with_shares({key: sum(row[key] for row in rows) for key in ("planned", "confirmed",
                                                                                    "corrected")})
    context = {
        "campaign": campaign, "items": [decorate(item, names) for item in page], "next_url": next_url(request, after),
        "chosen": chosen, "options": options, "status": status, "summary": summary,
        "is_first_page": not request.GET.get("after"), "can_confirm": may_confirm(request, campaign),
        "return_query": request.GET.urlencode(),
    }
    template = "people/annual_check/confirm.html"
    if request.htmx and request.GET.get("after"):
        template += "#rows"
    return htmx_aware(render(request, template, context))


@module("annual_check")
@require_POST
@scope_checked(Perm.PEOPLE_EDIT)
def confirm_selected(request, pk):
    campaign = get_campaign(request, pk)
    back = reverse("people:annual_check_confirm", args=[campaign.pk])
    query = request.POST.get("return_query", "")
    if query:
        back += "?" + query
    form = SelectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    ids = form.chosen_ids()
    if not ids:
        messages.warning(request, _("Tick the people to confirm first."))
        return redirect(back)
    chosen = campaign_items(campaign, request.scope).filter(pk__in=ids)
    try:
        count = services.confirm_many(actor=request.user, scope=request.scope, campaign=campaign, items=chosen)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ngettext("%(count)s person confirmed as unchanged.",
                                           "%(count)s people confirmed as unchanged.", count) % {"count": count})
    return redirect(back)


@module("annual_check")
@require_POST
@scope_checked(Perm.PEOPLE_EDIT)
def item_confirm(request, pk):
    """Confirm one person as unchanged: the htmx row answers with the updated row."""
    item = get_item(request, pk)
    error = ""
    try:
        item = services.confirm_item(actor=request.user, scope=request.scope, item=item)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        names = unit_names([item.unit_id])
        item.row_error = error
        context = {"item": decorate(item, names), "can_confirm": may_confirm(request, item.campaign),
                   "campaign": item.campaign}
        return htmx_aware(render(request, "people/annual_check/confirm.html#item_row", context))
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("%(name)s is confirmed.") % {"name": item.person.name})
    return htmx_aware(redirect(reverse("people:annual_check_confirm", args=[item.campaign_id])
                               + f"?unit={item.unit_id}"))


@module("annual_check")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PEOPLE_EDIT)
def item_check(request, pk):
    """The correction path: the file link, what is right and what was corrected, saved as one check."""
    item = get_item(request, pk)
    if request.method == "POST":
        form = ItemCheckForm(request.POST)
        if form.is_valid():
            try:
                services.confirm_item(actor=request.user, scope=request.scope, item=item, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The check of %(name)s is saved.") % {"name": item.person.name})
                return redirect(reverse("people:annual_check_confirm", args=[item.campaign_id])
                                + f"?unit={item.unit_id}")
    else:
        done = item.status != CheckStatus.PENDING
        form = ItemCheckForm(initial={
            "alive": item.alive if done else not item.person.is_deceased,
            "address_ok": item.address_ok if done else True, "phone_ok": item.phone_ok if done else True,
            "status_ok": item.status_ok if done else True, "note": item.note,
        })
    decorate(item, unit_names([item.unit_id]))
    item.death_url = "" if item.person.is_deceased else services.person_file_url(item.person_id, "death_record")
    return render(request, "people/annual_check/item.html", {
        "item": item, "campaign": item.campaign, "form": form, "can_confirm": may_confirm(request, item.campaign),
    })
