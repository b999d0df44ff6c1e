"""The dues JSON API: payments (list with filters, detail, a batch through the same service), bases, arrears;
scoped like the pages."""

import datetime
from decimal import Decimal

import pytest

from yinfa.core.testing import login
from yinfa.dues.models import DuesPayment, PensionBase
from yinfa.dues.tests.helpers import TODAY, build, on

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def dues(world):
    with on(TODAY):
        yield build(world, members=2)


@pytest.fixture(autouse=True)
def _today():
    with on(TODAY):
        yield


def post_batch(client, dues, **values):
    body = {"branch": dues.branch.pk, "first_month": "2026-10", "months": 2, "paid_on": "2026-11-20",
            "entries": [{"person": p.pk} for p in dues.members], **values}
    return client.post("/api/dues/payments/", body, content_type="application/json")


def test_a_batch_posted_to_the_api_records_and_reports_skipped_months(dues):
    client = login(dues.secretary)
    first = post_batch(client, dues)
    assert first.status_code == 201, first.content
    assert len(first.json()["created"]) == 4 and first.json()["total"] == "80.00"
    again = post_batch(client, dues, months=3)
    assert again.status_code == 201
    assert {item["month"] for item in again.json()["skipped"]} == {"2026-10", "2026-11"}
    assert {item["month"] for item in again.json()["created"]} == {"2026-12"}
    assert DuesPayment.objects.count() == 6


def test_the_api_batch_keeps_the_rules(dues):
    client = login(dues.secretary)
    assert post_batch(client, dues, months=7).status_code == 400
    response = post_batch(client, dues, entries=[{"person": dues.members[0].pk, "amount": "1.00"}])
    assert response.status_code == 400 and f"amount_{dues.members[0].pk}" in response.json()
    assert post_batch(client, dues, branch=dues.branch_b.pk).status_code == 404
    assert not DuesPayment.objects.exists()


def test_payments_are_listed_with_filters_and_only_in_scope(dues):
    client = login(dues.secretary)
    post_batch(client, dues)
    rows = client.get("/api/dues/payments/", {"person": dues.members[0].pk, "month_from": "2026-11"}).json()
    assert [(row["person"]["id"], row["month"]) for row in rows["results"]] == [(dues.members[0].pk, "2026-11")]
    assert rows["results"][0]["branch"]["name"] == dues.branch.node.name
    assert len(client.get("/api/dues/payments/", {"branch": dues.branch.pk}).json()["results"]) == 4
    assert client.get("/api/dues/payments/", {"month_to": "nonsense"}).status_code == 400
    payment = DuesPayment.objects.first()
    assert client.get(f"/api/dues/payments/{payment.pk}/").json()["amount_paid"] == "20.00"
    other = login(dues.world.county_b_admin)
    assert other.get("/api/dues/payments/").json()["results"] == []
    assert other.get(f"/api/dues/payments/{payment.pk}/").status_code == 404


def test_bases_are_entered_and_listed(dues):
    client = login(dues.secretary)
    person = dues.members[0]
    body = {"person": person.pk, "effective_month": "2026-07", "amount": "5000.01"}
    created = client.post("/api/dues/bases/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["monthly_dues"] == "50.00"
    assert client.post("/api/dues/bases/", body, content_type="application/json").status_code == 200
    listed = client.get("/api/dues/bases/", {"person": person.pk}).json()["results"]
    assert {row["effective_month"] for row in listed} == {"2026-01", "2026-07"}
    stranger = dues.add_member("乙县老同志", branch=dues.branch_b)
    refused = client.post("/api/dues/bases/", {**body, "person": stranger.pk}, content_type="application/json")
    assert refused.status_code == 404
    assert not PensionBase.objects.filter(person=stranger, effective_month=datetime.date(2026, 7, 1)).exists()


def test_arrears_are_listed_by_branch(dues):
    client = login(dues.world.county_a_admin)
    rows = client.get("/api/dues/arrears/", {"branch": dues.branch.pk, "min_months": 3}).json()["results"]
    assert {row["person"]["id"] for row in rows} == {p.pk for p in dues.members}
    assert rows[0]["months"] == 10 and rows[0]["oldest"] == "2026-01" and rows[0]["amount"] == "200.00"
    assert login(dues.world.county_b_admin).get("/api/dues/arrears/", {"branch": dues.branch.pk}).json() == {
        "results": []}


def test_a_role_without_the_dues_permission_is_refused(dues):
    assert login(dues.world.unit_a_admin).get("/api/dues/payments/").status_code == 403
