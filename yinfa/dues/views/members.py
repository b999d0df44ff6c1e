"""A member's dues: the page with bases, decisions and payments; entering a base or a branch decision (and
removing one entered by mistake); the annual statement, printable on A4. The person is read through
``Person.objects.visible_to`` (404 outside the scope)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.dues import ledger as ledger_states
from yinfa.dues.forms import BaseForm, DecisionForm, ReasonForm
from yinfa.dues.models import DecisionKind, DuesDecision, PensionBase
from yinfa.dues.rules import ESCALATION_MONTHS, WARNING_MONTHS, month_key, month_start
from yinfa.dues.selectors import member_arrears, person_ledger, year_months
from yinfa.dues.services import bases as base_services
from yinfa.dues.services import decisions as decision_services
from yinfa.dues.services.common import member_branch_in_scope
from yinfa.dues.views.common import get_person, service_errors, year_param, years
from yinfa.people.services.annual_check import person_file_url

PAYMENTS_SHOWN = 24


def _branch_or_none(request, person):
    try:
        return member_branch_in_scope(request.scope, person)
    except ValidationError:
        return None


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def member(request, pk):
    person = get_person(request, pk)
    today = timezone.localdate()
    ledger = person_ledger(person)
    bases = list(PensionBase.objects.visible_to(request.scope).filter(person=person)
                 .select_related("created_by").order_by("-effective_month"))
    decisions = list(DuesDecision.objects.visible_to(request.scope).filter(person=person)
                     .select_related("branch__node").order_by("-from_month", "-pk"))
    payments = sorted(ledger.payments.values(), key=lambda p: p.month, reverse=True)[:PAYMENTS_SHOWN]
    return render(request, "dues/member.html", {
        "person": person, "branch": _branch_or_none(request, person), "bases": bases, "decisions": decisions,
        "payments": payments, "arrears": member_arrears(ledger, today),
        "current_base": ledger.base_on(month_start(today)), "file_url": person_file_url(person.pk),
        "warning_months": WARNING_MONTHS, "escalation_months": ESCALATION_MONTHS, "year": today.year,
    })


@module("dues")
@scope_checked(Perm.DUES_MANAGE)
def statement(request, pk):
    """The member's year month by month: base, due, paid, paid on, decision; totals. Printable."""
    person = get_person(request, pk)
    year, today = year_param(request), timezone.localdate()
    ledger = person_ledger(person)
    rows = [ledger.state(month, today) for month in year_months(year)]
    owed = (ledger_states.PAID, ledger_states.UNPAID, ledger_states.OPEN, ledger_states.AHEAD)
    total_due = sum((row.due for row in rows if row.status in owed and row.due is not None), ledger_states.ZERO)
    total_paid = sum((row.payment.amount_paid for row in rows if row.payment), ledger_states.ZERO)
    return render(request, "dues/statement.html", {
        "person": person, "branch": _branch_or_none(request, person), "rows": rows, "year": year,
        "years": years(year), "total_due": total_due, "total_paid": total_paid, "today": today,
        "unpaid": sum(1 for row in rows if row.status == ledger_states.UNPAID),
    })


@module("dues")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.DUES_MANAGE)
def base_create(request, pk):
    person = get_person(request, pk)
    branch = _branch_or_none(request, person)
    form = BaseForm(request.POST or None, initial={"effective_month": month_start(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        try:
            base, outcome = base_services.record_base(actor=request.user, scope=request.scope, person=person,
                                                      **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            texts = {"created": _("The base of %(name)s from %(month)s is saved."),
                     "updated": _("The base of %(name)s from %(month)s is corrected."),
                     "unchanged": _("The base of %(name)s from %(month)s was already recorded.")}
            messages.success(request, texts[outcome] % {"name": person.name, "month": month_key(base.effective_month)})
            return redirect("dues:member", pk=person.pk)
    history = list(PensionBase.objects.visible_to(request.scope).filter(person=person).order_by("-effective_month"))
    return render(request, "dues/base_form.html", {"person": person, "branch": branch, "form": form,
                                                   "history": history})


@module("dues")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.DUES_MANAGE)
def base_delete(request, pk):
    base = get_object_or_404(PensionBase.objects.visible_to(request.scope).select_related("person"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            base_services.delete_base(actor=request.user, scope=request.scope, base=base,
                                      reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The base from %(month)s is removed.") % {
                "month": month_key(base.effective_month)})
            return redirect("dues:member", pk=base.person_id)
    return render(request, "dues/confirm_delete.html", {
        "person": base.person, "form": form,
        "title": _("Remove the base from %(month)s") % {"month": month_key(base.effective_month)},
        "what": _("Base %(amount)s from %(month)s") % {"amount": f"¥{base.amount:,.2f}",
                                                        "month": month_key(base.effective_month)},
        "button": _("Remove the base"),
    })


@module("dues")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.DUES_MANAGE)
def decision_create(request, pk):
    person = get_person(request, pk)
    branch = _branch_or_none(request, person)
    form = DecisionForm(request.POST or None, initial={"kind": DecisionKind.REDUCE,
                                                       "from_month": month_start(timezone.localdate())})
    if request.method == "POST" and form.is_valid():
        try:
            decision_services.record_decision(actor=request.user, scope=request.scope, person=person,
                                              **form.cleaned_data)
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The branch decision for %(name)s is recorded.") % {"name": person.name})
            return redirect("dues:member", pk=person.pk)
    return render(request, "dues/decision_form.html", {"person": person, "branch": branch, "form": form})


@module("dues")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.DUES_MANAGE)
def decision_delete(request, pk):
    decision = get_object_or_404(DuesDecision.objects.visible_to(request.scope)
                                 .select_related("person", "branch"), pk=pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision_services.delete_decision(actor=request.user, scope=request.scope, decision=decision,
                                              reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("The decision is removed."))
            return redirect("dues:member", pk=decision.person_id)
    return render(request, "dues/confirm_delete.html", {
        "person": decision.person, "form": form, "title": _("Remove a dues decision"),
        "what": f"{decision.get_kind_display()} {month_key(decision.from_month)}"
                f"{' – ' + month_key(decision.to_month) if decision.to_month else ''}: {decision.decision}",
        "button": _("Remove the decision"),
    })
