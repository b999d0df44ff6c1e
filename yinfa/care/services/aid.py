"""Hardship aid (困难帮扶): an application for a person, reviewed by the person's former unit, approved by the veteran
cadres bureau (the amount granted may differ from the amount asked), then paid; rejected with a reason at either
review. Every write is here; pages and the API call these functions.

The state machine is the ``TRANSITIONS`` table: (from, to) → the roles that may take the step. A step is taken
by the role in use (``scope.role``) of a scope holding the person's former unit (``person.unit_path``): the unit
reviews and the bureau above it approves. A guarded function per step locks the application row
(``select_for_update``), checks the state (``ValidationError``) and the role (``PermissionDenied``), then writes
the new state, an ``AidStep``, one audit row and the notifications of whoever must act next.

遗孀补助 (widow's allowance): the registry keeps no "surviving spouse" flag on the person, so nothing checks that the
person is one; like every kind, it needs a reason, which should say who the surviving spouse is.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.care.models import AidApplication, AidAttachment, AidKind, AidStatus, AidStep, PaymentMethod
from yinfa.core import audit, uploads
from yinfa.core.models import AuditAction
from yinfa.core.permissions import Perm, Role
from yinfa.core.recipients import holders_above, holders_at
from yinfa.core.services.notifications import notify
from yinfa.people.models import Person

S = AidStatus

# The state machine: (from, to) → the roles in use that may take the step (in a scope holding the person's unit).
TRANSITIONS = {
    (S.SUBMITTED, S.UNIT_REVIEWED): frozenset({Role.UNIT_ADMIN}),
    (S.SUBMITTED, S.REJECTED): frozenset({Role.UNIT_ADMIN}),
    (S.UNIT_REVIEWED, S.APPROVED): frozenset({Role.BUREAU_ADMIN}),
    (S.UNIT_REVIEWED, S.REJECTED): frozenset({Role.BUREAU_ADMIN}),
    (S.APPROVED, S.PAID): frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN}),
}
# The actions of the pages and the API, and the state each leads to.
ACTIONS = {"review": S.UNIT_REVIEWED, "approve": S.APPROVED, "pay": S.PAID, "reject": S.REJECTED}
OPEN_STATUSES = (S.SUBMITTED, S.UNIT_REVIEWED, S.APPROVED)
FINAL_STATUSES = (S.PAID, S.REJECTED)

MAX_AMOUNT = Decimal("100000.00")
CENT = Decimal("0.01")
MAX_ATTACHMENTS = 10
MAX_FILE_BYTES = 10 * 1024 * 1024
ACCEPT = ",".join([*uploads.FILE_TYPES, *(f".{ext}" for ext in uploads.FILE_TYPES.values())])
AUDIT_FIELDS = ("person", "kind", "reason", "amount_requested", "status", "amount_granted", "amount_paid", "paid_on",
                "payment_method", "rejection_reason", "applied_on")


# --- rules shared with the pages ---------------------------------------------------------------------------------

def acting_statuses(scope):
    """The states from which the role in use can take a step (its "waiting for me" list)."""
    if scope is None:
        return []
    return sorted({source for (source, _target), roles in TRANSITIONS.items() if scope.role in roles})


def available_actions(application, scope):
    """The actions the role in use may take on ``application`` now (each in ``ACTIONS``)."""
    if scope is None or not scope.has(Perm.CARE_MANAGE) or not scope.contains_path(application.person.unit_path):
        return []
    return [action for action, target in ACTIONS.items()
            if scope.role in TRANSITIONS.get((application.status, target), ())]


def sees_person(scope, person):
    paths = (person.unit_path, person.branch_path, person.community_path, person.registered_path)
    return scope is not None and any(scope.contains_path(path) for path in paths)


def detail_url(application):
    return reverse("care:aid_detail", args=[application.pk])


def check_amount(field, value, *, limit=MAX_AMOUNT):
    """The amount as a Decimal in yuan: more than zero, to the fen, at most ``limit``."""
    if value in (None, ""):
        raise ValidationError({field: _("Give the amount in yuan.")})
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Give the amount in yuan, e.g. 1500 or 1500.50.")}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("The amount must be more than zero.")})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("Give the amount to the fen at most (two decimals).")})
    if amount > limit:
        if limit == MAX_AMOUNT:
            message = _("At most ¥%(limit)s per application.") % {"limit": f"{limit:,.2f}"}
        else:
            message = _("At most the amount granted, ¥%(limit)s.") % {"limit": f"{limit:,.2f}"}
        raise ValidationError({field: message})
    return amount.quantize(CENT)


def check_upload(upload):
    """The content type of an attachment (PDF, image, Word or Excel, recognised from its bytes), or an error."""
    name = getattr(upload, "name", "") or ""
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"attachments": _("“%(name)s” is larger than 10 MB.") % {"name": name}})
    if upload.size == 0:
        raise ValidationError({"attachments": _("“%(name)s” is empty.") % {"name": name}})
    content_type = uploads.sniff(upload)
    if content_type is None:
        raise ValidationError({"attachments": _("“%(name)s” is not a PDF, an image or a Word or Excel file.")
                               % {"name": name}})
    return content_type


def _attachment_title(upload):
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name.strip()
    return (stem or _("Attachment"))[:200]


def _save_attachments(application, actor, checked):
    """Store the checked uploads; if one fails, the files already stored are removed again."""
    stored = []
    try:
        for upload, content_type in checked:
            title = _attachment_title(upload)
            upload.name = f"upload.{uploads.FILE_TYPES[content_type]}"  # never the original name
            row = AidAttachment(application=application, title=title, content_type=content_type, size=upload.size,
                                uploaded_by=actor)
            row.file.save(upload.name, upload, save=False)
            stored.append(row.file)
            row.save()
    except Exception:
        for file in stored:
            file.storage.delete(file.name)
        raise
    return len(stored)


def _recipients(ids, actor):
    return sorted(set(ids) - {getattr(actor, "pk", None)})


def _require_manage(scope, person):
    if scope is None or not scope.has(Perm.CARE_MANAGE) or not sees_person(scope, person):
        raise PermissionDenied


# --- the application ---------------------------------------------------------------------------------------------

def _open_application_exists(person, kind):
    """Whether an application of ``kind`` for ``person`` is still open. The person row is locked first (until the
    transaction ends): two applications at the same moment take turns, and the second sees the first."""
    Person.objects.select_for_update(of=("self",)).only("pk").get(pk=person.pk)
    return AidApplication.objects.filter(person=person, kind=kind, status__in=OPEN_STATUSES).exists()


@transaction.atomic
def create_application(*, actor, scope, person, kind, reason, amount_requested, applied_on, attachments=()):
    """Record an application for ``person`` (in the scope); it waits for the former unit's review."""
    _require_manage(scope, person)
    errors = {}
    today = timezone.localdate()
    reason = (reason or "").strip()
    if kind not in AidKind.values:
        errors["kind"] = _("Choose the kind of aid.")
    if not reason:
        errors["reason"] = (_("Say why the aid is needed and who the surviving spouse is.") if kind == AidKind.WIDOW
                            else _("Say why the aid is needed."))
    try:
        amount_requested = check_amount("amount_requested", amount_requested)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if applied_on is None:
        errors["applied_on"] = _("Give the day of the application.")
    elif applied_on > today:
        errors["applied_on"] = _("The application day cannot be in the future.")
    elif person.deceased_on and applied_on > person.deceased_on and kind != AidKind.WIDOW:
        errors["applied_on"] = _("The person died on %(day)s; after that only a widow's allowance can be asked "
                                 "for.") % {"day": person.deceased_on.isoformat()}
    attachments = list(attachments or ())
    if len(attachments) > MAX_ATTACHMENTS:
        errors["attachments"] = _("At most %(count)s attachments.") % {"count": MAX_ATTACHMENTS}
    checked = []
    if "attachments" not in errors:
        try:
            checked = [(upload, check_upload(upload)) for upload in attachments]
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not errors and kind in AidKind.values and _open_application_exists(person, kind):
        errors["kind"] = _("An application of this kind for this person is already under way. Follow it up "
                           "instead of applying again.")
    if errors:
        raise ValidationError(errors)
    application = AidApplication.objects.create(person=person, kind=kind, reason=reason,
                                                amount_requested=amount_requested, applied_on=applied_on,
                                                status=S.SUBMITTED, created_by=actor)
    AidStep.objects.create(application=application, from_status="", to_status=S.SUBMITTED, actor=actor)
    files = _save_attachments(application, actor, checked)
    audit.record(AuditAction.CREATE, actor=actor, obj=application, scope_path=person.unit_path,
                 changes={name: [None, value] for name, value in audit.snapshot(application, AUDIT_FIELDS).items()},
                 detail={"attachments": files}, personal_data=True)
    notify(recipients=_recipients(holders_at([Role.UNIT_ADMIN], [person.unit_id]), actor),
           title=_("Aid application to review: %(name)s") % {"name": person.name},
           body=_("%(kind)s, ¥%(amount)s asked. Review it for the former unit.")
           % {"kind": application.get_kind_display(), "amount": f"{amount_requested:,.2f}"},
           url=detail_url(application), obj=application)
    return application


