"""Periodic compliance work: the nightly refresh and the reminders to secretaries; and the background jobs of the
compliance pages (recomputing after a rule changed, the Excel export of a large subtree)."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from yinfa.core.models import Job
from yinfa.core.permissions import Perm
from yinfa.core.scheduling import periodic
from yinfa.core.services.jobs import Progress
from yinfa.core.services.notifications import notify

log = logging.getLogger("yinfa.partylife.tasks")


@periodic("compliance_refresh", every=datetime.timedelta(days=1))
@task()
def compliance_refresh():
    """Recompute the current year (and the previous one in January): periods fall due as the days pass."""
    from yinfa.partylife.services import compliance

    today = timezone.localdate()
    return {str(year): compliance.refresh(year=year, today=today) for year in compliance.years_to_refresh(today)}


@periodic("compliance_reminders", every=datetime.timedelta(days=1))
@task()
def compliance_reminders():
    """Remind secretaries ten days before a period ends without its required meeting (once per period)."""
    from yinfa.partylife.services import compliance

    with translation.override(settings.LANGUAGE_CODE):
        return compliance.send_reminders()


@task()
def refresh_compliance_job(job_id):
    """Recompute the years of the job (after a rule changed), with progress; the owner is told when done."""
    from yinfa.core.tasks import job_scope
    from yinfa.partylife.models import Branch
    from yinfa.partylife.services import compliance

    job = Job.objects.select_related("owner").get(pk=job_id)
    years = [int(year) for year in job.params.get("years", [])]
    with translation.override(settings.LANGUAGE_CODE), Progress(job_id) as progress:
        job_scope(job, Perm.PARTY_MANAGE)
        progress.set_total(Branch.objects.count() * len(years))
        results = {str(year): compliance.refresh(year=year, progress=progress) for year in years}
        branches = sum(result["branches"] for result in results.values())
        message = _("Compliance recomputed for %(branches)s branch-years.") % {"branches": branches}
        progress.succeed(result=results, message=message)
        with transaction.atomic():
            notify(recipients=[job.owner], title=_("Compliance is up to date: %(title)s") % {"title": job.title},
                   body=message, url=reverse("partylife:compliance"), obj=job)
    return results


@task()
def export_compliance(job_id):
    """The compliance of every branch under a node for a year (within the owner's scope), as an Excel file."""
    from yinfa.core.exports import export_file
    from yinfa.core.tasks import job_scope
    from yinfa.partylife import selectors_compliance as selectors
    from yinfa.partylife.exports_compliance import write_export

    job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), Progress(job_id) as progress:
        scope = job_scope(job, Perm.PARTY_VIEW)
        filters = job.params.get("filters", {})
        node = selectors.node_in_scope(scope, filters.get("node"))
        if node is None:
            raise ValueError(_("The organisation of this export is no longer in your scope."))
        year = int(filters.get("year"))
        relative, path = export_file(job.uid)
        rows = write_export(path, scope, node, year, progress=progress)
        message = _("%(rows)s rows exported.") % {"rows": rows}
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        progress.succeed(result={"rows": rows, "filename": f"compliance-{year}-{stamp}.xlsx"}, result_file=relative,
                         message=message)
        with transaction.atomic():
            notify(recipients=[job.owner], title=_("Your export is ready: %(title)s") % {"title": job.title},
                   body=message, url=reverse("core:job_detail", args=[job.uid]), obj=job)
    return {"rows": rows}
