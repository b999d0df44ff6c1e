"""Long background jobs that users wait for, with progress (used by imports, exports, refreshes)."""

from django.db import transaction
from django.utils import timezone

from yinfa.core.models import Job, JobStatus


@transaction.atomic
def start_job(*, actor, scope, kind, title, task, params=None):
    """Create a job row and enqueue ``task(job_id)`` once the transaction commits."""
    job = Job.objects.create(kind=kind, title=title, owner=actor, scope_path=scope.path if scope else "",
                             params=params or {})

    def enqueue():
        result = task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(getattr(result, "id", "")))

    transaction.on_commit(enqueue)
    return job


class Progress:
    """Used inside a task: ``with Progress(job_id) as p: p.set_total(n); p.advance(k)``.

    Progress writes are throttled so a long loop does not write on every row.
    """

    def __init__(self, job_id, every=0.5):
        self.job_id = job_id
        self.every = every
        self._last = 0.0
        self.done = 0
        self.total = 0

    def __enter__(self):
        Job.objects.filter(pk=self.job_id).update(status=JobStatus.RUNNING, started_at=timezone.now(),
                                                  message="")
        return self

    def set_total(self, total):
        self.total = total
        Job.objects.filter(pk=self.job_id).update(total=total)

    def advance(self, count=1, message=None):
        self.done += count
        now = timezone.now().timestamp()
        if now - self._last >= self.every or self.done >= self.total:
            self._last = now
            values = {"done": self.done}
            if message is not None:
                values["message"] = message[:300]
            Job.objects.filter(pk=self.job_id).update(**values)

    def succeed(self, result=None, result_file="", message=""):
        Job.objects.filter(pk=self.job_id).update(
            status=JobStatus.SUCCEEDED, done=max(self.done, self.total), result=result or {},
            result_file=result_file, message=message[:300], finished_at=timezone.now())

    def __exit__(self, exc_type, exc, tb):
        if exc is not None:
            Job.objects.filter(pk=self.job_id).update(
                status=JobStatus.FAILED, message=str(exc)[:300], finished_at=timezone.now())
        return False
