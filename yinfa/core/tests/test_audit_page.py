"""The audit trail page: who may read it, what it shows, its filters, paging and the Excel export."""

import datetime
import re

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from yinfa.core import audit
from yinfa.core.exports import resolve_result_file, safe_cell
from yinfa.core.models import AuditAction, AuditEvent, AuditOutcome, Job, JobStatus, Notification
from yinfa.core.permissions import Role
from yinfa.core.testing import login, make_user

pytestmark = pytest.mark.django_db

LIST = reverse("core:audit_list")
EXPORT = reverse("core:audit_export")


def event(node, **values):
    values.setdefault("object_type", "core.user")
    values.setdefault("object_id", "1")
    return audit.record(values.pop("action", AuditAction.UPDATE), scope_path=node.path if node else "", **values)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def shown_ids(response):
    """Ids of the events listed on the page (read from their detail links)."""
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'href="/audit/(\d+)/"', response.content.decode())}


def test_only_the_audit_administrator_may_open_the_audit_pages(world):
    some_event = event(world.county_a, object_repr="x")
    for user in (world.county_a_admin, world.city_admin, world.security_admin, world.system_admin, world.no_role):
        client = login(user)
        assert client.get(LIST).status_code == 403, user
        assert client.get(reverse("core:audit_detail", args=[some_event.pk])).status_code == 403, user
        assert client.post(EXPORT).status_code == 403, user
    assert login(world.audit_admin).get(LIST).status_code == 200


def test_a_county_administrator_has_no_audit_entry_in_the_navigation(world):
    home = login(world.county_a_admin).get(reverse("core:home")).content.decode()
    assert LIST not in home
    assert LIST in login(world.audit_admin).get(reverse("core:home")).content.decode()


def test_an_audit_administrator_of_a_county_sees_only_that_countys_events(world):
    county_auditor = make_user("aud_a", role=Role.AUDIT_ADMIN, node=world.county_a, totp=True)
    inside = event(world.community_a, object_repr="inside")
    outside = event(world.county_b, object_repr="outside")
    unscoped = event(None, action=AuditAction.LOGIN_FAILED, object_repr="nobody")
    client = login(county_auditor)
    ids = shown_ids(client.get(LIST))
    assert inside.pk in ids
    assert outside.pk not in ids and unscoped.pk not in ids
    assert client.get(reverse("core:audit_detail", args=[outside.pk])).status_code == 404
    assert client.get(reverse("core:audit_detail", args=[inside.pk])).status_code == 200
    # the city auditor sees all three, events without a scope included
    assert {inside.pk, outside.pk, unscoped.pk} <= shown_ids(login(world.audit_admin).get(LIST))


