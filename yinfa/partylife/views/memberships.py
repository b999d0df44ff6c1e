"""Membership pages: add a member to a branch (transfer in), transfer out, convert a probationary member, assign a
party group, functional branches, and a person's party page (current membership, transfer history, functional
branches, community registrations).

People are read through ``Person.objects.visible_to``, memberships through ``Membership.objects.visible_to`` and
branches through ``Branch.objects.visible_to`` (the scope in use); anything outside is 404. Each form posts to one
service of ``yinfa.partylife.services.memberships``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.permissions import Perm
from yinfa.core.scope import scoped
from yinfa.core.views.home import module
from yinfa.partylife.forms_branches import (
    AddMemberForm,
    DateForm,
    FunctionalMemberForm,
    GroupForm,
    JoinFunctionalForm,
    TransferForm,
    open_branches,
)
from yinfa.partylife.models import BranchKind, CommunityRegistration, LeftBy, Membership, Relation, Standing
from yinfa.partylife.services import memberships as services
from yinfa.partylife.views.branches import get_branch
from yinfa.people.filters import name_search_condition
from yinfa.people.models import CPC_STATUSES, Person

PICK_LIMIT = 20
BRANCH_PICK_LIMIT = 100


# --- helpers ------------------------------------------------------------------------------------------------------

def get_person(request, pk):
    return get_object_or_404(Person.objects.visible_to(request.scope).select_related("branch", "registered_community"),
                             pk=pk)


def get_membership(request, pk, relation):
    """A membership to change: held in a branch of the scope (one seen only through the person's other anchors
    is not the scope's to change: 404)."""
    memberships = scoped(Membership.objects.visible_to(request.scope), request.scope, "branch_path")
    return get_object_or_404(memberships.filter(relation=relation)
                             .select_related("person", "branch__node", "party_group"), pk=pk)


def party_members(scope):
    """Living people of the scope recorded as CPC members or probationary members."""
    return Person.objects.visible_to(scope).filter(political_status__in=CPC_STATUSES, deceased_on__isnull=True)


def candidates(scope, text):
    """Up to PICK_LIMIT party members of the scope whose name matches ``text``, with their current branch."""
    condition = name_search_condition(text)
    if condition is None:
        return []
    return list(party_members(scope).filter(condition).select_related("branch").order_by("name_pinyin", "pk")
                [:PICK_LIMIT])


def chosen_person(request):
    """The party member chosen by ``?person=`` (or the posted ``person``) within the scope, or None; a person
    outside the scope answers 404."""
    raw = request.POST.get("person") or request.GET.get("person") or ""
    if not raw.isdigit():
        return None
    return get_object_or_404(party_members(request.scope).select_related("branch"), pk=int(raw))


def party_url(person_id):
    return reverse("partylife:person_party", kwargs={"pk": person_id})


def render_form(request, *, title, form, person=None, branch=None, membership=None, intro="", cancel_url="",
                picker=False, danger=False):
    context = {"title": title, "form": form, "person": person, "branch": branch, "membership": membership,
               "intro": intro, "cancel_url": cancel_url, "danger": danger, "picker": picker}
    if picker:
        query = request.GET.get("q", "").strip()
        context.update({"q": query, "candidates": candidates(request.scope, query)})
    return render(request, "partylife/memberships/form.html", context)


def service_call(request, form, call, success):
    """Run one service; on success a message and True, on refusal the errors on the form and False."""
    try:
        call()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    messages.success(request, success)
    return True


# --- the organisational relationship ------------------------------------------------------------------------------

@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def member_add(request, pk):
    branch = get_branch(request, pk)
    person = chosen_person(request)
    title = _("Add a member to %(branch)s") % {"branch": branch.node.name}
    cancel = reverse("partylife:branch_detail", kwargs={"pk": branch.pk})
    if branch.kind == BranchKind.FUNCTIONAL:
        return redirect("partylife:functional_add", pk=branch.pk)
    if person is None:
        return render_form(request, title=title, form=None, branch=branch, cancel_url=cancel, picker=True,
                           intro=_("Find the person first: only party members of your scope are found."))
    today = timezone.localdate()
    form = AddMemberForm(request.POST or None, scope=request.scope, branch=branch,
                         initial={"started_on": today, "standing": Standing.FULL})
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        if service_call(request, form, lambda: services.add_member(
                actor=request.user, scope=request.scope, person=person, branch=branch, **values),
                _("%(name)s is now a member of %(branch)s.") % {"name": person.name, "branch": branch.node.name}):
            return redirect("partylife:branch_detail", pk=branch.pk)
    return render_form(request, title=title, form=form, person=person, branch=branch, cancel_url=cancel,
                       intro=_("Moving a member between two branches of your scope closes the old membership on "
                               "the same day. Use “transfer out” on the old branch for a branch outside your "
                               "scope."))


@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_MANAGE)
def person_branch_pick(request, pk):
    """Choose the branch to add a person to (then the add-member form of that branch)."""
    person = get_person(request, pk)
    query = request.GET.get("q", "").strip()
    branches = open_branches(request.scope, functional=False)
    if query:
        branches = branches.filter(node__name__icontains=query)
    branches = list(branches[: BRANCH_PICK_LIMIT + 1])
    return render(request, "partylife/memberships/pick_branch.html", {
        "person": person, "branches": branches[:BRANCH_PICK_LIMIT], "more": len(branches) > BRANCH_PICK_LIMIT,
        "q": query,
    })


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def membership_transfer(request, pk):
    membership = get_membership(request, pk, Relation.ORGANISATIONAL)
    person, branch = membership.person, membership.branch
    if membership.ended_on is not None:
        messages.info(request, _("This membership has ended already."))
        return redirect(party_url(person.pk))
    form = TransferForm(request.POST or None, scope=request.scope, branch=branch,
                        initial={"on_date": timezone.localdate(), "how": LeftBy.TRANSFER})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if service_call(request, form, lambda: services.transfer_out(
                actor=request.user, scope=request.scope, membership=membership, on_date=data["on_date"],
                how=data["how"], to_branch=data.get("to_branch"), to_outside=data.get("to_outside", ""),
                note=data.get("note", "")),
                _("%(name)s has left %(branch)s.") % {"name": person.name, "branch": branch.node.name}):
            return redirect("partylife:branch_detail", pk=branch.pk)
    return render_form(request, title=_("Transfer out or end the membership"), form=form, person=person,
                       branch=branch, membership=membership, cancel_url=party_url(person.pk), danger=True,
                       intro=_("The membership in %(branch)s ends on the date given. A transfer within the system "
                               "opens the membership in the receiving branch on the same day; the person's party "
                               "branch follows.") % {"branch": branch.node.name})


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def membership_convert(request, pk):
    membership = get_membership(request, pk, Relation.ORGANISATIONAL)
    person = membership.person
    form = DateForm(request.POST or None, initial={"on_date": membership.probation_until or timezone.localdate()})
    form.fields["on_date"].label = _("Full member from")
    if request.method == "POST" and form.is_valid():
        if service_call(request, form, lambda: services.convert_to_full(
                actor=request.user, scope=request.scope, membership=membership, on_date=form.cleaned_data["on_date"]),
                _("%(name)s is now a full member.") % {"name": person.name}):
            return redirect("partylife:branch_detail", pk=membership.branch_id)
    return render_form(request, title=_("Convert to full membership"), form=form, person=person,
                       branch=membership.branch, membership=membership, cancel_url=party_url(person.pk),
                       intro=_("The branch's general meeting has approved the conversion of this probationary "
                               "member."))


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def membership_group(request, pk):
    membership = get_membership(request, pk, Relation.ORGANISATIONAL)
    person = membership.person
    form = GroupForm(request.POST or None, branch=membership.branch, initial={"group": membership.party_group_id})
    if request.method == "POST" and form.is_valid():
        if service_call(request, form, lambda: services.assign_group(
                actor=request.user, scope=request.scope, membership=membership, group=form.cleaned_data["group"]),
                _("The party group of %(name)s is saved.") % {"name": person.name}):
            return redirect("partylife:branch_detail", pk=membership.branch_id)
    return render_form(request, title=_("Party group"), form=form, person=person, branch=membership.branch,
                       membership=membership,
                       cancel_url=reverse("partylife:branch_detail", kwargs={"pk": membership.branch_id}))


