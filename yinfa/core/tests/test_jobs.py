"""Background job pages: own jobs, the maintenance view of all jobs, the live progress fragment, downloads."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from yinfa.core.models import AuditAction, AuditEvent, Job, JobStatus
from yinfa.core.services.jobs import Progress
from yinfa.core.testing import login

pytestmark = pytest.mark.django_db


def make_job(owner, node=None, **values):
    values.setdefault("title", "花名册导出")
    return Job.objects.create(kind="test", owner=owner, scope_path=node.path if node else "", **values)


def detail(job):
    return reverse("core:job_detail", args=[job.uid])


def download(job):
    return reverse("core:job_download", args=[job.uid])


@pytest.fixture
def finished_export(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "exports").mkdir()
    job = make_job(world.county_a_admin, world.county_a, status=JobStatus.SUCCEEDED, done=3, total=3,
                   result={"rows": 3, "filename": "名单.xlsx"})
    path = tmp_path / "exports" / f"{job.uid}.xlsx"
    path.write_bytes(b"PK-fake-xlsx")
    Job.objects.filter(pk=job.pk).update(result_file=f"exports/{job.uid}.xlsx")
    job.refresh_from_db()
    return job


def test_the_list_shows_the_accounts_own_jobs_only(world):
    mine = make_job(world.county_a_admin, world.county_a, title="我的导出")
    make_job(world.county_b_admin, world.county_b, title="乙县的导出")
    response = login(world.county_a_admin).get(reverse("core:job_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "我的导出" in html and "乙县的导出" not in html
    assert detail(mine) in html
    assert "all_jobs" not in response.context


def test_the_maintenance_role_also_sees_every_job_in_its_scope(world):
    make_job(world.county_a_admin, world.county_a, title="甲县的导出")
    make_job(world.county_b_admin, world.county_b, title="乙县的导出")
    response = login(world.system_admin).get(reverse("core:job_list"))
    html = response.content.decode()
    assert 'data-testid="all-jobs"' in html
    assert "甲县的导出" in html and "乙县的导出" in html
    assert response.context["jobs"] == []  # its own list stays its own


def test_someone_elses_job_answers_404(world):
    theirs = make_job(world.county_b_admin, world.county_b)
    client = login(world.county_a_admin)
    assert client.get(detail(theirs)).status_code == 404
    assert client.get(detail(theirs), headers={"HX-Request": "true"}).status_code == 404
    assert client.get(download(theirs)).status_code == 404


def test_the_progress_fragment_polls_while_running(world):
    job = make_job(world.county_a_admin, world.county_a, status=JobStatus.RUNNING, done=3, total=10,
                   message="正在写入")
    response = login(world.county_a_admin).get(detail(job), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{detail(job)}"' in html
    assert "30%" in html and "yf-pct-30" in html and "正在写入" in html
    assert "HX-Request" in response["Vary"]


def test_the_progress_fragment_stops_polling_when_finished(world):
    job = make_job(world.county_a_admin, world.county_a, status=JobStatus.FAILED, done=3, total=10,
                   message="文件损坏", finished_at=timezone.now())
    html = login(world.county_a_admin).get(detail(job), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in html
    assert "文件损坏" in html


def test_the_full_page_wraps_the_fragment(world):
    job = make_job(world.county_a_admin, world.county_a, status=JobStatus.QUEUED)
    response = login(world.county_a_admin).get(detail(job))
    html = response.content.decode()
    assert "<html" in html and 'id="job-progress"' in html and 'hx-trigger="every 1s"' in html


def test_progress_reports_counts_and_the_outcome(world):
    job = make_job(world.county_a_admin, world.county_a)
    with Progress(job.pk, every=0) as progress:
        progress.set_total(4)
        progress.advance(2, message="half")
        job.refresh_from_db()
        assert (job.status, job.done, job.total, job.percent) == (JobStatus.RUNNING, 2, 4, 50)
        progress.succeed(result={"rows": 4}, message="done")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.percent == 100 and job.is_finished


def test_the_owner_downloads_the_result_and_the_download_is_audited(world, finished_export):
    client = login(world.county_a_admin)
    page = client.get(detail(finished_export)).content.decode()
    assert download(finished_export) in page
    response = client.get(download(finished_export))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK-fake-xlsx"
    assert "attachment" in response["Content-Disposition"]
    assert "xlsx" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, actor=world.county_a_admin)
    assert event.detail["job"] == str(finished_export.uid)
    assert event.detail["download"] == finished_export.result_file


def test_only_the_owner_may_download_even_the_maintenance_role_may_not(world, finished_export):
    client = login(world.system_admin)
    page = client.get(detail(finished_export))
    assert page.status_code == 200
    assert download(finished_export) not in page.content.decode()
    assert client.get(download(finished_export)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_missing_result_file_answers_404(world, finished_export, tmp_path):
    (tmp_path / finished_export.result_file).unlink()
    assert login(world.county_a_admin).get(download(finished_export)).status_code == 404


def test_a_result_path_outside_the_export_folder_is_never_served(world, finished_export, tmp_path):
    (tmp_path / "secret.txt").write_text("x")
    Job.objects.filter(pk=finished_export.pk).update(result_file="exports/../secret.txt")
    assert login(world.county_a_admin).get(download(finished_export)).status_code == 404


def test_the_list_is_empty_with_a_hint(world):
    response = login(world.county_a_admin).get(reverse("core:job_list"))
    assert 'data-testid="jobs-empty"' in response.content.decode()


def test_export_files_older_than_a_week_are_deleted_and_the_page_says_so(world, finished_export, tmp_path):
    import os

    from yinfa.core.tasks import prune_export_files

    fresh = tmp_path / "exports" / "fresh.xlsx"
    fresh.write_bytes(b"x")
    old_time = (timezone.now() - datetime.timedelta(days=8)).timestamp()
    os.utime(tmp_path / finished_export.result_file, (old_time, old_time))
    assert prune_export_files.call() == {"deleted": 1}
    assert fresh.exists()
    finished_export.refresh_from_db()
    assert finished_export.result_file == ""
    client = login(world.county_a_admin)
    html = client.get(detail(finished_export)).content.decode()
    assert 'data-testid="job-file-gone"' in html and download(finished_export) not in html
    assert client.get(download(finished_export)).status_code == 404
