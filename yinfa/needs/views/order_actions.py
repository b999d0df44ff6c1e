"""The steps of an order, one page each (GET: the form; POST: the step): accept, assign (with the ranked provider
suggestions), mark done, confirm and rate, cancel, reject. The order is read through ``visible_orders`` (outside:
404); the service decides whether the step is possible now (ValidationError, shown on the form) and whether the
actor may take it (PermissionDenied: 403)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.views.home import module
from yinfa.needs.forms_orders import ACTION_FORMS
from yinfa.needs.models import Resource
from yinfa.needs.services import orders as services
from yinfa.needs.services.order_steps import is_self
from yinfa.needs.suggestions import suggest_providers
from yinfa.needs.views.orders import get_order, is_retiree_view

RENAME = {"done_note": "note", "rating_comment": "comment"}
TITLES = {
    "accept": gettext_lazy("Accept the order"),
    "assign": gettext_lazy("Assign a provider"),
    "done": gettext_lazy("Mark it done"),
    "confirm": gettext_lazy("Confirm and rate"),
    "cancel": gettext_lazy("Cancel the order"),
    "reject": gettext_lazy("Reject the order"),
}
DONE_MESSAGES = {
    "accept": gettext_lazy("The order is accepted. Now assign a provider."),
    "assign": gettext_lazy("The provider is assigned and notified."),
    "done": gettext_lazy("Recorded as carried out. The retiree is asked to confirm and rate it."),
    "confirm": gettext_lazy("Thank you: the service is confirmed and rated."),
    "cancel": gettext_lazy("The order is cancelled."),
    "reject": gettext_lazy("The order is rejected; the retiree is told why."),
}


def _next_url(request, order):
    wanted = request.POST.get("next") or ""
    if wanted == reverse("needs:my_tasks"):
        return wanted
    return reverse("needs:order_detail", args=[order.pk])


def _form_kwargs(request, order, action):
    if action == "assign":
        return {"providers": Resource.objects.visible_to(request.scope).active()}
    if action == "confirm":
        return {"by_proxy": not is_self(order, request.user, request.scope)}
    return {}


def order_step(request, pk, action):
    order = get_order(request, pk)
    form_class = ACTION_FORMS[action]
    kwargs = _form_kwargs(request, order, action)
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.perform(action, actor=request.user, scope=request.scope, order=order, **form.values())
            except ValidationError as exc:
                add_service_errors(form, exc, rename=RENAME)
            else:
                messages.success(request, str(DONE_MESSAGES[action]))
                return redirect(_next_url(request, order))
    else:
        if not services.allowed(order, action, actor=request.user, scope=request.scope):
            messages.error(request, _("This step is not possible for this order now."))
            return redirect("needs:order_detail", pk=order.pk)
        form = form_class(**kwargs)
    context = {"order": order, "form": form, "action": action, "title": TITLES[action],
               "is_self": is_retiree_view(request, order)}
    if action == "assign":
        context["suggestions"] = suggest_providers(order, request.scope)
        chosen = form["provider"].value() if form.is_bound else None
        context["chosen"] = str(chosen or "")
    return render(request, "needs/orders/step.html", context)


def _view(action):
    @module("needs")
    @require_http_methods(["GET", "POST"])
    @scope_checked()
    def view(request, pk):
        return order_step(request, pk, action)

    view.__name__ = view.__qualname__ = f"order_{action}"
    return view


order_accept = _view("accept")
order_assign = _view("assign")
order_done = _view("done")
order_confirm = _view("confirm")
order_cancel = _view("cancel")
order_reject = _view("reject")
