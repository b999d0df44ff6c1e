"""Template tags of the care app: money as ¥1,234.50, aid status badges, and ``{% care_on_file person %}``, the
"care and aid" card of the person file (their aid applications, latest visits and open care assignment)."""

from decimal import Decimal

from django import template
from django.utils import timezone

from yinfa.care.models import AidApplication, AidStatus, CareAssignment, Visit
from yinfa.core.permissions import Perm

register = template.Library()

ON_FILE_AID = 10
ON_FILE_VISITS = 5
BADGES = {AidStatus.SUBMITTED: "text-bg-warning", AidStatus.UNIT_REVIEWED: "text-bg-info",
          AidStatus.APPROVED: "text-bg-primary", AidStatus.PAID: "text-bg-success",
          AidStatus.REJECTED: "text-bg-secondary"}


@register.filter
def yuan(value):
    """¥1,234.50; empty for None."""
    if value is None or value == "":
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def aid_badge(status):
    """The Bootstrap badge class of an aid application's status."""
    return BADGES.get(status, "text-bg-light")


@register.inclusion_tag("care/_on_file.html", takes_context=True)
def care_on_file(context, person):
    """The person's aid applications, their 5 latest visits and their open care assignment, read within the scope
    in use; nothing for a role without CARE_VIEW. Three queries whatever the rows."""
    request = context.get("request")
    scope = getattr(request, "scope", None)
    if scope is None or not scope.has(Perm.CARE_VIEW) or person is None:
        return {"show": False}
    applications = list(
        AidApplication.objects.visible_to(scope).filter(person_id=person.pk)
        .only("pk", "person_id", "kind", "status", "applied_on", "amount_requested", "amount_granted", "amount_paid",
              "paid_on").order_by("-applied_on", "-pk")[:ON_FILE_AID + 1])
    visits = list(Visit.objects.visible_to(scope).filter(person_id=person.pk)
                  .only("pk", "person_id", "kind", "visited_on", "visitors").order_by("-visited_on", "-pk")
                  [:ON_FILE_VISITS])
    assignment = (CareAssignment.objects.visible_to(scope).filter(person_id=person.pk, ended_on__isnull=True)
                  .select_related("carer").only("pk", "person_id", "interval_days", "last_contact_on", "next_due_on",
                                                "carer__username", "carer__full_name").first())
    return {
        "show": True, "person": person, "applications": applications[:ON_FILE_AID],
        "more_applications": len(applications) > ON_FILE_AID, "visits": visits, "assignment": assignment,
        "can_manage": scope.has(Perm.CARE_MANAGE), "request": request, "today": timezone.localdate(),
    }
