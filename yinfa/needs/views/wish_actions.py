"""The transitions of a wish as pages: publish, turn down, withdraw (staff); claim, give up, fulfil with a photo (the
claimant); confirm (the beneficiary, or staff for them).

GET shows what will happen and asks for what the step needs (a reason, a photo, words of thanks); POST calls the one
service. A wish out of reach answers 404; a step the role in use may not take, 403; a step the wish's state no
longer allows (someone was quicker) comes back to the detail page with a message, nothing written.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.needs.forms_wishes import ClaimForm, ConfirmForm, FulfilForm, OptionalReasonForm, ReasonForm, ThanksForm
from yinfa.needs.services import wish_claims, wish_reads
from yinfa.needs.services import wishes as services
from yinfa.needs.views.wishes import back_to, detail_url, get_wish, managed_wish


def state_messages(exc):
    """The messages of a ValidationError about the wish's state (not about a field of the form), else None."""
    if hasattr(exc, "error_dict") and set(exc.error_dict) == {"status"}:
        return exc.message_dict["status"]
    return None


def run_step(request, wish, *, action, form, run, done, template_context, next_url=None):
    """The shared flow of a step: check who may take it and whether the state allows it, then call ``run(form)``."""
    claim = services.active_claim(wish)
    viewer = wish_reads.viewer_of(wish, request.scope, request.user, claim)
    allowed_by_state = services.state_allows(wish, action)
    if request.method == "GET" and not allowed_by_state:
        messages.warning(request, _("This step is no longer possible: the wish is now “%(status)s”.")
                         % {"status": wish.get_status_display()})
        return redirect(detail_url(wish))
    if request.method == "GET" and not viewer.can(action):
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            run(form)
        except ValidationError as exc:
            state = state_messages(exc)
            if state is None:
                add_service_errors(form, exc)
            else:
                for text in state:
                    messages.error(request, text)
                return redirect(next_url or detail_url(wish))
        else:
            messages.success(request, done)
            return redirect(next_url or detail_url(wish))
    return render(request, "needs/wishes/action.html", {
        "wish": wish, "viewer": viewer, "claim": claim, "form": form, "action": action,
        "shown_name": wish_reads.shown_name(wish, viewer), **template_context,
    })


def bound(request, form_class, **kwargs):
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


# --- staff -----------------------------------------------------------------------------------------------------

@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def wish_publish(request, pk):
    wish = managed_wish(request, pk)
    form = bound(request, ConfirmForm, initial={"confirm": True})
    return run_step(
        request, wish, action="publish", form=form,
        run=lambda f: services.publish_wish(actor=request.user, scope=request.scope, wish=wish),
        done=_("The wish is on the wish wall of %(wall)s.") % {"wall": wish.wall.name},
        template_context={"title": _("Publish the wish"), "button": _("Publish to the wish wall"),
                          "explain": _("The wish appears on the wish wall of %(wall)s with the name partly hidden; "
                                       "party organisations and members there can claim it.")
                          % {"wall": wish.wall.name}})


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def wish_reject(request, pk):
    wish = managed_wish(request, pk)
    form = bound(request, ReasonForm)
    return run_step(
        request, wish, action="reject", form=form,
        run=lambda f: services.reject_wish(actor=request.user, scope=request.scope, wish=wish,
                                           reason=f.cleaned_data["reason"]),
        done=_("The wish is not published; the reason is kept with it."),
        template_context={"title": _("Do not publish the wish"), "button": _("Do not publish"), "danger": True,
                          "explain": _("The wish stays off the wall. Say why, e.g. the need is met otherwise or is "
                                       "a case for hardship aid.")})


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def wish_withdraw(request, pk):
    wish = managed_wish(request, pk)
    form = bound(request, ReasonForm)
    return run_step(
        request, wish, action="withdraw", form=form,
        run=lambda f: services.withdraw_wish(actor=request.user, scope=request.scope, wish=wish,
                                             reason=f.cleaned_data["reason"]),
        done=_("The wish is withdrawn."),
        template_context={"title": _("Withdraw the wish"), "button": _("Withdraw the wish"), "danger": True,
                          "explain": _("The wish leaves the wall for good. If it is claimed, the claim ends and the "
                                       "claimant is told why.")})


# --- the claimant ---------------------------------------------------------------------------------------------

@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked()
def wish_claim(request, pk):
    wish = get_wish(request, pk)
    orgs = wish_claims.claim_org_choices(request.scope) if services.can_claim(request.scope) else []
    form = bound(request, ClaimForm, orgs=orgs, own_name=request.user.display_name)
    days = wish_claims.wish_claim_days()
    if request.method == "POST":
        # Checked before the form: a user who may not claim learns nothing more than "not allowed".
        wish_claims.require_claimer(request.scope, request.user, wish)
    return run_step(
        request, wish, action="claim", form=form, next_url=back_to(request, detail_url(wish)),
        run=lambda f: wish_claims.claim_wish(actor=request.user, scope=request.scope, wish=wish,
                                             org=f.chosen_org()),
        done=_("You claimed the wish. Fulfil it within %(days)s days and record it with a photo.") % {"days": days},
        template_context={"title": _("Claim the wish"), "button": _("Claim it"),
                          "explain": _("You promise to fulfil the wish within %(days)s days. If it is not fulfilled "
                                       "by then, it goes back to the wall for others.") % {"days": days}})


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked()
def wish_release(request, pk):
    wish = get_wish(request, pk)
    form = bound(request, OptionalReasonForm)
    return run_step(
        request, wish, action="release", form=form,
        run=lambda f: wish_claims.release_claim(actor=request.user, scope=request.scope, wish=wish,
                                                reason=f.cleaned_data["reason"]),
        done=_("You gave up the wish; it is back on the wall."),
        template_context={"title": _("Give up the wish"), "button": _("Give it up"), "danger": True,
                          "explain": _("The wish goes back to the wall for someone else to claim.")})


@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked()
def wish_fulfil(request, pk):
    wish = get_wish(request, pk)
    form = bound(request, FulfilForm)
    return run_step(
        request, wish, action="fulfil", form=form,
        run=lambda f: wish_claims.fulfil_wish(actor=request.user, scope=request.scope, wish=wish,
                                              note=f.cleaned_data["note"], photo=f.cleaned_data["photo"]),
        done=_("Thank you! The wish is recorded as fulfilled; the person is asked to confirm it."),
        template_context={"title": _("Record the fulfilment"), "button": _("The wish is fulfilled"),
                          "multipart": True,
                          "explain": _("Say what was given or done and add a photo. The photo is seen only by the "
                                       "staff caring for the person, the person and you.")})


# --- the beneficiary ------------------------------------------------------------------------------------------

@module("needs")
@require_http_methods(["GET", "POST"])
@scope_checked()
def wish_confirm(request, pk):
    wish = get_wish(request, pk)
    form = bound(request, ThanksForm)
    return run_step(
        request, wish, action="confirm", form=form,
        run=lambda f: wish_claims.confirm_wish(actor=request.user, scope=request.scope, wish=wish,
                                               words=f.cleaned_data["words"]),
        done=_("The wish is confirmed. Thank you."),
        template_context={"title": _("Confirm the wish came true"), "button": _("Yes, it came true"),
                          "explain": _("Confirm that the wish came true. You may add a few words of thanks for "
                                       "those who fulfilled it.")})
