"""Hardship aid, the JSON API (/api/care/aid/): list, detail with steps, create, and the steps through the same
services — scoped like the pages (404 outside), the wrong role 403, the wrong state 400."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yinfa.care.models import AidApplication, AidKind, AidStatus
from yinfa.care.tests.test_aid_helpers import PDF, Aid, apply, in_state, last_week, today
from yinfa.core.testing import login
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
S = AidStatus
BASE = "/api/care/aid/"


@pytest.fixture
def aid(world):
    return Aid(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, url, data, **kwargs):
    return client.post(url, data, content_type="application/json", **kwargs)


def test_the_list_is_scoped_and_filtered(aid):
    application = apply(aid)
    in_state(aid, S.REJECTED, kind=AidKind.TEMPORARY)
    client = login(aid.unit)
    body = client.get(BASE).json()
    assert len(body["results"]) == 2 and body["next"] is None
    row = client.get(BASE, {"status": "submitted"}).json()["results"]
    assert [r["id"] for r in row] == [application.pk]
    assert row[0]["person"] == {"id": aid.person.pk, "name": "张德明"}
    assert row[0]["unit"]["name"] == "甲县财政局" and row[0]["amount_requested"] == "2000.00"
    assert [r["id"] for r in client.get(BASE, {"mine": "true"}).json()["results"]] == [application.pk]
    assert login(aid.sibling).get(BASE).json()["results"] == []
    assert client.get(BASE, {"kind": "pension"}).status_code == 400


def test_the_list_pages_with_a_cursor_in_constant_queries(aid, world):
    client = login(aid.bureau)
    for n in range(3):
        apply(aid, by=aid.bureau, person=make_person(world.unit_a, name=f"老同志{n}"))
    with CaptureQueriesContext(connection) as few:
        first = client.get(BASE, {"page_size": 2}).json()
    for n in range(3, 12):
        apply(aid, by=aid.bureau, person=make_person(world.unit_a, name=f"老同志{n}"))
    with CaptureQueriesContext(connection) as lots:
        client.get(BASE, {"page_size": 10})
    assert len(few) == len(lots)
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


def test_the_detail_shows_the_steps_attachments_and_the_steps_the_role_may_take(aid):
    application = in_state(aid, S.UNIT_REVIEWED, attachments=[SimpleUploadedFile("发票.pdf", PDF)])
    body = login(aid.bureau).get(f"{BASE}{application.pk}/").json()
    assert [s["to_status"] for s in body["steps"]] == [S.SUBMITTED, S.UNIT_REVIEWED]
    assert body["steps"][1]["actor"] == "财政局管理员" and body["steps"][1]["comment"] == "情况属实"
    assert body["attachments"][0]["title"] == "发票"
    assert body["attachments"][0]["url"] == f"/care/aid/attachments/{application.attachments.get().pk}/"
    assert body["actions"] == ["approve", "reject"]
    assert login(aid.community).get(f"{BASE}{application.pk}/").json()["actions"] == []
    assert login(aid.sibling).get(f"{BASE}{application.pk}/").status_code == 404


def test_an_application_is_created_through_the_service(aid):
    client = login(aid.community)
    response = post(client, BASE, {"person": aid.person.pk, "kind": "temporary", "reason": "火灾受损",
                                   "amount_requested": "1200.00", "applied_on": last_week().isoformat()})
    assert response.status_code == 201, response.json()
    application = AidApplication.objects.get()
    assert response["Location"] == f"{BASE}{application.pk}/"
    assert response.json()["status"] == S.SUBMITTED and application.created_by == aid.community
    wrong = post(client, BASE, {"person": aid.person.pk, "kind": "medical", "reason": "x", "amount_requested": "0",
                                "applied_on": today().isoformat()})
    assert wrong.status_code == 400 and "amount_requested" in wrong.json()


def test_an_application_with_files_is_created_from_a_multipart_request(aid):
    response = login(aid.community).post(BASE, {
        "person": aid.person.pk, "kind": "medical", "reason": "住院", "amount_requested": "900",
        "applied_on": last_week().isoformat(), "attachments": [SimpleUploadedFile("a.pdf", PDF)]})
    assert response.status_code == 201, response.json()
    assert len(response.json()["attachments"]) == 1


def test_a_person_outside_the_scope_cannot_be_applied_for(aid):
    response = post(login(aid.sibling), BASE, {"person": aid.person.pk, "kind": "medical", "reason": "住院",
                                               "amount_requested": "900", "applied_on": last_week().isoformat()})
    assert response.status_code == 400 and "person" in response.json()
    assert not AidApplication.objects.exists()


def test_the_steps_go_through_the_api(aid):
    application = apply(aid)
    url = f"{BASE}{application.pk}/"
    assert post(login(aid.unit), f"{url}review/", {"comment": "属实"}).json()["status"] == S.UNIT_REVIEWED
    approved = post(login(aid.bureau), f"{url}approve/", {"amount_granted": "1700.00"}).json()
    assert approved["status"] == S.APPROVED and approved["amount_granted"] == "1700.00"
    paid = post(login(aid.unit), f"{url}pay/", {"amount_paid": "1700.00", "paid_on": today().isoformat(),
                                                "method": "transfer"})
    assert paid.status_code == 200 and paid.json()["payment_method"] == "transfer"
    application.refresh_from_db()
    assert application.status == S.PAID and application.amount_paid == Decimal("1700.00")


def test_the_api_refuses_the_wrong_role_the_wrong_state_and_a_missing_reason(aid):
    application = apply(aid)
    url = f"{BASE}{application.pk}/"
    assert post(login(aid.bureau), f"{url}review/", {}).status_code == 403
    assert post(login(aid.community), f"{url}reject/", {"reason": "x"}).status_code == 403
    wrong_state = post(login(aid.bureau), f"{url}approve/", {"amount_granted": "10"})
    assert wrong_state.status_code == 400 and "non_field_errors" in wrong_state.json()
    no_reason = post(login(aid.unit), f"{url}reject/", {"reason": ""})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert post(login(aid.sibling), f"{url}review/", {}).status_code == 404
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