@transaction.atomic
def add_attachments(*, actor, scope, application, files=()):
    """Keep more attachments with an application (e.g. a receipt after payment). Returns how many were kept."""
    person = application.person
    _require_manage(scope, person)
    files = list(files or ())
    if not files:
        raise ValidationError({"attachments": _("Choose at least one file.")})
    # The application row is locked before counting: two batches at the same moment take turns and the second
    # counts the first's files.
    _locked(application)
    present = AidAttachment.objects.filter(application_id=application.pk).count()
    if present + len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"attachments": _("At most %(count)s attachments per application.")
                               % {"count": MAX_ATTACHMENTS}})
    checked = [(upload, check_upload(upload)) for upload in files]
    count = _save_attachments(application, actor, checked)
    audit.record(AuditAction.UPDATE, actor=actor, obj=application, scope_path=person.unit_path,
                 changes={"attachments": [present, present + count]}, personal_data=True)
    return count


# --- the steps ---------------------------------------------------------------------------------------------------

def _locked(application):
    """The application row, locked until the transaction ends (two steps at once: the second sees the first)."""
    return (AidApplication.objects.select_for_update(of=("self",)).select_related("person")
            .get(pk=application.pk))


def _guard(application, scope, target):
    """Refuse a step the table does not allow from the current state (ValidationError) or to the role in use, or
    outside the scope holding the person's former unit (PermissionDenied)."""
    roles = TRANSITIONS.get((application.status, target))
    if roles is None:
        raise ValidationError(
            _("This step is not possible: the application is “%(status)s”.") % {
                "status": application.get_status_display()}, code="state")
    if scope is None or scope.role not in roles or not scope.has(Perm.CARE_MANAGE) \
            or not scope.contains_path(application.person.unit_path):
        raise PermissionDenied(_("Your role in use cannot take this step."))


