"""Background tasks of the people app: the annual check's item creation, its export and its daily reminders."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from yinfa.core.exports import XlsxStream, export_file
from yinfa.core.masking import mask_phone
from yinfa.core.models import Job
from yinfa.core.permissions import Perm
from yinfa.core.scheduling import periodic
from yinfa.core.services.jobs import Progress
from yinfa.core.services.notifications import notify

log = logging.getLogger("yinfa.people.tasks")


@task()
def fill_annual_check(job_id):
    """Create the items of a large campaign in batches, with progress (see services.annual_check.open_campaign).

    Each batch commits on its own and existing items are kept, so a run that died half-way is completed by
    running it again.
    """
    from yinfa.core.tasks import job_scope
    from yinfa.people.querysets_annual_check import campaigns_visible_to
    from yinfa.people.services import annual_check

    job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE), Progress(job_id) as progress:
        scope = job_scope(job, Perm.PEOPLE_EDIT)
        campaign = campaigns_visible_to(scope).select_related("node").get(pk=job.params["campaign"])
        roster_scope = annual_check.campaign_scope(scope, campaign)
        progress.set_total(annual_check.roster(roster_scope).count())
        people = annual_check.fill_items(campaign=campaign, scope=roster_scope, progress=progress,
                                         each_batch_atomic=True)
        message = _("%(people)s people are ready to be confirmed.") % {"people": people}
        progress.succeed(result={"created": people}, message=message)
        with transaction.atomic():
            notify(recipients=[job.owner], title=_("The annual check is ready: %(title)s") % {"title": campaign.title},
                   body=message, url=reverse("people:annual_check_detail", args=[campaign.pk]), obj=campaign)
    return {"people": people}


UNCONFIRMED_COLUMNS = (
    (gettext_lazy("Unit"), 28), (gettext_lazy("Full name"), 14), (gettext_lazy("Gender"), 8),
    (gettext_lazy("Category"), 12), (gettext_lazy("Date of birth"), 12), (gettext_lazy("Phone (masked)"), 16),
    (gettext_lazy("Status"), 14),
)


@task()
def export_annual_check_unconfirmed(job_id):
    """The people of a campaign not yet confirmed (within the owner's scope), phones masked."""
    from yinfa.core.models import OrgNode
    from yinfa.core.tasks import job_scope
    from yinfa.people.querysets_annual_check import campaign_items, campaigns_visible_to, unconfirmed_items

    job = Job.objects.select_related("owner").get(pk=job_id)
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), Progress(job_id) as progress:
        scope = job_scope(job, Perm.PEOPLE_EXPORT)
        campaign = campaigns_visible_to(scope).get(pk=job.params["campaign"])
        rows = unconfirmed_items(campaign_items(campaign, scope), job.params.get("filters", {}).get("unit"))
        progress.set_total(rows.count())
        unit_names = dict(OrgNode.objects.filter(pk__in=rows.values("unit_id")).values_list("pk", "name"))
        relative, path = export_file(job.uid)
        with XlsxStream(path, UNCONFIRMED_COLUMNS, sheet_name=_("Not yet confirmed")) as sheet:
            for item in rows.select_related("person").order_by("unit_path", "pk").iterator(chunk_size=2000):
                person = item.person
                sheet.write([unit_names.get(item.unit_id, ""), person.name, person.get_gender_display(),
                             person.get_category_display(), person.birth_date, mask_phone(person.phone),
                             item.get_status_display()])
                progress.advance()
        message = _("%(rows)s rows exported.") % {"rows": sheet.rows}
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        progress.succeed(result={"rows": sheet.rows, "filename": f"annual-check-{campaign.year}-{stamp}.xlsx"},
                         result_file=relative, message=message)
        with transaction.atomic():
            notify(recipients=[job.owner], title=_("Your export is ready: %(title)s") % {"title": job.title},
                   body=message, url=reverse("core:job_detail", args=[job.uid]), obj=job)
    return {"rows": sheet.rows}


@periodic("annual_check_reminders", every=datetime.timedelta(days=1))
@task()
def annual_check_reminders():
    """Remind lagging units of every open campaign due within 14 days or overdue (at most once a day each)."""
    from yinfa.people.querysets_annual_check import open_campaigns
    from yinfa.people.services import annual_check

    today = timezone.localdate()
    window_end = today + datetime.timedelta(days=annual_check.REMINDER_WINDOW_DAYS)
    totals = {"campaigns": 0, "units": 0, "accounts": 0}
    with translation.override(settings.LANGUAGE_CODE):
        for campaign in open_campaigns().filter(due_on__lte=window_end).order_by("pk"):
            try:
                result = annual_check.send_reminders(campaign=campaign, today=today)
            except Exception:  # noqa: BLE001 - one broken campaign must not stop the others
                log.exception("annual check reminders failed for campaign %s", campaign.pk)
                continue
            totals["campaigns"] += 1
            totals["units"] += result["units"]
            totals["accounts"] += result["accounts"]
    return totals