# --- functional branches ------------------------------------------------------------------------------------------

@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def functional_add(request, pk):
    branch = get_branch(request, pk)
    person = chosen_person(request)
    title = _("Add a member to %(branch)s") % {"branch": branch.node.name}
    cancel = reverse("partylife:branch_detail", kwargs={"pk": branch.pk})
    if person is None:
        return render_form(request, title=title, form=None, branch=branch, cancel_url=cancel, picker=True,
                           intro=_("Find the person first: only party members of your scope are found."))
    form = FunctionalMemberForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if service_call(request, form, lambda: services.join_functional(
                actor=request.user, scope=request.scope, person=person, branch=branch, **form.cleaned_data),
                _("%(name)s joined %(branch)s.") % {"name": person.name, "branch": branch.node.name}):
            return redirect("partylife:branch_detail", pk=branch.pk)
    return render_form(request, title=title, form=form, person=person, branch=branch, cancel_url=cancel,
                       intro=_("A functional branch is joined besides the branch holding the organisational "
                               "relationship, which stays as it is."))


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def person_functional_join(request, pk):
    person = get_person(request, pk)
    form = JoinFunctionalForm(request.POST or None, scope=request.scope,
                              initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if service_call(request, form, lambda: services.join_functional(
                actor=request.user, scope=request.scope, person=person, branch=data["branch"],
                started_on=data["started_on"], note=data.get("note", "")),
                _("%(name)s joined %(branch)s.") % {"name": person.name, "branch": data["branch"].node.name}):
            return redirect(party_url(person.pk))
    return render_form(request, title=_("Join a functional branch"), form=form, person=person,
                       cancel_url=party_url(person.pk))


@module("partylife")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.PARTY_MANAGE)
def functional_leave(request, pk):
    membership = get_membership(request, pk, Relation.FUNCTIONAL)
    person = membership.person
    form = DateForm(request.POST or None, initial={"on_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        if service_call(request, form, lambda: services.leave_functional(
                actor=request.user, scope=request.scope, membership=membership,
                ended_on=form.cleaned_data["on_date"]),
                _("%(name)s left %(branch)s.") % {"name": person.name, "branch": membership.branch.node.name}):
            return redirect(party_url(person.pk))
    return render_form(request, title=_("Leave the functional branch"), form=form, person=person,
                       branch=membership.branch, membership=membership, cancel_url=party_url(person.pk), danger=True)