def _take_step(*, actor, scope, application, target, values, comment, check=None):
    """Lock, guard, check the values (``check(locked)`` may raise or complete ``values``), write the state, the
    step and the audit row. Returns the locked row (``application`` gets the new values too)."""
    locked = _locked(application)
    _guard(locked, scope, target)
    if check is not None:
        check(locked)
    before = audit.snapshot(locked, AUDIT_FIELDS)
    source = locked.status
    for name, value in values.items():
        setattr(locked, name, value)
    locked.status = target
    locked.save(update_fields=[*values, "status", "updated_at"])
    AidStep.objects.create(application=locked, from_status=source, to_status=target, comment=comment, actor=actor)
    audit.record(AuditAction.UPDATE, actor=actor, obj=locked, scope_path=locked.person.unit_path,
                 changes=audit.diff(before, audit.snapshot(locked, AUDIT_FIELDS)),
                 detail={"step": f"{source}→{target}", "comment": comment}, personal_data=True)
    for name in (*values, "status", "updated_at"):
        setattr(application, name, getattr(locked, name))
    return locked


def _bureau_above(person):
    return holders_above([Role.BUREAU_ADMIN], person.unit_path)


@transaction.atomic
def review(*, actor, scope, application, comment=""):
    """The former unit's review (单位审核): the application goes on to the bureau for approval."""
    comment = (comment or "").strip()
    locked = _take_step(actor=actor, scope=scope, application=application, target=S.UNIT_REVIEWED, values={},
                        comment=comment)
    person = locked.person
    notify(recipients=_recipients(_bureau_above(person), actor),
           title=_("Aid application to approve: %(name)s") % {"name": person.name},
           body=_("%(kind)s, ¥%(amount)s asked; reviewed by the former unit.")
           % {"kind": locked.get_kind_display(), "amount": f"{locked.amount_requested:,.2f}"},
           url=detail_url(locked), obj=locked)
    return locked


