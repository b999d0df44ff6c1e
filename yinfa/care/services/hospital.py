"""Hospital stays: an admission (hospital, department, admitted on, diagnosis) and a discharge, kept on the person file
as a life event of kind ``hospital`` (written through ``yinfa.people.services.file``, which claims the file at the
version the form was read and writes the audit row).

The department and the diagnosis are health data, as on the person file: only a role with ``Perm.HEALTH_VIEW``
gives or changes them. On an admission the unit's and the community's administrators are told, so someone visits.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.care.services.visits import require_manage, require_visible_person
from yinfa.core.permissions import Perm, Role
from yinfa.core.recipients import holders_at
from yinfa.core.services.notifications import notify
from yinfa.people.models import LifeEvent, LifeEventKind
from yinfa.people.services import file as file_services

ADMISSION_FIELDS = ("place", "department", "starts_on", "diagnosis", "note")
# Health data, as on the person file (``people.services.file.EVENT_HEALTH_FIELDS``).
HEALTH_FIELDS = frozenset({"department", "diagnosis"})
TEXT_LIMITS = {"place": 200, "department": 120}


def may_see_health(scope):
    return scope is not None and scope.has(Perm.HEALTH_VIEW)


def _require_health_fields_allowed(scope, values):
    """A role without HEALTH_VIEW may not write health fields (its forms never offer them)."""
    if not may_see_health(scope) and any(values.get(name) for name in HEALTH_FIELDS):
        raise PermissionDenied


def open_stay(person):
    return (LifeEvent.objects.filter(person=person, kind=LifeEventKind.HOSPITAL, ends_on__isnull=True)
            .order_by("-starts_on", "-pk").first())


def _clean_admission(person, values, today):
    errors = {}
    cleaned = {name: values.get(name) for name in ADMISSION_FIELDS if name in values}
    for name in ("place", "department", "diagnosis", "note"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    if not cleaned.get("place"):
        errors["place"] = _("Give the hospital.")
    for name, limit in TEXT_LIMITS.items():
        if len(cleaned.get(name) or "") > limit:
            errors[name] = _("At most %(n)s characters.") % {"n": limit}
    admitted = cleaned.get("starts_on")
    if admitted is None:
        errors["starts_on"] = _("Give the day of admission.")
    elif admitted > today:
        errors["starts_on"] = _("The day of admission cannot be in the future.")
    if person.deceased_on is not None:
        errors["__all__"] = _("This person has died; no admission can be recorded.")
    current = open_stay(person)
    if current is not None:
        errors["starts_on"] = _("%(name)s is already in hospital (%(hospital)s, since %(day)s). Record the discharge "
                                "first.") % {"name": person.name, "hospital": current.place,
                                             "day": f"{current.starts_on:%Y-%m-%d}"}
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def admit(*, actor, scope, person, version, values, today=None):
    """Record that ``person`` (of the scope) is in hospital. ``values``: place (the hospital), starts_on (admitted
    on), and with HEALTH_VIEW department and diagnosis; note. ``version``: the person file's version the form was
    read at. Returns the life event (the stay)."""
    require_manage(scope)
    require_visible_person(scope, person)
    unknown = set(values) - set(ADMISSION_FIELDS)
    if unknown:
        raise ValueError(f"cannot set {sorted(unknown)}")
    _require_health_fields_allowed(scope, values)
    cleaned = _clean_admission(person, values, today or timezone.localdate())
    stay = file_services.record_event(actor=actor, person=person, version=version, kind=LifeEventKind.HOSPITAL,
                                      values=cleaned)
    recipients = (holders_at([Role.UNIT_ADMIN], [person.unit_id])
                  | holders_at([Role.COMMUNITY_ADMIN], [person.community_id, person.registered_community_id]))
    recipients.discard(getattr(actor, "pk", None))
    if recipients:
        notify(recipients=recipients, obj=stay, url=reverse("care:hospital_list"),
               title=_("%(name)s is in hospital") % {"name": person.name},
               body=_("Admitted to %(hospital)s on %(day)s. Plan a visit and record it on the list of people in "
                      "hospital.") % {"hospital": stay.place, "day": f"{stay.starts_on:%Y-%m-%d}"})
    return stay


@transaction.atomic
def discharge(*, actor, scope, stay, version, ends_on, diagnosis=None, today=None):
    """Record the discharge of an open stay (on or after the admission, not in the future). ``diagnosis`` (only
    with HEALTH_VIEW; None leaves it as it is) may be completed at the same time."""
    require_manage(scope)
    person = stay.person
    require_visible_person(scope, person)
    if stay.kind != LifeEventKind.HOSPITAL:
        raise ValueError("not a hospital stay")
    if diagnosis is not None and not may_see_health(scope):
        raise PermissionDenied
    today = today or timezone.localdate()
    if stay.ends_on is not None:
        raise ValidationError({"ends_on": _("The discharge is already recorded (%(day)s).") % {
            "day": f"{stay.ends_on:%Y-%m-%d}"}})
    if ends_on is None:
        raise ValidationError({"ends_on": _("Give the day of discharge.")})
    if ends_on < stay.starts_on:
        raise ValidationError({"ends_on": _("The discharge cannot be before the admission (%(day)s).") % {
            "day": f"{stay.starts_on:%Y-%m-%d}"}})
    if ends_on > today:
        raise ValidationError({"ends_on": _("The day of discharge cannot be in the future.")})
    values = {"ends_on": ends_on}
    if diagnosis is not None:
        values["diagnosis"] = diagnosis.strip()
    return file_services.update_event(actor=actor, event=stay, version=version, values=values)
