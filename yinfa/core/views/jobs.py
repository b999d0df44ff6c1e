"""Background jobs: each account follows its own jobs; the maintenance role also sees every job in its scope."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _

from yinfa.core.access import own_account
from yinfa.core.exports import record_download, resolve_result_file
from yinfa.core.keyset import keyset_page, next_page_url
from yinfa.core.models import Job, JobStatus
from yinfa.core.permissions import Perm
from yinfa.core.scope import scoped
from yinfa.core.views.home import module

PAGE_SIZE = 30
ALL_JOBS_SHOWN = 50
# Labels of the result values that jobs commonly report; other keys are shown as they are.
RESULT_LABELS = {
    "rows": _("Rows"), "filename": _("File name"), "created": _("Created"), "updated": _("Updated"),
    "skipped": _("Skipped"), "errors": _("Errors"),
}


def result_items(job):
    if not isinstance(job.result, dict):
        return []
    return [{"label": RESULT_LABELS.get(key, key), "value": value} for key, value in job.result.items()]


def own_jobs(user):
    """The jobs this account started."""
    return Job.objects.filter(owner=user)


def may_see_all_jobs(scope):
    return scope is not None and scope.has(Perm.SYSTEM_MAINTENANCE)


def jobs_for_maintenance(scope):
    """Every job started within the maintenance role's subtree (jobs without a scope belong to the root)."""
    if not may_see_all_jobs(scope):
        return Job.objects.none()
    jobs = scoped(Job.objects.all(), scope, "scope_path")
    if scope.depth == 0:
        jobs = jobs | Job.objects.filter(scope_path="")
    return jobs


@module("jobs")
@own_account
def job_list(request):
    page = keyset_page(own_jobs(request.user), before=request.GET.get("before"), size=PAGE_SIZE,
                       field="created_at")
    context = {"jobs": page.rows, "next_url": next_page_url(request, page),
               "is_first_page": not request.GET.get("before")}
    if may_see_all_jobs(request.scope) and not request.GET.get("before"):
        context["all_jobs"] = list(jobs_for_maintenance(request.scope).select_related("owner")
                                   .order_by("-created_at", "-id")[:ALL_JOBS_SHOWN])
        context["show_all_jobs"] = True
    return render(request, "core/jobs/list.html", context)


def _job_for(request, uid):
    """The job if it is the account's own or the maintenance role may see it; else 404."""
    job = Job.objects.filter(uid=uid, owner=request.user).first()
    if job is None:
        job = get_object_or_404(jobs_for_maintenance(request.scope), uid=uid)
    return job


@module("jobs")
@own_account
def job_detail(request, uid):
    job = _job_for(request, uid)
    context = {
        "job": job,
        "result_items": result_items(job),
        "can_download": job.owner_id == request.user.pk and job.status == JobStatus.SUCCEEDED
        and resolve_result_file(job.result_file) is not None,
        "file_gone": job.status == JobStatus.SUCCEEDED and bool(job.result.get("filename"))
        and resolve_result_file(job.result_file) is None,
    }
    template = "core/jobs/detail.html#progress" if request.htmx else "core/jobs/detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@own_account
def job_download(request, uid):
    job = get_object_or_404(own_jobs(request.user), uid=uid)
    path = resolve_result_file(job.result_file)
    if path is None:
        raise Http404
    record_download(actor=request.user, job=job)
    filename = job.result.get("filename") or path.name
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
