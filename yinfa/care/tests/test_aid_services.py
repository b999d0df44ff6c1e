"""Hardship aid, the services: the application's rules, every allowed and every refused step of the state machine
(state × step × role), reasons, amounts, days, the step rows, the audit trail and who is notified."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from yinfa.care.models import AidApplication, AidAttachment, AidKind, AidStatus, AidStep, PaymentMethod
from yinfa.care.services import aid as services
from yinfa.care.tests.test_aid_helpers import PDF, PNG, Aid, apply, in_state, scope_of, step_values, today
from yinfa.core.models import AuditAction, AuditEvent, Notification

pytestmark = pytest.mark.django_db
S = AidStatus


@pytest.fixture
def aid(world):
    return Aid(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def notified(application):
    return set(Notification.objects.filter(object_type="care.aidapplication", object_id=str(application.pk))
               .values_list("recipient_id", flat=True))


# --- the application ---------------------------------------------------------------------------------------------

def test_an_application_waits_for_the_units_review_with_its_first_step_and_an_audit_row(aid):
    application = apply(aid, amount="2500.50")
    assert application.status == S.SUBMITTED
    assert application.amount_requested == Decimal("2500.50")
    assert application.created_by == aid.community
    step = application.steps.get()
    assert (step.from_status, step.to_status, step.actor) == ("", S.SUBMITTED, aid.community)
    event = AuditEvent.objects.get(object_type="care.aidapplication", object_id=str(application.pk))
    assert event.action == AuditAction.CREATE and event.personal_data
    assert event.changes["amount_requested"] == [None, "2500.50"]
    assert event.scope_path == aid.person.unit_path


def test_the_units_administrators_are_asked_to_review_a_new_application(aid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = apply(aid)
    assert notified(application) == {aid.unit.pk}
    note = Notification.objects.get(recipient=aid.unit)
    assert aid.person.name in note.title and note.url == f"/care/aid/{application.pk}/"


@pytest.mark.parametrize("amount, message", [
    ("0", "more than zero"), ("-5", "more than zero"), ("100000.01", "At most"), ("12.345", "to the fen"),
])
def test_the_amount_asked_is_positive_to_the_fen_and_at_most_100000_yuan(aid, amount, message):
    with pytest.raises(ValidationError) as caught:
        apply(aid, amount=amount)
    assert message in " ".join(caught.value.message_dict["amount_requested"])
    assert not AidApplication.objects.exists()


def test_the_largest_amount_allowed_is_100000_yuan(aid):
    assert apply(aid, amount="100000.00").amount_requested == Decimal("100000.00")


def test_an_application_needs_a_reason_a_kind_and_a_day_not_in_the_future(aid):
    with pytest.raises(ValidationError) as caught:
        apply(aid, reason="   ", kind="pension", applied_on=today() + datetime.timedelta(days=1))
    assert set(caught.value.message_dict) == {"reason", "kind", "applied_on"}


def test_a_widows_allowance_needs_a_reason_saying_who_the_surviving_spouse_is(aid):
    with pytest.raises(ValidationError) as caught:
        apply(aid, kind=AidKind.WIDOW, reason="")
    assert "surviving spouse" in caught.value.message_dict["reason"][0]
    assert apply(aid, kind=AidKind.WIDOW, reason="遗孀李秀兰，无固定收入").kind == AidKind.WIDOW


def test_after_a_persons_death_only_a_widows_allowance_can_be_asked_for(aid):
    aid.person.deceased_on = today() - datetime.timedelta(days=30)
    aid.person.save()
    with pytest.raises(ValidationError) as caught:
        apply(aid, kind=AidKind.TEMPORARY)
    assert "applied_on" in caught.value.message_dict
    assert apply(aid, kind=AidKind.WIDOW, reason="遗孀生活困难").status == S.SUBMITTED


def test_a_second_application_of_the_same_kind_is_refused_while_the_first_is_under_way(aid):
    first = apply(aid)
    with pytest.raises(ValidationError) as caught:
        apply(aid)
    assert "already under way" in caught.value.message_dict["kind"][0]
    assert apply(aid, kind=AidKind.TEMPORARY).pk != first.pk
    services.reject(actor=aid.unit, scope=scope_of(aid.unit), application=first, reason="材料不全")
    assert apply(aid).status == S.SUBMITTED


def test_only_care_managers_who_see_the_person_can_apply(aid):
    for user in (aid.volunteer, aid.sibling):
        with pytest.raises(PermissionDenied):
            apply(aid, by=user)
    assert apply(aid, by=aid.unit).created_by == aid.unit
    assert apply(aid, by=aid.bureau, kind=AidKind.TEMPORARY).created_by == aid.bureau


def test_attachments_are_recognised_from_their_bytes_and_stored_under_a_random_name(aid):
    files = [SimpleUploadedFile("张德明住院发票.pdf", PDF, content_type="text/plain"),
             SimpleUploadedFile("诊断证明.png", PNG, content_type="application/pdf")]
    application = apply(aid, attachments=files)
    rows = list(application.attachments.order_by("pk"))
    assert [(r.title, r.content_type) for r in rows] == [("张德明住院发票", "application/pdf"),
                                                         ("诊断证明", "image/png")]
    assert all("张德明" not in r.file.name and r.file.name.startswith(f"aid/{application.uid}/") for r in rows)
    assert rows[0].file.read() == PDF


def test_a_file_that_is_not_a_document_or_an_image_refuses_the_whole_application(aid):
    files = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("run.exe", b"MZ\x90\x00" * 10)]
    with pytest.raises(ValidationError) as caught:
        apply(aid, attachments=files)
    assert "run.exe" in caught.value.message_dict["attachments"][0]
    assert not AidApplication.objects.exists() and not AidAttachment.objects.exists()


def test_attachments_can_be_added_later_up_to_ten(aid):
    application = apply(aid, attachments=[SimpleUploadedFile("a.pdf", PDF)])
    scope = scope_of(aid.unit)
    count = services.add_attachments(actor=aid.unit, scope=scope, application=application,
                                     files=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(9)])
    assert count == 9 and application.attachments.count() == 10
    with pytest.raises(ValidationError):
        services.add_attachments(actor=aid.unit, scope=scope, application=application,
                                 files=[SimpleUploadedFile("x.pdf", PDF)])
    with pytest.raises(PermissionDenied):
        services.add_attachments(actor=aid.sibling, scope=scope_of(aid.sibling), application=application,
                                 files=[SimpleUploadedFile("x.pdf", PDF)])


# --- the state machine: every state × step × role -----------------------------------------------------------------

# The specification, written out: (state, step) → the roles that may take it. Everything else is refused.
ALLOWED = {
    (S.SUBMITTED, "review"): {"unit"},
    (S.SUBMITTED, "reject"): {"unit"},
    (S.UNIT_REVIEWED, "approve"): {"bureau"},
    (S.UNIT_REVIEWED, "reject"): {"bureau"},
    (S.APPROVED, "pay"): {"unit", "bureau"},
}
TARGET = {"review": S.UNIT_REVIEWED, "approve": S.APPROVED, "pay": S.PAID, "reject": S.REJECTED}
ROLES = ["unit", "bureau", "community", "other_unit"]
CASES = [(state, action, role) for state in S.values for action in TARGET for role in ROLES]


def expected(state, action, role):
    if (state, action) not in ALLOWED:
        return ValidationError
    return "ok" if role in ALLOWED[(state, action)] else PermissionDenied


def test_the_services_table_is_the_specification():
    assert {(source, action) for (source, target), _roles in services.TRANSITIONS.items()
            for action, t in TARGET.items() if t == target} == set(ALLOWED)


@pytest.mark.parametrize("state, action, role", CASES, ids=[f"{s}-{a}-{r}" for s, a, r in CASES])
def test_every_step_from_every_state_by_every_role(aid, state, action, role):
    application = in_state(aid, state)
    steps_before = application.steps.count()
    actor = aid.by_role(role)
    outcome = expected(state, action, role)
    if outcome == "ok":
        services.take_action(action, actor=actor, scope=scope_of(actor), application=application,
                             **step_values(action))
        application.refresh_from_db()
        assert application.status == TARGET[action]
        last = application.steps.order_by("-at", "-id").first()
        assert (last.from_status, last.to_status, last.actor) == (state, TARGET[action], actor)
        assert application.steps.count() == steps_before + 1
    else:
        with pytest.raises(outcome):
            services.take_action(action, actor=actor, scope=scope_of(actor), application=application,
                                 **step_values(action))
        application.refresh_from_db()
        assert application.status == state
        assert application.steps.count() == steps_before


def test_the_city_bureau_above_the_county_may_approve_too(aid):
    application = in_state(aid, S.UNIT_REVIEWED)
    services.approve(actor=aid.city, scope=scope_of(aid.city), application=application,
                     amount_granted=Decimal("800.00"))
    assert application.status == S.APPROVED


def test_a_step_out_of_the_scope_of_the_persons_unit_is_refused(aid, world):
    application = in_state(aid, S.UNIT_REVIEWED)
    with pytest.raises(PermissionDenied):
        services.approve(actor=aid.sibling, scope=scope_of(aid.sibling), application=application,
                         amount_granted=Decimal("800.00"))


def test_the_available_steps_follow_the_table(aid):
    submitted = in_state(aid, S.SUBMITTED)
    assert services.available_actions(submitted, scope_of(aid.unit)) == ["review", "reject"]
    assert services.available_actions(submitted, scope_of(aid.bureau)) == []
    assert services.available_actions(submitted, scope_of(aid.other_unit)) == []
    approved = in_state(aid, S.APPROVED, kind=AidKind.TEMPORARY)
    assert services.available_actions(approved, scope_of(aid.unit)) == ["pay"]
    assert services.available_actions(approved, scope_of(aid.bureau)) == ["pay"]
    assert services.available_actions(approved, scope_of(aid.community)) == []


# --- reasons, amounts and days of the steps ------------------------------------------------------------------------

@pytest.mark.parametrize("state, actor", [(S.SUBMITTED, "unit"), (S.UNIT_REVIEWED, "bureau")])
def test_a_rejection_needs_a_reason_which_is_kept(aid, state, actor):
    application = in_state(aid, state)
    user = aid.by_role(actor)
    with pytest.raises(ValidationError) as caught:
        services.reject(actor=user, scope=scope_of(user), application=application, reason="  ")
    assert "reason" in caught.value.message_dict
    application.refresh_from_db()
    assert application.status == state
    services.reject(actor=user, scope=scope_of(user), application=application, reason="家庭收入超过标准")
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (S.REJECTED, "家庭收入超过标准")
    assert application.steps.order_by("-id").first().comment == "家庭收入超过标准"


def test_the_amount_granted_may_differ_from_the_amount_asked_but_must_be_sane(aid):
    application = in_state(aid, S.UNIT_REVIEWED)
    scope = scope_of(aid.bureau)
    for wrong in ("0", "-1", "100000.01", "1.001"):
        with pytest.raises(ValidationError) as caught:
            services.approve(actor=aid.bureau, scope=scope, application=application, amount_granted=Decimal(wrong))
        assert "amount_granted" in caught.value.message_dict
    services.approve(actor=aid.bureau, scope=scope, application=application, amount_granted=Decimal("2600.00"))
    application.refresh_from_db()
    assert (application.amount_requested, application.amount_granted) == (Decimal("2000.00"), Decimal("2600.00"))


def test_a_payment_is_at_most_the_amount_granted_on_a_day_from_the_approval_to_today(aid):
    application = in_state(aid, S.APPROVED)  # granted 1500.00 today
    scope = scope_of(aid.unit)

    def pay(**values):
        values = {"amount_paid": Decimal("1500.00"), "paid_on": today(), "method": PaymentMethod.CASH, **values}
        services.pay(actor=aid.unit, scope=scope, application=application, **values)

    cases = [({"amount_paid": Decimal("1500.01")}, "amount_paid"), ({"amount_paid": Decimal("0")}, "amount_paid"),
             ({"paid_on": today() + datetime.timedelta(days=1)}, "paid_on"),
             ({"paid_on": today() - datetime.timedelta(days=1)}, "paid_on"), ({"paid_on": None}, "paid_on"),
             ({"method": "cheque"}, "payment_method")]
    for values, field in cases:
        with pytest.raises(ValidationError) as caught:
            pay(**values)
        assert field in caught.value.message_dict, values
    application.refresh_from_db()
    assert application.status == S.APPROVED and application.amount_paid is None
    pay(amount_paid=Decimal("1200.00"), method=PaymentMethod.GOODS)
    application.refresh_from_db()
    assert (application.status, application.amount_paid, application.paid_on, application.payment_method) == (
        S.PAID, Decimal("1200.00"), today(), PaymentMethod.GOODS)


# --- the trail: steps, audit rows, notifications --------------------------------------------------------------------

def test_each_step_writes_a_step_row_and_an_audit_row_with_the_change(aid):
    application = in_state(aid, S.PAID)
    assert list(application.steps.order_by("at", "id").values_list("from_status", "to_status")) == [
        ("", S.SUBMITTED), (S.SUBMITTED, S.UNIT_REVIEWED), (S.UNIT_REVIEWED, S.APPROVED), (S.APPROVED, S.PAID)]
    events = list(AuditEvent.objects.filter(object_type="care.aidapplication", object_id=str(application.pk),
                                            action=AuditAction.UPDATE).order_by("id"))
    assert [e.changes["status"] for e in events] == [[S.SUBMITTED, S.UNIT_REVIEWED], [S.UNIT_REVIEWED, S.APPROVED],
                                                     [S.APPROVED, S.PAID]]
    assert events[1].changes["amount_granted"] == [None, "1500.00"]
    assert events[2].changes["paid_on"] == [None, today().isoformat()]
    assert all(e.personal_data for e in events)
    assert [e.actor_id for e in events] == [aid.unit.pk, aid.bureau.pk, aid.unit.pk]


def test_a_refused_step_writes_nothing(aid):
    application = in_state(aid, S.SUBMITTED)
    before = AuditEvent.objects.count(), AidStep.objects.count()
    with pytest.raises(PermissionDenied):
        services.review(actor=aid.bureau, scope=scope_of(aid.bureau), application=application)
    with pytest.raises(ValidationError):
        services.approve(actor=aid.bureau, scope=scope_of(aid.bureau), application=application,
                         amount_granted=Decimal("100.00"))
    assert (AuditEvent.objects.count(), AidStep.objects.count()) == before


def test_whoever_must_act_next_is_notified_at_each_step(aid, django_capture_on_commit_callbacks):
    application = apply(aid)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.review(actor=aid.unit, scope=scope_of(aid.unit), application=application, comment="属实")
    assert notified(application) == {aid.bureau.pk, aid.city.pk}  # the bureaus above the person's unit

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(actor=aid.bureau, scope=scope_of(aid.bureau), application=application,
                         amount_granted=Decimal("1800.00"))
    assert notified(application) == {aid.city.pk}  # the same bureaus record the payment; not the approver

    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.pay(actor=aid.unit, scope=scope_of(aid.unit), application=application,
                     amount_paid=Decimal("1800.00"), paid_on=today(), method=PaymentMethod.CASH)
    assert notified(application) == {aid.community.pk}  # the applicant
    assert "1,800.00" in Notification.objects.get().body


def test_the_applicant_is_told_the_reason_of_a_rejection(aid, django_capture_on_commit_callbacks):
    application = in_state(aid, S.UNIT_REVIEWED)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(actor=aid.bureau, scope=scope_of(aid.bureau), application=application,
                        reason="已享受其他救助")
    note = Notification.objects.get()
    assert note.recipient == aid.community and "已享受其他救助" in note.body


def test_nobody_in_the_sibling_county_is_ever_notified(aid, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        in_state(aid, S.PAID)
        in_state(aid, S.REJECTED, kind=AidKind.TEMPORARY)
    assert not Notification.objects.filter(recipient=aid.sibling).exists()
    assert not Notification.objects.filter(recipient=aid.other_unit).exists()
