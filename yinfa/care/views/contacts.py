"""Care contact pages: the carer's own list and logging a contact; the scope's assignments with the unassigned first
(and their Excel export), assigning a carer and ending an assignment.

Reads go through ``visible_to(request.scope)`` (an assignment outside the scope answers 404; its carer also reaches
it while it is open); writes are the services' (``yinfa.care.services.contacts``).
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from yinfa.care import policies
from yinfa.care.filters_contacts import AssignmentFilter
from yinfa.care.forms_contacts import AssignmentForm, ConfirmForm, ContactForm
from yinfa.care.models import CareAssignment, CareContact, ContactOutcome, Escalation, EscalationStatus
from yinfa.care.services import contacts as services
from yinfa.care.services.escalations import open_escalation_exists
from yinfa.care.views.contacts_common import ascending_page, export_response, next_url
from yinfa.core.access import scope_checked
from yinfa.core.forms_org import add_service_errors
from yinfa.core.masking import mask_phone
from yinfa.core.permissions import Perm
from yinfa.core.views.home import module
from yinfa.core.views.listing import render_list
from yinfa.people.models import Person

PAGE_SIZE = 50
UNASSIGNED_LIMIT = 100
MY_CARE_LIMIT = 300
EXPORT_LIMIT = 20_000
RECENT_CONTACTS = 5
PERSON_FIELDS = ("person__name", "person__name_pinyin", "person__community_path", "person__unit_path",
                 "person__living_status", "person__self_care", "person__birth_date", "person__deceased_on",
                 "person__community__name", "person__unit__name")


def decorate(assignment, today):
    """Display values of an assignment row: overdue by how many days, due soon."""
    assignment.overdue_days = (today - assignment.next_due_on).days if assignment.ended_on is None else 0
    assignment.is_overdue = assignment.overdue_days > 0
    return assignment


def reachable_assignments(request):
    """Assignments of the scope, and the user's own open ones as carer (a former carer reaches nothing more)."""
    return (CareAssignment.objects.visible_to(request.scope)
            | CareAssignment.objects.filter(carer=request.user, ended_on__isnull=True))


# --- the carer's own list -------------------------------------------------------------------------------------

@module("care")
@require_GET
@scope_checked()
def my_care(request):
    """The carer's own people, the most overdue first, with big buttons (made for a phone)."""
    today = timezone.localdate()
    rows = (CareAssignment.objects.filter(carer=request.user, ended_on__isnull=True)
            .select_related("person", "person__community")
            .annotate(has_escalation=open_escalation_exists())
            .order_by("next_due_on", "pk")[:MY_CARE_LIMIT])
    assignments = []
    for assignment in rows:
        decorate(assignment, today)
        assignment.masked_phone = mask_phone(assignment.person.phone)
        assignments.append(assignment)
    return render(request, "care/contacts/my_care.html", {
        "assignments": assignments, "today": today, "limited": len(assignments) == MY_CARE_LIMIT,
        "overdue_count": sum(1 for a in assignments if a.is_overdue),
    })