# --- a person's party page ----------------------------------------------------------------------------------------

@module("partylife")
@require_GET
@scope_checked(Perm.PARTY_VIEW)
def person_party(request, pk):
    person = get_person(request, pk)
    scope = request.scope
    history = list(Membership.objects.visible_to(scope).filter(person=person)
                   .select_related("branch__node", "party_group").order_by("started_on", "pk"))
    current = next((m for m in history if m.relation == Relation.ORGANISATIONAL and m.ended_on is None), None)
    organisational = [m for m in history if m.relation == Relation.ORGANISATIONAL]
    functional = [m for m in history if m.relation == Relation.FUNCTIONAL]
    registrations = list(CommunityRegistration.objects.visible_to(scope).filter(person=person)
                         .select_related("community").order_by("-registered_on", "-pk"))
    manage = scope.has(Perm.PARTY_MANAGE)
    for membership in history:
        membership.in_scope = scope.contains_path(membership.branch_path)
        membership.manageable = manage and membership.in_scope and membership.ended_on is None
    register = scope.has(Perm.PARTY_MANAGE) or scope.has(Perm.PEOPLE_EDIT)
    for registration in registrations:
        registration.endable = register and registration.ended_on is None and scope.contains_path(
            registration.community_path)
    is_member = person.political_status in CPC_STATUSES and person.deceased_on is None
    return render(request, "partylife/memberships/person.html", {
        "person": person, "current": current, "organisational": organisational, "functional": functional,
        "registrations": registrations, "can_add": manage and is_member and current is None,
        "can_join_functional": manage and is_member, "can_register": register and is_member and not any(
            r.ended_on is None for r in registrations),
        "file_url": _file_url(person.pk),
    })


def _file_url(person_id):
    from django.urls import NoReverseMatch

    try:
        return reverse("people:person_detail", kwargs={"pk": person_id})
    except NoReverseMatch:
        return ""
