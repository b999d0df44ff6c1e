"""The care policy page: the policy in force at the scope's organisation (per condition: the interval, in force or
not, and where it comes from), the organisations above and below with a policy of their own, and for a bureau or
community administrator the forms to set their organisation's policy (``yinfa.care.services.contacts``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yinfa.care.forms_contacts import PolicyForm
from yinfa.care.models import CarePolicy, Condition
from yinfa.care.policies import CONDITIONS, DEFAULT_INTERVALS, MAX_INTERVAL, MIN_INTERVAL, PolicySet
from yinfa.care.services import contacts as services
from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module

OTHERS_LIMIT = 200


def policy_rows(scope):
    """The rows above the scope's organisation and within it (one query)."""
    return list(CarePolicy.objects.visible_to(scope).select_related("node", "updated_by")
                .order_by("node_path", "condition")[:OTHERS_LIMIT])


def save_policy(request, form):
    values = form.cleaned_data
    if values["action"] == PolicyForm.INHERIT:
        if services.clear_policy(actor=request.user, scope=request.scope, condition=values["condition"]):
            messages.success(request, _("“%(condition)s” now follows the policy above.") % {
                "condition": Condition(values["condition"]).label})
        return
    services.set_policy(actor=request.user, scope=request.scope, condition=values["condition"],
                        interval_days=values["interval_days"], active=values["active"])
    messages.success(request, _("The policy for “%(condition)s” is saved; current assignments follow it.") % {
        "condition": Condition(values["condition"]).label})


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_VIEW)
def policy_list(request):
    scope = request.scope
    can_edit = services.can_edit_policies(scope)
    bound = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        bound = PolicyForm(request.POST)
        if bound.is_valid():
            try:
                save_policy(request, bound)
            except ValidationError as exc:
                add_service_errors(bound, exc)
            else:
                return redirect("care:policy_list")
    rows = policy_rows(scope)
    entries = []
    for rule in PolicySet.for_paths([scope.path]).rules(scope.path):
        own = rule.source is not None and rule.source.node_id == scope.node_id
        form = None
        if can_edit:
            if bound is not None and bound.data.get("condition") == rule.condition:
                form = bound
            else:
                form = PolicyForm(initial={"condition": rule.condition, "interval_days": rule.interval_days,
                                           "active": rule.active}, auto_id=f"id_{rule.condition}_%s")
        entries.append({"rule": rule, "own": own, "form": form, "default": DEFAULT_INTERVALS[rule.condition]})
    others = [row for row in rows if row.node_id != scope.node_id]
    return render(request, "care/contacts/policies.html", {
        "entries": entries, "can_edit": can_edit, "limited": len(rows) == OTHERS_LIMIT,
        "above": [r for r in others if not r.node_path.startswith(scope.path)],
        "below": [r for r in others if r.node_path.startswith(scope.path)],
        "low": MIN_INTERVAL, "high": MAX_INTERVAL, "conditions": CONDITIONS,
    })
