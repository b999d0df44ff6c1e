"""The annual check's pages: campaigns, opening, progress, the unit's confirmation page, the unconfirmed list,
the exports, and constant query counts."""

import datetime
import html as html_lib
import io
from types import SimpleNamespace

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from yinfa.core.models import AuditAction, AuditEvent, Job, JobStatus, OrgKind, RoleGrant, UnitKind
from yinfa.core.permissions import Role
from yinfa.core.scope import Scope
from yinfa.core.testing import login, make_node, make_user
from yinfa.people import tasks
from yinfa.people.models import AnnualCheckCampaign, AnnualCheckItem, CampaignStatus, CheckStatus
from yinfa.people.services import annual_check
from yinfa.people.tests.factories import make_person
from yinfa.people.views import annual_check as views

pytestmark = pytest.mark.django_db


def scope_of(user):
    return Scope.from_grant(RoleGrant.objects.select_related("node").filter(user=user).first())


@pytest.fixture
def county(world):
    unit_a2 = make_node(world.county_a, OrgKind.UNIT, "甲县教育局", UnitKind.ORGAN)
    finance = [make_person(world.unit_a, name=f"财政{i}", phone=f"1380000000{i}", address="城关镇人民路12号3单元")
               for i in range(3)]
    education = [make_person(unit_a2, name=f"教育{i}") for i in range(2)]
    make_person(world.unit_a, name="故去者", deceased_on=datetime.date(2025, 1, 5))
    elsewhere = make_person(world.unit_b, name="乙县人")
    return SimpleNamespace(world=world, unit_a2=unit_a2, finance=finance, education=education, elsewhere=elsewhere,
                           scope=scope_of(world.county_a_admin))


@pytest.fixture
def campaign(county):
    return annual_check.open_campaign(actor=county.world.county_a_admin, scope=county.scope,
                                      year=timezone.localdate().year,
                                      due_on=timezone.localdate() + datetime.timedelta(days=30),
                                      title="年度离退休干部信息年检")


@pytest.fixture
def county_b_campaign(county):
    world = county.world
    return annual_check.open_campaign(actor=world.county_b_admin, scope=scope_of(world.county_b_admin),
                                      year=timezone.localdate().year,
                                      due_on=timezone.localdate() + datetime.timedelta(days=30), title="乙县年检")


def zh(msgid, **values):
    """The message as the (Chinese) pages show it, HTML-escaped."""
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(msgid)
    return html_lib.escape(text % values if values else text, quote=False)


def url(name, *args):
    return reverse(f"people:annual_check_{name}", args=args)


def item_of(campaign, person):
    return AnnualCheckItem.objects.get(campaign=campaign, person=person)


# --- campaigns -------------------------------------------------------------------------------------------------

