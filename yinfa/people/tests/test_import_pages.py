"""The import pages: upload → preview → confirm → result, refusals, cancel, downloads, scope."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from yinfa.core.models import AuditAction, AuditEvent, Job, JobStatus
from yinfa.core.testing import login
from yinfa.people import idnumbers
from yinfa.people.imports import services
from yinfa.people.models import ImportBatch, ImportStatus, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def upload_file(rows, name="花名册.xlsx"):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号码", "性别", "离退休类别", "联系电话"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


GOOD = ["张建国", idnumbers.make("379921", datetime.date(1950, 5, 12), 123), "男", "退休", "13800138000"]
BAD = ["李四", "123", "男", "退休", ""]


def upload(client, world, django_capture_on_commit_callbacks, rows=(GOOD, BAD), name="花名册.xlsx"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("people:import_new"), {"node": world.unit_a.pk, "file": upload_file(rows, name)})


def test_upload_preview_confirm_and_result(world, media, django_capture_on_commit_callbacks):
    client = login(world.county_a_admin)
    assert client.get(reverse("people:import_new")).status_code == 200
    response = upload(client, world, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("people:import_detail", args=[batch.uid])
    assert batch.status == ImportStatus.PREVIEWED
    assert (media / batch.stored_file).is_file() and batch.stored_file.startswith("imports/")
    page = client.get(reverse("people:import_detail", args=[batch.uid]))
    html = page.content.decode()
    assert 'data-testid="count-valid">1<' in html and 'data-testid="count-invalid">1<' in html
    assert 'data-testid="import-confirm"' in html and "data-yf-confirm" in html
    assert Person.objects.count() == 0  # a preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:import_confirm", args=[batch.uid]))
    batch.refresh_from_db()
    assert batch.status == ImportStatus.SUCCEEDED and batch.job.status == JobStatus.SUCCEEDED
    assert Person.objects.get().name == "张建国"
    html = client.get(reverse("people:import_detail", args=[batch.uid])).content.decode()
    assert 'data-testid="import-result"' in html and 'data-testid="import-errors-download"' in html
    download = client.get(reverse("people:import_errors", args=[batch.uid]))
    assert download.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active.values)
    assert rows[1][0] == 3 and rows[1][3] == "李四"
    steps = [e.detail.get("step") for e in AuditEvent.objects.filter(object_type="people.importbatch")
             .order_by("id")]
    assert steps == ["upload", "confirm", "errors_download"]
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, object_type="core.orgnode").count() == 1


def test_the_progress_fragment_polls_while_checking_and_refreshes_when_done(world, media):
    client = login(world.county_a_admin)
    batch = ImportBatch.objects.create(unit=world.unit_a, scope_path=world.county_a.path, original_name="r.xlsx",
                                       stored_file="imports/x.xlsx", uploaded_by=world.county_a_admin)
    batch.job = Job.objects.create(kind="people_import_check", title="t", owner=world.county_a_admin, total=10, done=4)
    batch.save()
    fragment = client.get(reverse("people:import_detail", args=[batch.uid]), HTTP_HX_REQUEST="true")
    assert b'id="import-progress"' in fragment.content and b"<html" not in fragment.content
    assert "HX-Request" in fragment["Vary"]
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.PREVIEWED)
    done = client.get(reverse("people:import_detail", args=[batch.uid]), HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_an_unsafe_upload_is_refused_on_the_form_and_audited(world, media, django_capture_on_commit_callbacks):
    client = login(world.county_a_admin)
    response = upload(client, world, django_capture_on_commit_callbacks, name="花名册.xlsm")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportBatch.objects.exists()
    assert not (media / "imports").exists() or not list((media / "imports").iterdir())
    refusal = AuditEvent.objects.get(action=AuditAction.IMPORT)
    assert refusal.outcome == "failure" and refusal.detail["step"] == "upload"


def test_a_file_without_the_required_columns_fails_the_check_with_a_message(world, media,
                                                                          django_capture_on_commit_callbacks):
    client = login(world.county_a_admin)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "性别"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "r.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("people:import_new"), {"node": world.unit_a.pk, "file": buffer})
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and "身份证号" in batch.summary["message"]
    html = client.get(reverse("people:import_detail", args=[batch.uid])).content.decode()
    assert 'data-testid="import-message"' in html and 'data-testid="import-confirm"' not in html


def test_cancel_deletes_the_stored_file(world, media, django_capture_on_commit_callbacks):
    client = login(world.county_a_admin)
    upload(client, world, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    stored = media / batch.stored_file
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:import_cancel", args=[batch.uid]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED and not stored.exists()
    assert not (media / services.errors_relative(batch)).exists()
    assert client.post(reverse("people:import_confirm", args=[batch.uid])).status_code == 302
    assert Person.objects.count() == 0


def test_a_unit_outside_the_scope_cannot_be_chosen(world, media, django_capture_on_commit_callbacks):
    client = login(world.county_a_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("people:import_new"), {"node": world.unit_b.pk, "file": upload_file([GOOD])})
    assert response.status_code == 200 and response.context["form"].errors["node"]
    assert not ImportBatch.objects.exists()


def test_batches_of_another_county_answer_404(world, media, django_capture_on_commit_callbacks):
    upload(login(world.county_a_admin), world, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    sibling = login(world.county_b_admin)
    for name in ("import_detail", "import_errors"):
        assert sibling.get(reverse(f"people:{name}", args=[batch.uid])).status_code == 404
    for name in ("import_confirm", "import_cancel"):
        assert sibling.post(reverse(f"people:{name}", args=[batch.uid])).status_code == 404
    assert "花名册.xlsx" not in sibling.get(reverse("people:import_list")).content.decode()


def test_the_list_runs_the_same_queries_for_one_or_many_batches(world, media, django_assert_max_num_queries):
    client = login(world.county_a_admin)

    def make(count):
        for n in range(count):
            ImportBatch.objects.create(unit=world.unit_a, scope_path=world.county_a.path, original_name=f"{n}.xlsx",
                                       stored_file="", uploaded_by=world.county_a_admin)

    make(1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("people:import_list"))
    make(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("people:import_list"))
    assert len(many) == len(one)
    assert response.content.decode().count("20.xlsx") == 0 and "19.xlsx" in response.content.decode()


def test_the_template_has_the_columns_an_example_and_notes(world):
    response = login(world.unit_a_admin).get(reverse("people:import_template"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    header, example = list(book.worksheets[0].values)[:2]
    assert header[:2] == ("姓名", "身份证号")
    assert idnumbers.is_valid(example[1])
    assert book.worksheets[1].max_row > 20


def test_a_role_without_the_import_permission_is_refused(world):
    client = login(world.community_a_admin)
    assert client.get(reverse("people:import_list")).status_code == 403
    assert client.get(reverse("people:import_new")).status_code == 403
