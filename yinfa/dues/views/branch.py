"""A branch's dues: the members × months grid with arrears and totals (and its Excel export), the batch payment
screen, and voiding a payment. The branch is read through ``Branch.objects.visible_to`` (404 outside the
scope); the grid loads bases, decisions, payments and memberships in one query each."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.dues import exports
from yinfa.dues.forms import BatchForm, ReasonForm, WindowForm
from yinfa.dues.models import DuesPayment
from yinfa.dues.rules import ESCALATION_MONTHS, WARNING_MONTHS, month_key, month_start, months_after
from yinfa.dues.selectors import branch_grid
from yinfa.dues.services import payments as payment_services
from yinfa.dues.services.exports import record_export
from yinfa.dues.views.common import get_branch, service_errors, year_param, years

SKIPPED_SHOWN = 30


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def branch(request, pk):
    branch = get_branch(request, pk)
    year, today = year_param(request), timezone.localdate()
    grid = branch_grid(branch, year, today, request.scope)
    return render(request, "dues/branch.html", {
        "branch": branch, "grid": grid, "year": year, "years": years(year), "today": today,
        "this_month": month_key(month_start(today)), "warning_months": WARNING_MONTHS,
        "escalation_months": ESCALATION_MONTHS, "is_own_branch": request.scope.node_id == branch.pk,
    })


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def branch_export(request, pk):
    branch = get_branch(request, pk)
    year = year_param(request)
    grid = branch_grid(branch, year, timezone.localdate(), request.scope)
    title = _("Party dues of %(branch)s, %(year)s") % {"branch": branch.node.name, "year": year}
    record_export(actor=request.user, scope=request.scope, title=title, object_type=DuesPayment._meta.label_lower,
                  filters={"branch": branch.pk, "year": year}, rows=len(grid.rows), personal_data=True)
    return exports.download(exports.grid_workbook(grid, branch.node.name), f"dues-{branch.pk}-{year}.xlsx")


def _window(request):
    """The batch's first month and number of months from the query string (defaults: this month, one)."""
    today = timezone.localdate()
    form = WindowForm(request.GET or None, initial={"month": month_start(today), "months": 1})
    if not request.GET:
        return form, month_start(today), 1, []
    if not form.is_valid():
        return form, None, None, []
    first, months = form.cleaned_data["month"], form.cleaned_data["months"]
    try:
        payment_services.check_window(first, months, today)
    except ValidationError as exc:
        return form, None, None, exc.messages
    return form, first, months, []


def _report(request, result):
    if result.created:
        people = len({item[0] for item in result.created})
        messages.success(request, ngettext(
            "%(count)s payment recorded for %(people)s member, %(total)s in all.",
            "%(count)s payments recorded for %(people)s members, %(total)s in all.", people) % {
            "count": len(result.created), "people": people, "total": f"¥{result.total:,.2f}"})
    if result.skipped:
        shown = ", ".join(f"{name} {month_key(month)}" for _pk, name, month in result.skipped[:SKIPPED_SHOWN])
        more = len(result.skipped) - SKIPPED_SHOWN
        if more > 0:
            shown += " " + _("and %(more)s more") % {"more": more}
        messages.warning(request, _("Skipped, already paid: %(months)s") % {"months": shown})
    if not result.created and not result.skipped:
        messages.info(request, _("Nothing was recorded."))


@module("dues")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.DUES_MANAGE)
def batch(request, pk):
    """Record payments for the whole branch for one month, a quarter, or up to six months."""
    branch = get_branch(request, pk)
    window_form, first, months, window_errors = _window(request)
    members, form = [], None
    today = timezone.localdate()
    if first is not None:
        members = payment_services.batch_members(branch, first, months, today)
        if request.method == "POST":
            form = BatchForm(request.POST, members=members)
            paid_meanwhile = [m.name for m in members if not m.payable and request.POST.get(f"pay_{m.person_id}")]
            if form.is_valid() and paid_meanwhile and not form.entries():
                # A stale screen sent again: everyone ticked has paid these months since it was opened.
                messages.info(request, _("Nothing was recorded: these months are already paid for %(names)s.") % {
                    "names": "、".join(paid_meanwhile)})
                return redirect(reverse("dues:branch", args=[branch.pk]) + f"?year={first.year}")
            if form.is_valid():
                try:
                    result = payment_services.record_batch(
                        actor=request.user, scope=request.scope, branch=branch, first_month=first, months=months,
                        paid_on=form.cleaned_data["paid_on"], entries=form.entries())
                except ValidationError as exc:
                    service_errors(form, exc)
                else:
                    _report(request, result)
                    return redirect(reverse("dues:branch", args=[branch.pk]) + f"?year={first.year}")
        else:
            form = BatchForm(members=members, initial={"paid_on": today})
    window = months_after(first, months) if first is not None else []
    return render(request, "dues/batch.html", {
        "branch": branch, "window_form": window_form, "window_errors": window_errors, "window": window,
        "form": form, "members": members, "first": first, "months": months,
        "payable": sum(1 for member in members if member.payable),
    })


@module("dues")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.DUES_MANAGE)
def payment_void(request, pk):
    """Void (delete) a payment recorded by mistake, with a reason."""
    payment = get_object_or_404(DuesPayment.objects.visible_to(request.scope)
                                .select_related("person", "branch", "branch__node", "recorded_by"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment_services.void_payment(actor=request.user, scope=request.scope, payment=payment,
                                          reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The payment of %(name)s for %(month)s is voided.") % {
                "name": payment.person.name, "month": month_key(payment.month)})
            return redirect("dues:member", pk=payment.person_id)
    return render(request, "dues/payment_void.html", {"payment": payment, "form": form})