REVEAL = "reveal_phone"


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked()
def contact_create(request, pk):
    """Log a contact of an assignment: its carer while it is open, or CARE_MANAGE staff of the scope (recorded as
    themselves). The full number to call is shown after a POST of the "show the number" button (audited); a GET
    shows the masked number only."""
    assignment = get_object_or_404(reachable_assignments(request).select_related("person", "person__community",
                                                                                  "carer"), pk=pk)
    if not services.may_log(request.user, request.scope, assignment):
        raise PermissionDenied
    is_carer = services.is_carer(request.user, assignment)
    phone = None
    form = ContactForm()
    if request.method == "POST" and REVEAL in request.POST:
        phone = services.reveal_phone(actor=request.user, scope=request.scope, assignment=assignment)
    elif request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                _contact, opened = services.log_contact(
                    actor=request.user, scope=request.scope, assignment=assignment, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The contact with %(name)s is logged.") % {
                    "name": assignment.person.name})
                for escalation in opened:
                    messages.warning(request, _("Escalated (%(reason)s): the community, the unit and the carer "
                                                "are notified.") % {"reason": escalation.get_reason_display()})
                return redirect("care:my_care" if is_carer else "care:assignment_list")
    recent = list(CareContact.objects.filter(assignment=assignment).select_related("carer")
                  .order_by("-contacted_at", "-pk")[:RECENT_CONTACTS])
    response = render(request, "care/contacts/contact_form.html", {
        "assignment": decorate(assignment, timezone.localdate()), "form": form, "recent": recent,
        "phone": phone, "masked_phone": mask_phone(assignment.person.phone), "reveal_name": REVEAL,
        "may_reveal": services.may_reveal_phone(request.user, request.scope, assignment), "is_carer": is_carer,
        "outcomes": ContactOutcome, "back_url": reverse("care:my_care" if is_carer else "care:assignment_list"),
    })
    if phone:
        add_never_cache_headers(response)
    return response


# --- the scope's assignments and the unassigned ---------------------------------------------------------------

def scope_policies(request):
    return policies.PolicySet.for_people(Person.objects.visible_to(request.scope))


def unassigned_rows(request, filterset, policy_set, today, limit):
    people = (policies.unassigned(request.scope, today, policy_set).filter(filterset.people_q())
              .select_related("community", "unit").order_by("name_pinyin", "pk"))
    rows = list(people[:limit + 1]) if limit else list(people.iterator(chunk_size=2000))
    for person in rows:
        person.conditions = policies.conditions_met(person, today)
    return rows


def assignment_rows(filterset, policy_set, today):
    return (filterset.results().select_related("person", "person__community", "person__unit", "carer")
            .annotate(care_interval=policy_set.interval_expression(today, "person__"),
                      has_escalation=open_escalation_exists()))


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def assignment_list(request):
    today = timezone.localdate()
    filterset = AssignmentFilter(request.GET, scope=request.scope, today=today)
    policy_set = scope_policies(request)
    first_page = not request.GET.get("after")
    unassigned = unassigned_rows(request, filterset, policy_set, today, UNASSIGNED_LIMIT) if first_page else []
    page = ascending_page(assignment_rows(filterset, policy_set, today), after=request.GET.get("after"),
                          size=PAGE_SIZE, field="next_due_on")
    for assignment in page.rows:
        decorate(assignment, today)
        assignment.no_longer_matches = assignment.care_interval >= policies.NEVER
    context = {
        "filter": filterset, "assignments": page.rows, "next_url": next_url(request, page),
        "unassigned": unassigned[:UNASSIGNED_LIMIT], "more_unassigned": len(unassigned) > UNASSIGNED_LIMIT,
        "unassigned_limit": UNASSIGNED_LIMIT, "is_first_page": first_page, "today": today,
        "can_manage": request.scope.has(Perm.CARE_MANAGE), "export_query": request.GET.urlencode(),
        "show_unassigned": filterset.chosen_state != "ended" and not filterset.form.data.get("carer"),
        "can_open_files": request.scope.has(Perm.PEOPLE_VIEW),
    }
    return render_list(request, "care/contacts/assignments.html", context, more=not first_page)


