"""Hardship aid, the pages: the list with its filters and "waiting for me", the new application (person first),
the application page with the steps of the role in use, attachments, the Excel export, scope and query counts."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yinfa.care.models import AidApplication, AidKind, AidStatus
from yinfa.care.tests.test_aid_helpers import PDF, Aid, apply, in_state, last_week, today
from yinfa.core.models import AuditAction, AuditEvent
from yinfa.core.testing import login
from yinfa.people.tests.factories import make_person

pytestmark = pytest.mark.django_db
S = AidStatus
LIST = reverse("care:aid_list")
CREATE = reverse("care:aid_create")


@pytest.fixture
def aid(world):
    return Aid(world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def detail(application):
    return reverse("care:aid_detail", args=[application.pk])


def many(aid, count, **kwargs):
    """``count`` applications of distinct people of unit A."""
    people = [make_person(aid.world.unit_a, name=f"老同志{n}", community=aid.world.community_a) for n in range(count)]
    return [apply(aid, person=p, **kwargs) for p in people]


# --- the list ----------------------------------------------------------------------------------------------------

def test_the_list_shows_the_applications_of_the_scope_and_not_the_sibling_countys(aid):
    apply(aid)
    page = login(aid.community).get(LIST)
    assert page.status_code == 200
    assert "张德明" in page.content.decode() and page.content.decode().count('data-testid="aid-row"') == 1
    sibling = login(aid.sibling).get(LIST).content.decode()
    assert "张德明" not in sibling and 'data-testid="aid-empty"' in sibling


def test_the_list_filters_by_status_kind_year_and_name(aid):
    medical = apply(aid)
    temporary = in_state(aid, S.REJECTED, kind=AidKind.TEMPORARY)
    other = make_person(aid.world.unit_a, name="李桂芳", community=aid.world.community_a)
    old = apply(aid, person=other, applied_on=datetime.date(today().year - 2, 5, 1))
    client = login(aid.bureau)

    def rows(**query):
        return client.get(LIST, query).context["applications"]

    assert [a.pk for a in rows(status=S.REJECTED)] == [temporary.pk]
    assert {a.pk for a in rows(kind=AidKind.MEDICAL)} == {medical.pk, old.pk}
    assert [a.pk for a in rows(year=today().year - 2)] == [old.pk]
    assert [a.pk for a in rows(name="桂芳")] == [old.pk]
    assert [a.pk for a in rows(person=other.pk)] == [old.pk]
    assert rows(year="abc") == []


def test_waiting_for_me_lists_the_states_the_role_in_use_acts_from(aid):
    submitted = apply(aid)
    reviewed = in_state(aid, S.UNIT_REVIEWED, kind=AidKind.TEMPORARY)
    approved = in_state(aid, S.APPROVED, kind=AidKind.EXTREME_HARDSHIP)
    in_state(aid, S.PAID, kind=AidKind.WIDOW, reason="遗孀")

    def mine(user):
        return {a.pk for a in login(user).get(LIST, {"mine": "1"}).context["applications"]}

    assert mine(aid.unit) == {submitted.pk, approved.pk}
    assert mine(aid.bureau) == {reviewed.pk, approved.pk}
    assert mine(aid.community) == set()
    assert mine(aid.other_unit) == set()
    assert 'data-testid="aid-waiting"' in login(aid.unit).get(LIST).content.decode()
    assert 'data-testid="aid-waiting"' not in login(aid.community).get(LIST).content.decode()


def test_the_list_loads_more_by_keyset(aid):
    made = many(aid, 5)
    client = login(aid.bureau)
    from yinfa.care.views import aid as views

    original, views.PAGE_SIZE = views.PAGE_SIZE, 3
    try:
        first = client.get(LIST)
        assert len(first.context["applications"]) == 3 and first.context["next_url"]
        second = client.get(first.context["next_url"], headers={"HX-Request": "true"})
    finally:
        views.PAGE_SIZE = original
    body = second.content.decode()
    assert body.count('data-testid="aid-row"') == 2 and "<html" not in body and 'data-testid="load-more"' not in body
    shown = {a.pk for a in first.context["applications"]}
    assert all(f'href="/care/aid/{a.pk}/"' in body for a in made if a.pk not in shown)


def test_the_list_runs_the_same_queries_for_2_or_20_applications(aid):
    client = login(aid.bureau)
    client.get(LIST)  # warm the session and the caches
    many(aid, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    many(aid, 18, kind=AidKind.TEMPORARY)
    with CaptureQueriesContext(connection) as lots:
        response = client.get(LIST)
    assert len(response.context["applications"]) == 20
    assert len(lots) == len(few)


def test_the_export_holds_the_filtered_rows_and_is_audited(aid):
    apply(aid, amount="2345.60")
    in_state(aid, S.PAID, kind=AidKind.TEMPORARY)
    response = login(aid.bureau).get(reverse("care:aid_export"), {"kind": AidKind.MEDICAL})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][1:4] == ("张德明", "甲县财政局", "Medical aid") and rows[0][4] == 2345.6
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.detail == {"filters": {"kind": "medical"}, "rows": 1} and event.personal_data
    sibling = login(aid.sibling).get(reverse("care:aid_export"))
    assert list(openpyxl.load_workbook(io.BytesIO(sibling.content)).active.iter_rows(min_row=2)) == []


# --- a new application -------------------------------------------------------------------------------------------

def test_a_new_application_starts_by_finding_the_person_in_scope(aid):
    client = login(aid.community)
    page = client.get(CREATE, {"q": "张德"})
    assert [p.pk for p in page.context["people"]] == [aid.person.pk]
    assert f"?person={aid.person.pk}" in page.content.decode()
    assert login(aid.sibling).get(CREATE, {"q": "张德"}).context["people"] == []
    assert login(aid.sibling).get(CREATE, {"person": aid.person.pk}).status_code == 404
    assert client.get(CREATE, {"person": "x"}).status_code == 404


def test_the_community_records_an_application_with_attachments_from_the_page(aid):
    client = login(aid.community)
    assert client.get(CREATE, {"person": aid.person.pk}).status_code == 200
    response = client.post(f"{CREATE}?person={aid.person.pk}", {
        "kind": AidKind.MEDICAL, "reason": "脑梗住院，自付三万元", "amount_requested": "3000.00",
        "applied_on": last_week().isoformat(),
        "attachments": [SimpleUploadedFile("发票.pdf", PDF), SimpleUploadedFile("证明.pdf", PDF)]})
    application = AidApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == detail(application)
    assert application.attachments.count() == 2 and application.status == S.SUBMITTED
    page = client.get(detail(application)).content.decode()
    assert "脑梗住院" in page and "发票" in page and "¥3,000.00" in page


def test_a_mistake_comes_back_on_the_form_and_keeps_what_was_typed(aid):
    response = login(aid.community).post(f"{CREATE}?person={aid.person.pk}", {
        "kind": AidKind.TEMPORARY, "reason": "房屋漏雨需要修缮", "amount_requested": "500",
        "applied_on": (today() + datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be in the future" in body and "房屋漏雨需要修缮" in body and 'value="500"' in body
    assert not AidApplication.objects.exists()


def test_only_care_managers_open_the_new_application_page(aid):
    assert login(aid.volunteer).get(CREATE).status_code == 403
    assert login(aid.community).get(CREATE).status_code == 200


# --- the application page ----------------------------------------------------------------------------------------

def test_the_page_offers_only_the_steps_of_the_role_in_use(aid):
    application = apply(aid)
    forms = {user: login(getattr(aid, user)).get(detail(application)).context["forms"]
             for user in ("unit", "bureau", "community")}
    assert list(forms["unit"]) == ["review", "reject"]
    assert forms["bureau"] == {} and forms["community"] == {}
    page = login(aid.community).get(detail(application)).content.decode()
    assert 'data-testid="aid-waiting-for"' in page and "aid-do-review" not in page


def test_the_unit_reviews_and_the_bureau_approves_and_pays_from_the_page(aid):
    application = apply(aid)
    response = login(aid.unit).post(detail(application), {"action": "review", "review-comment": "情况属实"})
    assert response.status_code == 302
    bureau = login(aid.bureau)
    page = bureau.get(detail(application))
    assert page.context["forms"]["approve"]["amount_granted"].value() == Decimal("2000.00")
    bureau.post(detail(application), {"action": "approve", "approve-amount_granted": "1800"})
    bureau.post(detail(application), {"action": "pay", "pay-amount_paid": "1800", "pay-paid_on": today().isoformat(),
                                      "pay-payment_method": "cash"})
    application.refresh_from_db()
    assert (application.status, application.amount_granted, application.amount_paid) == (
        S.PAID, Decimal("1800.00"), Decimal("1800.00"))
    history = bureau.get(detail(application)).content.decode()
    assert history.count('data-testid="aid-step"') == 4 and "情况属实" in history
    assert bureau.get(detail(application)).context["forms"] == {}


def test_a_rejection_without_a_reason_comes_back_with_the_error(aid):
    application = apply(aid)
    response = login(aid.unit).post(detail(application), {"action": "reject", "reject-reason": ""})
    assert response.status_code == 200
    assert response.context["forms"]["reject"].errors["reason"]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_a_payment_error_keeps_the_typed_values(aid):
    application = in_state(aid, S.APPROVED)
    response = login(aid.unit).post(detail(application), {
        "action": "pay", "pay-amount_paid": "1600", "pay-paid_on": today().isoformat(), "pay-payment_method": "cash"})
    assert response.status_code == 200
    form = response.context["forms"]["pay"]
    assert "amount_paid" in form.errors and form["amount_paid"].value() == "1600"


def test_a_step_of_another_role_is_refused_and_a_stale_one_explained(aid):
    application = apply(aid)
    assert login(aid.bureau).post(detail(application), {"action": "review"}).status_code == 403
    assert login(aid.community).post(detail(application), {"action": "review"}).status_code == 403
    skipped = login(aid.bureau).post(detail(application), {"action": "approve", "approve-amount_granted": "10"},
                                     follow=True)
    assert "not possible" in skipped.content.decode()
    unit = login(aid.unit)
    unit.post(detail(application), {"action": "review"})
    again = unit.post(detail(application), {"action": "review"}, follow=True)
    assert "not possible" in again.content.decode()
    application.refresh_from_db()
    assert application.status == S.UNIT_REVIEWED and application.steps.count() == 2


def test_the_application_page_runs_the_same_queries_with_more_steps_and_files(aid):
    few = apply(aid, attachments=[SimpleUploadedFile("a.pdf", PDF)])
    lots = in_state(aid, S.PAID, kind=AidKind.TEMPORARY,
                    attachments=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)])
    client = login(aid.community)
    client.get(detail(few))
    with CaptureQueriesContext(connection) as a:
        client.get(detail(few))
    with CaptureQueriesContext(connection) as b:
        client.get(detail(lots))
    assert len(a) == len(b)


def test_the_sibling_county_gets_404_for_the_application_and_its_files(aid):
    application = apply(aid, attachments=[SimpleUploadedFile("a.pdf", PDF)])
    attachment = application.attachments.get()
    sibling = login(aid.sibling)
    for url in (detail(application), reverse("care:aid_attachment", args=[attachment.pk]),
                reverse("care:aid_attachment_add", args=[application.pk])):
        assert sibling.get(url).status_code == 404
    assert sibling.post(detail(application), {"action": "review"}).status_code == 404


def test_an_attachment_is_served_to_the_scope_only_as_a_download_without_its_original_name(aid):
    application = apply(aid, attachments=[SimpleUploadedFile("张德明发票.pdf", PDF)])
    attachment = application.attachments.get()
    response = login(aid.unit).get(reverse("care:aid_attachment", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert "张德明" not in response["Content-Disposition"] and "no-store" in response["Cache-Control"]


def test_attachments_are_added_from_their_page(aid):
    application = apply(aid)
    client = login(aid.community)
    url = reverse("care:aid_attachment_add", args=[application.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"attachments": [SimpleUploadedFile("receipt.pdf", PDF)]})
    assert response.status_code == 302 and application.attachments.count() == 1
    wrong = client.post(url, {"attachments": [SimpleUploadedFile("x.txt", b"hello")]})
    assert wrong.status_code == 200 and "is not a PDF" in wrong.content.decode()