@transaction.atomic
def approve(*, actor, scope, application, amount_granted, comment=""):
    """The bureau's approval (老干部局审批), with the amount granted (it may differ from the amount asked)."""
    comment = (comment or "").strip()
    values = {"amount_granted": None}

    def check(locked):
        values["amount_granted"] = check_amount("amount_granted", amount_granted)

    locked = _take_step(actor=actor, scope=scope, application=application, target=S.APPROVED, values=values,
                        comment=comment, check=check)
    amount = locked.amount_granted
    person = locked.person
    notify(recipients=_recipients(_bureau_above(person), actor),
           title=_("Aid to pay: %(name)s") % {"name": person.name},
           body=_("%(kind)s approved: ¥%(amount)s granted. Record the payment once it is made.")
           % {"kind": locked.get_kind_display(), "amount": f"{amount:,.2f}"},
           url=detail_url(locked), obj=locked)
    return locked


def approval_day(application):
    """The day the application was approved (its latest approval step), or None."""
    at = (application.steps.filter(to_status=S.APPROVED).order_by("-at", "-id").values_list("at", flat=True)
          .first())
    return timezone.localdate(at) if at else None


@transaction.atomic
def pay(*, actor, scope, application, amount_paid, paid_on, method, comment=""):
    """Record the payment: amount (at most the amount granted), day (from the approval day to today), method."""
    comment = (comment or "").strip()
    values = {"amount_paid": None, "paid_on": paid_on, "payment_method": method}

    def check(locked):
        errors = {}
        try:
            values["amount_paid"] = check_amount("amount_paid", amount_paid,
                                                 limit=locked.amount_granted or MAX_AMOUNT)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        approved = approval_day(locked)
        if paid_on is None:
            errors["paid_on"] = _("Give the day of payment.")
        elif paid_on > timezone.localdate():
            errors["paid_on"] = _("The day of payment cannot be in the future.")
        elif approved and paid_on < approved:
            errors["paid_on"] = _("The payment cannot come before the approval on %(day)s.") % {
                "day": approved.isoformat()}
        if method not in PaymentMethod.values:
            errors["payment_method"] = _("Choose how it was paid.")
        if errors:
            raise ValidationError(errors)

    locked = _take_step(actor=actor, scope=scope, application=application, target=S.PAID, values=values,
                        comment=comment, check=check)
    person = locked.person
    notify(recipients=_recipients([locked.created_by_id] if locked.created_by_id else [], actor),
           title=_("Aid paid: %(name)s") % {"name": person.name},
           body=_("%(kind)s: ¥%(amount)s paid on %(day)s (%(method)s).")
           % {"kind": locked.get_kind_display(), "amount": f"{locked.amount_paid:,.2f}",
              "day": locked.paid_on.isoformat(), "method": locked.get_payment_method_display()},
           url=detail_url(locked), obj=locked)
    return locked


@transaction.atomic
def reject(*, actor, scope, application, reason):
    """Reject at the unit's review or at the bureau's approval; the reason is required and told to the applicant."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection; the applicant is told.")})
    locked = _take_step(actor=actor, scope=scope, application=application, target=S.REJECTED,
                        values={"rejection_reason": reason}, comment=reason)
    person = locked.person
    if locked.created_by_id:
        notify(recipients=_recipients([locked.created_by_id], actor),
               title=_("Aid application rejected: %(name)s") % {"name": person.name},
               body=_("%(kind)s: %(reason)s") % {"kind": locked.get_kind_display(), "reason": reason},
               url=detail_url(locked), obj=locked)
    return locked


STEP_FUNCTIONS = {"review": review, "approve": approve, "pay": pay, "reject": reject}


def take_action(action, *, actor, scope, application, **values):
    """Dispatch a page's or the API's action name to its guarded function."""
    if action not in STEP_FUNCTIONS:
        raise ValidationError(_("Unknown step."), code="state")
    return STEP_FUNCTIONS[action](actor=actor, scope=scope, application=application, **values)


# --- exports -----------------------------------------------------------------------------------------------------

@transaction.atomic
def record_export(*, actor, scope, what, filters, rows):
    """Audit an Excel export of aid applications or of the yearly totals."""
    audit.record(AuditAction.EXPORT, actor=actor, object_type="care.aidapplication", object_repr=what[:200],
                 scope_path=scope.path if scope else "", detail={"filters": filters, "rows": rows},
                 personal_data=True)