@module("care")
@require_GET
@scope_checked(Perm.CARE_VIEW)
def assignment_export(request):
    """The unassigned and the assignments (the list's filters) in one sheet; audited."""
    today = timezone.localdate()
    filterset = AssignmentFilter(request.GET, scope=request.scope, today=today)
    policy_set = scope_policies(request)
    columns = [(_("Status"), 12), (_("Full name"), 14), (_("Community"), 22), (_("Former work unit"), 24),
               (_("Why"), 30), (_("Contact at least every (days)"), 12), (_("Carer"), 16), (_("From"), 12),
               (_("Until"), 12), (_("Last contact"), 12), (_("Next contact due"), 12), (_("Days overdue"), 10),
               (_("Unanswered in a row"), 10), (_("Open escalation"), 10)]

    def rows():
        if filterset.chosen_state != "ended" and not filterset.form.data.get("carer"):
            for person in unassigned_rows(request, filterset, policy_set, today, 0)[:EXPORT_LIMIT]:
                yield [_("Unassigned"), person.name, person.community.name if person.community else "",
                       person.unit.name, "、".join(str(c) for c in person.conditions), person.care_interval,
                       "", "", "", "", "", "", "", ""]
        assignments = assignment_rows(filterset, policy_set, today).order_by("next_due_on", "pk")
        for assignment in assignments[:EXPORT_LIMIT].iterator(chunk_size=2000):
            decorate(assignment, today)
            person = assignment.person
            yield [_("Assigned") if assignment.ended_on is None else _("Ended"), person.name,
                   person.community.name if person.community else "", person.unit.name,
                   "、".join(str(c) for c in policies.conditions_met(person, today)), assignment.interval_days,
                   assignment.carer.display_name, assignment.started_on, assignment.ended_on,
                   assignment.last_contact_on, assignment.next_due_on, max(assignment.overdue_days, 0) or "",
                   assignment.unanswered_in_a_row, _("Yes") if assignment.has_escalation else ""]

    filters = {name: value for name, value in request.GET.items() if name in filterset.filters and value}
    return export_response(request, columns, rows(), sheet_name=_("Care contacts"), filename="care-contacts",
                           filters=filters, object_type=CareAssignment._meta.label_lower)


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def assignment_create(request):
    wanted = request.POST.get("person") or request.GET.get("person")
    if not wanted:
        messages.info(request, _("Choose the person to assign from the unassigned list."))
        return redirect("care:assignment_list")
    if not str(wanted).isdigit():
        raise Http404
    person = get_object_or_404(Person.objects.visible_to(request.scope).select_related("community", "unit"),
                               pk=int(wanted))
    today = timezone.localdate()
    effective = policies.effective_policy(person, today)
    current = services.open_assignment(person)
    carers = services.carer_choices(request.scope, person, today)
    form = AssignmentForm(request.POST or None, carers=carers, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.assign(actor=request.user, scope=request.scope, person=person, carer=form.cleaned_data["carer"],
                            started_on=form.cleaned_data["started_on"], today=today,
                            replace=bool(form.cleaned_data.get("confirm_reassign")))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is assigned; the carer is notified.") % {"name": person.name})
            return redirect("care:assignment_list")
    return render(request, "care/contacts/assignment_form.html", {
        "person": person, "effective": effective, "current": current, "form": form, "has_carers": bool(carers),
        "conditions": policies.conditions_met(person, today),
        "next_due": today + datetime.timedelta(days=effective.interval_days) if effective.matches else None,
    })


@module("care")
@require_http_methods(["GET", "POST"])
@scope_checked(Perm.CARE_MANAGE)
def assignment_end(request, pk):
    assignment = get_object_or_404(CareAssignment.objects.visible_to(request.scope)
                                   .select_related("person", "carer"), pk=pk)
    if assignment.ended_on is not None:
        messages.info(request, _("This assignment has already ended."))
        return redirect("care:assignment_list")
    form = ConfirmForm(request.POST or None, initial={"confirm": True})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_assignment(actor=request.user, scope=request.scope, assignment=assignment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The assignment has ended. %(name)s is listed as unassigned until "
                                        "someone else is assigned.") % {"name": assignment.person.name})
        return redirect("care:assignment_list")
    open_escalations = Escalation.objects.filter(assignment=assignment, status=EscalationStatus.OPEN).count()
    return render(request, "care/contacts/assignment_end.html", {
        "assignment": assignment, "form": form, "open_escalations": open_escalations,
        "still_matches": policies.effective_policy(assignment.person, timezone.localdate()).matches,
    })