def test_the_filters_narrow_the_list(world):
    alice = event(world.county_a, actor=world.county_a_admin, object_id="77", action=AuditAction.CREATE)
    reveal = event(world.county_a, actor=world.unit_a_admin, action=AuditAction.REVEAL, personal_data=True)
    denied = event(world.county_b, action=AuditAction.ACCESS_DENIED, outcome=AuditOutcome.DENIED)
    client = login(world.audit_admin)
    assert shown_ids(client.get(LIST, {"actor": "a_adm"})) & {alice.pk, reveal.pk, denied.pk} == {alice.pk}
    assert shown_ids(client.get(LIST, {"action": "reveal"})) == {reveal.pk}
    assert shown_ids(client.get(LIST, {"personal_data": "on"})) == {reveal.pk}
    assert shown_ids(client.get(LIST, {"outcome": "denied"})) >= {denied.pk}
    assert alice.pk not in shown_ids(client.get(LIST, {"outcome": "denied"}))
    assert shown_ids(client.get(LIST, {"object_id": "77"})) == {alice.pk}
    assert shown_ids(client.get(LIST, {"object_type": "user", "action": "create"})) == {alice.pk}
    today = timezone.localdate()
    assert alice.pk in shown_ids(client.get(LIST, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert shown_ids(client.get(LIST, {"date_from": tomorrow})) == set()


def test_the_ip_and_request_id_filters_match_exactly(world):
    from yinfa.core import context

    token = context.activate(context.RequestContext(request_id="req-12345678", ip="10.1.2.3"))
    try:
        tagged = event(world.county_a, object_repr="tagged")
    finally:
        context.deactivate(token)
    other = event(world.county_a, object_repr="other")
    client = login(world.audit_admin)
    assert shown_ids(client.get(LIST, {"ip": "10.1.2.3"})) == {tagged.pk}
    assert shown_ids(client.get(LIST, {"request_id": "req-12345678"})) == {tagged.pk}
    assert other.pk not in shown_ids(client.get(LIST, {"ip": "10.1.2.3"}))


def test_an_invalid_filter_shows_the_error_and_no_rows(world):
    event(world.county_a)
    response = login(world.audit_admin).get(LIST, {"ip": "not-an-ip"})
    assert response.status_code == 200
    assert response.context["filter"].errors["ip"]
    assert response.context["rows"] == []


def test_the_list_pages_by_keyset_without_overlap(world):
    created = [event(world.county_a, object_id=str(i)) for i in range(60)]
    client = login(world.audit_admin)
    first = client.get(LIST, {"object_type": "core.user"})
    first_ids = shown_ids(first)
    assert len(first_ids) == 50
    assert "before=" in first.context["next_url"]
    second = client.get(first.context["next_url"], headers={"HX-Request": "true"})
    second_ids = shown_ids(second)
    assert not first_ids & second_ids
    assert first_ids | second_ids == {e.pk for e in created}
    assert b"load-more" not in second.content
    assert b"<html" not in second.content  # the htmx answer is only the rows
    assert "HX-Request" in second["Vary"]


def test_the_list_runs_the_same_number_of_queries_for_few_and_many_rows(world):
    client = login(world.audit_admin)
    for i in range(3):
        event(world.county_a, object_id=str(i), changes={"name": ["a", "b"]})
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for i in range(40):
        event(world.county_b, object_id=str(i), changes={"name": ["a", "b"]}, actor=world.city_admin)
    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST)
    assert len(response.context["rows"]) >= 43
    assert len(many) == len(few)


def test_the_detail_shows_changes_old_to_new_and_the_detail(world):
    e = event(world.county_a, changes={"full_name": ["张三", "张三丰"], "mobile": ["***", "***"]},
              detail={"reason": "更正姓名"}, object_repr="张三丰")
    response = login(world.audit_admin).get(reverse("core:audit_detail", args=[e.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "张三丰" in html and "full_name" in html and "更正姓名" in html
    assert {"field": "full_name", "old": "张三", "new": "张三丰"} in response.context["change_rows"]


def test_there_is_no_way_to_change_or_delete_events_from_the_pages(world):
    from django.urls import get_resolver

    audit_routes = [name for name in get_resolver().reverse_dict if isinstance(name, str) and "audit" in name]
    assert all(not any(word in name for word in ("edit", "delete", "update")) for name in audit_routes)
    e = event(world.county_a)
    client = login(world.audit_admin)
    assert client.post(reverse("core:audit_detail", args=[e.pk])).status_code in (200, 405)
    assert AuditEvent.objects.filter(pk=e.pk).exists()


def test_safe_cell_escapes_what_a_spreadsheet_would_run_as_a_formula():
    for text in ("=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(text) == "'" + text
    assert safe_cell("张三") == "张三"
    assert safe_cell(5) == 5
    assert safe_cell(None) is None


def test_the_export_writes_the_filtered_rows_with_escaped_cells_and_is_audited(
        world, media, django_capture_on_commit_callbacks):
    event(world.county_a, actor=world.county_a_admin, object_repr="=HYPERLINK(\"http://x\")",
                   changes={"name": ["-1", "+2"]})
    event(world.county_b, actor=world.county_b_admin, object_repr="@cmd")
    event(world.county_a, action=AuditAction.DELETE, object_repr="not wanted")
    client = login(world.audit_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EXPORT, {"action": "update", "object_type": "core.user"})
    job = Job.objects.get(owner=world.audit_admin)
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.uid])
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.done == job.total == 2
    path = resolve_result_file(job.result_file)
    assert path is not None and path.parent == media / "exports"
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3  # header + two events
    objects = {row[7] for row in rows[1:]}
    assert objects == {"'=HYPERLINK(\"http://x\")", "'@cmd"}
    with translation.override("zh-hans"):  # the language the export was asked in
        assert all(row[3] == str(AuditAction.UPDATE.label) for row in rows[1:])
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=world.audit_admin).get()
    assert exported.detail["filters"] == {"action": "update", "object_type": "core.user"}
    assert exported.detail["job"] == str(job.uid)
    ready = Notification.objects.get(recipient=world.audit_admin)
    assert ready.url == reverse("core:job_detail", args=[job.uid])


def test_an_export_by_a_county_auditor_holds_only_the_countys_rows(world, media, django_capture_on_commit_callbacks):
    county_auditor = make_user("aud_a", role=Role.AUDIT_ADMIN, node=world.county_a, totp=True)
    event(world.county_a, object_repr="inside")
    event(world.county_b, object_repr="outside")
    with django_capture_on_commit_callbacks(execute=True):
        login(county_auditor).post(EXPORT, {"object_type": "core.user"})
    job = Job.objects.get(owner=county_auditor)
    rows = list(openpyxl.load_workbook(resolve_result_file(job.result_file), read_only=True).active
                .iter_rows(values_only=True))
    assert [row[7] for row in rows[1:]] == ["inside"]


def test_an_export_fails_when_the_role_it_was_started_with_is_gone(world, media):
    from yinfa.core.tasks import export_audit_events

    job = Job.objects.create(kind="audit_export", title="t", owner=world.county_a_admin,
                             params={"filters": {}, "grant_id": world.county_a_admin.grants.get().pk})
    export_audit_events.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not job.result_file


def test_the_export_button_requires_post(world):
    assert login(world.audit_admin).get(EXPORT).status_code == 405
