"""Recording a branch's dues in one batch: months already paid are skipped and reported, the six-month limits
hold, an amount different from what is due needs a note, and a payment can be voided with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yinfa.core.models import AuditAction, AuditEvent
from yinfa.dues.models import DuesDecision, DuesPayment, PaymentMethod
from yinfa.dues.services import payments
from yinfa.dues.services.payments import PaymentEntry, batch_members, record_batch, split, void_payment
from yinfa.dues.tests.helpers import TODAY, add_base, build, on, scope_of

pytestmark = pytest.mark.django_db
D = Decimal
NOV = datetime.date(2026, 11, 1)


@pytest.fixture
def dues(world):
    with on(TODAY):
        yield build(world, members=3)


def pay(dues, entries, first=NOV, months=1, user=None, paid_on=TODAY):
    user = user or dues.secretary
    return record_batch(actor=user, scope=scope_of(user), branch=dues.branch, first_month=first, months=months,
                        paid_on=paid_on, entries=entries)


def everyone(dues, **values):
    return [PaymentEntry(person_id=p.pk, **values) for p in dues.members]


def test_a_month_for_the_whole_branch_creates_one_row_per_member(dues):
    result = pay(dues, everyone(dues))
    assert len(result.created) == 3 and result.skipped == []
    assert result.total == D("60.00")
    rows = DuesPayment.objects.filter(branch=dues.branch)
    assert rows.count() == 3
    assert {row.amount_due for row in rows} == {D("20.00")} and {row.base for row in rows} == {D("4000.00")}
    assert len({row.batch for row in rows}) == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="dues.duespayment")
    assert event.detail["total"] == "60.00" and len(event.detail["payments"]) == 3


def test_a_quarter_records_three_months_and_skips_the_months_paid_already(dues):
    pay(dues, [PaymentEntry(person_id=dues.members[0].pk)], first=datetime.date(2026, 10, 1))
    result = pay(dues, everyone(dues), first=datetime.date(2026, 10, 1), months=3)
    first_member = dues.members[0]
    assert (first_member.pk, first_member.name, datetime.date(2026, 10, 1)) in result.skipped
    assert len(result.skipped) == 1
    assert len(result.created) == 3 * 3 - 1
    assert DuesPayment.objects.filter(person=first_member).count() == 3


def test_paying_the_same_batch_twice_changes_nothing_and_says_what_was_skipped(dues):
    pay(dues, everyone(dues))
    result = pay(dues, everyone(dues))
    assert result.created == []
    assert sorted(name for _pk, name, _month in result.skipped) == sorted(p.name for p in dues.members)
    assert DuesPayment.objects.count() == 3


def test_more_than_six_months_in_one_payment_is_refused(dues):
    with pytest.raises(ValidationError, match="1 to 6 months"):
        pay(dues, everyone(dues), first=datetime.date(2026, 5, 1), months=7)


def test_no_month_may_be_more_than_six_months_ahead(dues):
    result = pay(dues, everyone(dues), first=datetime.date(2027, 5, 1), months=1)  # six months ahead: allowed
    assert len(result.created) == 3
    with pytest.raises(ValidationError, match="at most 6 months ahead"):
        pay(dues, everyone(dues), first=datetime.date(2027, 3, 1), months=4)  # ends 2027-06


def test_an_amount_different_from_what_is_due_needs_a_note(dues):
    member = dues.members[0]
    with pytest.raises(ValidationError) as caught:
        pay(dues, [PaymentEntry(person_id=member.pk, amount=D("30.00"))], months=2)
    assert f"amount_{member.pk}" in caught.value.message_dict
    assert DuesPayment.objects.count() == 0
    result = pay(dues, [PaymentEntry(person_id=member.pk, amount=D("30.00"), note="多交部分为自愿")], months=2)
    assert [paid for *_rest, paid in result.created] == [D("15.00"), D("15.00")]
    assert set(DuesPayment.objects.values_list("note", flat=True)) == {"多交部分为自愿"}


def test_a_waived_month_is_not_recorded_and_a_reduced_one_defaults_to_its_amount(dues):
    waived, reduced, normal = dues.members
    for person, kind, amount in ((waived, "waive", None), (reduced, "reduce", D("2.00"))):
        DuesDecision.objects.create(person=person, branch=dues.branch, branch_path=dues.branch.path, kind=kind,
                                    monthly_amount=amount, from_month=datetime.date(2026, 1, 1),
                                    decided_on=datetime.date(2026, 1, 5), decision="支部委员会决定")
    members = {m.person_id: m for m in batch_members(dues.branch, NOV, 1, TODAY)}
    assert not members[waived.pk].payable
    assert members[reduced.pk].due == D("2.00")
    result = pay(dues, [PaymentEntry(person_id=reduced.pk), PaymentEntry(person_id=normal.pk)])
    assert sorted(paid for *_rest, paid in result.created) == [D("2.00"), D("20.00")]
    assert not DuesPayment.objects.filter(person=waived).exists()


def test_a_member_without_base_cannot_be_paid_for(dues):
    person = dues.add_member("甲县老同志无基数", base=None)
    with pytest.raises(ValidationError):
        pay(dues, [PaymentEntry(person_id=person.pk, amount=D("20.00"), note="x")])
    assert not DuesPayment.objects.filter(person=person).exists()


def test_a_stranger_to_the_branch_cannot_be_in_its_batch(dues):
    other = dues.add_member("乙县老同志", branch=dues.branch_b)
    with pytest.raises(ValidationError) as caught:
        pay(dues, [PaymentEntry(person_id=other.pk)], user=dues.world.city_admin)
    assert f"amount_{other.pk}" in caught.value.message_dict


def test_a_future_payment_date_and_a_foreign_branch_are_refused(dues):
    with pytest.raises(ValidationError):
        pay(dues, everyone(dues), paid_on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        record_batch(actor=dues.world.county_b_admin, scope=scope_of(dues.world.county_b_admin), branch=dues.branch,
                     first_month=NOV, months=1, paid_on=TODAY, entries=everyone(dues))


def test_a_base_change_inside_the_batch_gives_each_month_its_own_due(dues):
    member = dues.members[0]
    add_base(member, "2026-12", "5200.00")
    result = pay(dues, [PaymentEntry(person_id=member.pk, method=PaymentMethod.PROXY)], months=2)
    assert [(month.month, paid) for _pk, _name, month, paid in result.created] == [(11, D("20.00")), (12, D("52.00"))]
    assert DuesPayment.objects.get(person=member, month=datetime.date(2026, 12, 1)).base == D("5200.00")


def test_split_spreads_a_different_total_by_what_each_month_owes():
    assert split(D("72.00"), [D("20.00"), D("52.00")]) == [D("20.00"), D("52.00")]
    assert split(D("10.00"), [D("1.00"), D("1.00"), D("1.00")]) == [D("3.33"), D("3.33"), D("3.34")]
    assert sum(split(D("100.00"), [D("20.00"), D("52.00")])) == D("100.00")


def test_voiding_a_payment_needs_a_reason_and_is_audited(dues):
    pay(dues, everyone(dues))
    payment = DuesPayment.objects.select_related("branch").first()
    scope = scope_of(dues.secretary)
    with pytest.raises(ValidationError):
        void_payment(actor=dues.secretary, scope=scope, payment=payment, reason=" ")
    void_payment(actor=dues.secretary, scope=scope, payment=payment, reason="录错了人")
    assert not DuesPayment.objects.filter(pk=payment.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.DELETE, object_type="dues.duespayment")
    assert event.detail["reason"] == "录错了人" and event.changes["amount_paid"] == "20.00"


def test_the_unique_constraint_holds_when_the_check_reads_stale_data(dues, monkeypatch):
    """Even with the pre-check blind (as if it read stale data), no second row appears."""
    monkeypatch.setattr(payments, "batch_members", blind(payments.batch_members))
    record_batch(actor=dues.secretary, scope=scope_of(dues.secretary), branch=dues.branch, first_month=NOV, months=1,
                 paid_on=TODAY, entries=[PaymentEntry(person_id=p.pk) for p in dues.members])
    again = record_batch(actor=dues.secretary, scope=scope_of(dues.secretary), branch=dues.branch, first_month=NOV,
                         months=1, paid_on=TODAY, entries=[PaymentEntry(person_id=p.pk) for p in dues.members])
    assert again.created == [] and len(again.skipped) == 3
    assert DuesPayment.objects.count() == 3


def blind(batch_members):
    """batch_members as if no month had been paid yet."""
    def members(*args, **kwargs):
        rows = batch_members(*args, **kwargs)
        for row in rows:
            row.to_pay = sorted(row.to_pay + row.paid)
            row.paid = []
            for cell in row.cells:
                if cell.payment is not None:
                    cell.due = cell.payment.amount_due
        return rows
    return members