def test_the_list_shows_the_campaigns_of_the_scope_and_offers_to_open_this_year(county):
    response = login(county.world.county_a_admin).get(url("list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="campaign-open"' in html
    assert response.context["this_year"] == timezone.localdate().year


def test_the_list_shows_the_county_campaign_to_its_unit_as_its_part_but_not_to_the_sibling(county, campaign):
    response = login(county.world.unit_a_admin).get(url("list"))
    unit_html = response.content.decode()
    assert "年度离退休干部信息年检" in unit_html and 'data-testid="your-part"' in unit_html
    [shown] = response.context["campaigns"]
    assert (shown.figures["planned"], shown.figures["done"], shown.figures["percent"]) == (3, 0, 0)
    assert 'data-testid="campaign-open"' not in unit_html  # the county's check already covers the unit
    b_html = login(county.world.county_b_admin).get(url("list")).content.decode()
    assert "年度离退休干部信息年检" not in b_html


def test_the_open_form_explains_what_will_happen(county):
    response = login(county.world.county_a_admin).get(url("open"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="open-explain"' in html
    assert response.context["roster"] == {"people": 5, "units": 2}
    assert not response.context["background"]
    form = response.context["form"]
    assert form.initial["year"] == timezone.localdate().year
    assert form.initial["due_on"] == annual_check.default_due_on(timezone.localdate().year)


def test_opening_from_the_form_creates_the_campaign_and_a_second_time_is_refused(county):
    client = login(county.world.county_a_admin)
    due_on = timezone.localdate() + datetime.timedelta(days=20)
    data = {"year": timezone.localdate().year, "due_on": due_on.isoformat(), "title": ""}
    response = client.post(url("open"), data)
    campaign = AnnualCheckCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", campaign.pk)
    assert campaign.items.count() == 5
    again = client.post(url("open"), data)
    assert again.status_code == 200
    assert zh("%(node)s already has an annual check for %(year)s.", node="甲县", year=data["year"]) in (
        again.content.decode())
    assert AnnualCheckCampaign.objects.count() == 1


def test_a_liaison_may_not_open_a_campaign(county):
    liaison = make_user("liaison_a", role=Role.LIAISON, node=county.world.county_a)
    assert login(liaison).get(url("open")).status_code == 403


# --- the campaign page -----------------------------------------------------------------------------------------

def test_the_campaign_page_shows_progress_per_unit_lowest_first_and_overall(county, campaign):
    actor, scope = county.world.county_a_admin, county.scope
    for person in county.education:
        annual_check.confirm_item(actor=actor, scope=scope, item=item_of(campaign, person))
    annual_check.confirm_item(actor=actor, scope=scope, item=item_of(campaign, county.finance[0]), phone_ok=False,
                              note="电话已更正")
    response = login(actor).get(url("detail", campaign.pk))
    html = response.content.decode()
    rows = response.context["rows"]
    assert [(r["name"], r["planned"], r["confirmed"], r["corrected"], r["pending"], r["percent"]) for r in rows] == [
        ("甲县财政局", 3, 0, 1, 2, 33), ("甲县教育局", 2, 2, 0, 0, 100)]
    totals = response.context["totals"]
    assert (totals["planned"], totals["confirmed"], totals["corrected"], totals["pending"], totals["percent"]) == (
        5, 2, 1, 2, 60)
    assert "yf-pct-33" in html and "bg-danger" in html and "bg-success" in html
    assert 'data-testid="remind"' in html and 'data-testid="close"' in html
    assert html.index("甲县财政局") < html.index("甲县教育局")


def test_a_unit_admin_sees_only_its_own_unit_on_the_county_campaign_page(county, campaign):
    response = login(county.world.unit_a_admin).get(url("detail", campaign.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert [r["name"] for r in response.context["rows"]] == ["甲县财政局"]
    assert "甲县教育局" not in html
    assert 'data-testid="remind"' not in html and 'data-testid="close"' not in html
    assert 'data-testid="go-confirm"' in html


def test_a_unit_admin_cannot_remind_or_close_the_county_campaign(county, campaign):
    client = login(county.world.unit_a_admin)
    assert client.post(url("remind", campaign.pk)).status_code == 403
    assert client.post(url("close", campaign.pk)).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


def test_the_county_sends_reminders_and_closes_from_the_campaign_page(county, campaign,
                                                                       django_capture_on_commit_callbacks):
    client = login(county.world.county_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("remind", campaign.pk), follow=True)
    # the finance bureau's administrator is reminded; the education bureau has none, which the page says
    assert [m.level_tag for m in response.context["messages"]] == ["success", "warning"]
    assert county.world.unit_a_admin.notifications.count() == 1
    response = client.post(url("close", campaign.pk), follow=True)
    assert 'data-testid="close"' not in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CLOSED


def test_another_countys_campaign_answers_404(county, campaign, county_b_campaign):
    client = login(county.world.unit_a_admin)
    for name in ("detail", "confirm", "unconfirmed", "progress_export"):
        assert client.get(url(name, county_b_campaign.pk)).status_code == 404, name
    item_b = AnnualCheckItem.objects.get(campaign=county_b_campaign)
    assert client.get(url("item", item_b.pk)).status_code == 404
    assert client.post(url("item_confirm", item_b.pk)).status_code == 404
    item_b.refresh_from_db()
    assert item_b.status == CheckStatus.PENDING


def test_a_unit_admin_gets_404_for_another_units_item_of_the_same_campaign(county, campaign):
    other = item_of(campaign, county.education[0])
    client = login(county.world.unit_a_admin)
    assert client.get(url("item", other.pk)).status_code == 404
    assert client.post(url("item_confirm", other.pk)).status_code == 404


# --- the unit's confirmation page ------------------------------------------------------------------------------

def test_the_unit_admin_sees_only_its_units_pending_people_masked(county, campaign):
    response = login(county.world.unit_a_admin).get(url("confirm", campaign.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert {item.person.name for item in response.context["items"]} == {"财政0", "财政1", "财政2"}
    assert "教育0" not in html and "乙县人" not in html
    assert "13800000001" not in html and "138****0001" in html
    assert "人民路12号" not in html and "城关镇人民路**" in html
    assert 'data-testid="confirm-item"' in html and 'data-testid="confirm-selected"' in html


def test_a_row_is_confirmed_in_place_with_htmx(county, campaign):
    item = item_of(campaign, county.finance[0])
    client = login(county.world.unit_a_admin)
    response = client.post(url("item_confirm", item.pk), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and html.strip().startswith(f'<tr id="check-item-{item.pk}"')
    assert 'data-status="confirmed"' in html and 'data-testid="confirm-item"' not in html
    assert "HX-Request" in response["Vary"]
    item.refresh_from_db()
    assert item.status == CheckStatus.CONFIRMED and item.confirmed_by == county.world.unit_a_admin
    assert AuditEvent.objects.filter(object_type="people.annualcheckitem", object_id=str(item.pk),
                                     action=AuditAction.UPDATE).count() == 1


def test_without_htmx_the_confirm_button_redirects_back_to_the_unit(county, campaign):
    item = item_of(campaign, county.finance[1])
    response = login(county.world.unit_a_admin).post(url("item_confirm", item.pk))
    assert response.status_code == 302
    assert response["Location"] == f"{url('confirm', campaign.pk)}?unit={county.world.unit_a.pk}"


def test_confirm_selected_confirms_the_ticked_people_as_unchanged(county, campaign):
    items = [item_of(campaign, p) for p in county.finance]
    client = login(county.world.unit_a_admin)
    response = client.post(url("confirm_selected", campaign.pk), {
        "which": "selected", "item": [items[0].pk, items[2].pk], "page_item": [i.pk for i in items],
        "return_query": "status=pending"})
    assert response.status_code == 302 and response["Location"] == f"{url('confirm', campaign.pk)}?status=pending"
    statuses = [AnnualCheckItem.objects.get(pk=i.pk).status for i in items]
    assert statuses == [CheckStatus.CONFIRMED, CheckStatus.PENDING, CheckStatus.CONFIRMED]
    assert AuditEvent.objects.filter(object_type="people.annualcheckitem").count() == 2


def test_confirm_all_on_the_page_ignores_items_outside_the_scope(county, campaign):
    mine = [item_of(campaign, p).pk for p in county.finance]
    theirs = item_of(campaign, county.education[0]).pk
    response = login(county.world.unit_a_admin).post(url("confirm_selected", campaign.pk), {
        "which": "page", "page_item": [*mine, theirs]}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert AnnualCheckItem.objects.filter(pk__in=mine, status=CheckStatus.CONFIRMED).count() == 3
    assert AnnualCheckItem.objects.get(pk=theirs).status == CheckStatus.PENDING


def test_the_correction_path_links_the_file_and_saves_a_corrected_check(county, campaign):
    item = item_of(campaign, county.finance[2])
    client = login(county.world.unit_a_admin)
    page = client.get(url("item", item.pk))
    html = page.content.decode()
    assert page.status_code == 200
    file_url = annual_check.person_file_url(county.finance[2].pk)
    if file_url:
        assert f'href="{file_url}"' in html
        assert f'href="{annual_check.person_file_url(county.finance[2].pk, "death_record")}"' in html
    else:  # the registry's file page does not exist yet
        assert 'data-testid="no-file-link"' in html
    refused = client.post(url("item", item.pk), {"alive": "on", "address_ok": "on", "status_ok": "on"})
    assert refused.status_code == 200 and list(refused.context["form"].errors) == ["note"]
    done = client.post(url("item", item.pk), {"alive": "on", "address_ok": "on", "status_ok": "on",
                                              "note": "手机号码已在档案中更正"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == CheckStatus.CORRECTED and item.phone_ok is False
    assert item.note == "手机号码已在档案中更正"


def test_the_correction_form_says_to_record_a_death_in_the_file(county, campaign):
    item = item_of(campaign, county.finance[0])
    response = login(county.world.unit_a_admin).post(url("item", item.pk), {
        "address_ok": "on", "phone_ok": "on", "status_ok": "on", "note": "已去世"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["alive"]
    item.refresh_from_db()
    assert item.status == CheckStatus.PENDING


# --- the unconfirmed list and its export ------------------------------------------------------------------------

def test_the_unconfirmed_list_pages_by_keyset_and_filters_by_unit(county, campaign, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope,
                              item=item_of(campaign, county.education[0]))
    client = login(county.world.county_a_admin)
    first = client.get(url("unconfirmed", campaign.pk))
    assert first.context["pending_total"] == 4
    names = [i.person.name for i in first.context["items"]]
    assert len(names) == 2 and first.context["next_url"]
    fragment = client.get(first.context["next_url"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and fragment.count('data-testid="unconfirmed-row"') == 2
    second = client.get(first.context["next_url"])
    names += [i.person.name for i in second.context["items"]]
    assert sorted(names) == sorted(["教育1", "财政0", "财政1", "财政2"])
    assert not second.context["next_url"]
    only = client.get(url("unconfirmed", campaign.pk), {"unit": county.unit_a2.pk})
    assert [i.person.name for i in only.context["items"]] == ["教育1"]
    assert "138****0000" in client.get(url("unconfirmed", campaign.pk)).content.decode()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def workbook_rows(content):
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_unconfirmed_export_is_masked_formula_safe_and_audited(county, campaign, media,
                                                                    django_capture_on_commit_callbacks):
    trap = make_person(county.world.unit_a, name="=HYPERLINK(\"x\")", phone="13912345678")
    AnnualCheckItem.objects.create(campaign=campaign, person=trap, unit=county.world.unit_a,
                                   unit_path=county.world.unit_a.path)
    client = login(county.world.county_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("unconfirmed_export", campaign.pk), {"unit": county.world.unit_a.pk})
    job = Job.objects.get(kind="annual_check_unconfirmed")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.uid])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="people.annualcheckitem")
    assert event.personal_data and event.detail["filters"] == {"unit": county.world.unit_a.pk}
    rows = workbook_rows((media / job.result_file).read_bytes())
    assert len(rows[0]) == len(tasks.UNCONFIRMED_COLUMNS)
    body = rows[1:]
    assert sorted(r[1] for r in body) == sorted(["财政0", "财政1", "财政2", "'=HYPERLINK(\"x\")"])
    assert all(r[0] == "甲县财政局" for r in body)
    flat = " ".join(str(cell) for row in body for cell in row)
    assert "13912345678" not in flat and "139****5678" in flat and "138****0001" in flat


def test_the_progress_export_lists_every_unit_and_is_audited(county, campaign):
    annual_check.confirm_item(actor=county.world.county_a_admin, scope=county.scope,
                              item=item_of(campaign, county.education[0]))
    response = login(county.world.county_a_admin).get(url("progress_export", campaign.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(response.content)
    assert rows[1:] == [["甲县财政局", 3, 0, 0, 3, 0], ["甲县教育局", 2, 1, 0, 1, 50], [zh("Total"), 5, 1, 0, 4, 20]]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="people.annualcheckcampaign",
                                     object_id=str(campaign.pk)).exists()


# --- query counts ----------------------------------------------------------------------------------------------

def grow(county, campaign, units=6, people=4):
    """More units and people on the campaign, some confirmed."""
    for n in range(units):
        unit = make_node(county.world.county_a, OrgKind.UNIT, f"新增单位{n}", UnitKind.INSTITUTION)
        for m in range(people):
            person = make_person(unit, name=f"新增{n}-{m}", phone=f"1370000{n:02d}{m:02d}")
            AnnualCheckItem.objects.create(campaign=campaign, person=person, unit=unit, unit_path=unit.path,
                                           status=CheckStatus.CONFIRMED if m == 0 else CheckStatus.PENDING,
                                           confirmed_by=county.world.unit_a_admin if m == 0 else None)
    for person in county.finance[:2]:
        AnnualCheckItem.objects.filter(campaign=campaign, person=person).update(
            status=CheckStatus.CONFIRMED, confirmed_by=county.world.unit_a_admin, confirmed_at=timezone.now())


def count_queries(client, target):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(target).status_code == 200
    return len(captured.captured_queries)


# Session, account, role grants, the notification badge, the session save (with its savepoint), then the page's
# own reads: the campaign, the per-unit aggregate, the unit names, and the rows or the preparing job.
PAGE_QUERIES = {"list": 10, "detail": 11, "confirm": 11, "unconfirmed": 11}


@pytest.mark.parametrize("who,page", [
    ("county_a_admin", "detail"), ("county_a_admin", "confirm"), ("county_a_admin", "unconfirmed"),
    ("unit_a_admin", "detail"), ("unit_a_admin", "confirm"), ("county_a_admin", "list"),
])
def test_pages_run_the_same_number_of_queries_whatever_the_number_of_rows(county, campaign, who, page):
    client = login(getattr(county.world, who))
    target = url(page) if page == "list" else url(page, campaign.pk)
    if page == "confirm":
        target += "?status=all"
    client.get(target)  # warm the per-process caches
    small = count_queries(client, target)
    grow(county, campaign)
    large = count_queries(client, target)
    assert small == large, (small, large)
    assert large <= PAGE_QUERIES[page], large


# --- a large campaign prepared in the background ---------------------------------------------------------------

def test_a_failed_preparation_is_shown_and_prepared_again_without_duplicates(county, monkeypatch,
                                                                             django_capture_on_commit_callbacks):
    monkeypatch.setattr(annual_check, "SYNC_LIMIT", 2)
    monkeypatch.setattr(annual_check, "BATCH_SIZE", 2)
    real_bulk_create = AnnualCheckItem.objects.bulk_create
    calls = []

    def dies_on_the_second_batch(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real_bulk_create(objs, *args, **kwargs)

    client = login(county.world.county_a_admin)
    due_on = timezone.localdate() + datetime.timedelta(days=20)
    with monkeypatch.context() as patch:
        patch.setattr(AnnualCheckItem.objects, "bulk_create", dies_on_the_second_batch)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("open"), {"year": timezone.localdate().year, "due_on": due_on.isoformat()})
    campaign = AnnualCheckCampaign.objects.get()
    job = Job.objects.get(kind=annual_check.FILL_JOB_KIND)
    assert job.status == JobStatus.FAILED and "worker lost" in job.message
    assert campaign.items.count() == 2  # the first batch was committed

    page = client.get(url("detail", campaign.pk)).content.decode()
    assert 'data-testid="campaign-prepare-failed"' in page and 'data-testid="prepare-again"' in page
    assert login(county.world.unit_a_admin).post(url("prepare", campaign.pk)).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("prepare", campaign.pk))
    again = Job.objects.filter(kind=annual_check.FILL_JOB_KIND).latest("created_at")
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[again.uid])
    assert again.status == JobStatus.SUCCEEDED
    assert campaign.items.count() == 5
    assert annual_check.preparing_job(campaign) is None
    assert 'data-testid="campaign-prepare' not in client.get(url("detail", campaign.pk)).content.decode()
