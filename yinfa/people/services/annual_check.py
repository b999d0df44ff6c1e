"""The annual check (年检): open a campaign for a scope, confirm or correct each person, remind, close.

Each living person visible in the scope gets one item, assigned to the unit that answers for them (their former
work unit, 原工作单位). Units confirm their people (alive, address, phone, status) or correct the file first and
then mark the item corrected. Every write is atomic and audited; reminders go out as notifications.
"""

import dataclasses
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgNode, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.scope import ancestor_paths
from yinfa.core.services.jobs import start_job
from yinfa.core.services.notifications import notify
from yinfa.people.models import AnnualCheckCampaign, AnnualCheckItem, CampaignStatus, CheckStatus, Person
from yinfa.people.querysets_annual_check import campaign_within, unit_progress

# Up to this many people the items are created at once; above, by a background job with a progress bar.
SYNC_LIMIT = 5_000
BATCH_SIZE = 5_000
# The most items one "confirm selected" may touch (a page shows far fewer).
CONFIRM_MANY_LIMIT = 500
# Reminders start this many days before the due date (and go on after it).
REMINDER_WINDOW_DAYS = 14
FILL_JOB_KIND = "annual_check_open"
EARLIEST_YEAR = 2000

CAMPAIGN_AUDIT_FIELDS = ["year", "node", "title", "due_on", "status", "closed_at"]
ITEM_AUDIT_FIELDS = ["status", "alive", "address_ok", "phone_ok", "status_ok", "note", "confirmed_by",
                     "confirmed_at"]


def require(scope, perm):
    if scope is None or not scope.has(perm):
        raise PermissionDenied


def roster(scope):
    """The people a campaign of ``scope`` checks: every living person visible in the scope."""
    return Person.objects.visible_to(scope).alive()


def campaign_scope(scope, campaign):
    """``scope`` narrowed to the campaign's organisation (which lies inside it): whose people the campaign checks."""
    if not campaign_within(campaign, scope):
        raise PermissionDenied
    node = campaign.node
    return dataclasses.replace(scope, node_id=node.pk, node_name=node.name, path=node.path, depth=node.depth)


def default_due_on(year, today=None):
    """June 30 of the year; when that is less than 30 days away (or past), 60 days from today."""
    today = today or timezone.localdate()
    due = datetime.date(year, 6, 30)
    if due < today + datetime.timedelta(days=30):
        due = today + datetime.timedelta(days=60)
    return due


def default_title(year, node_name):
    return _("Annual check %(year)s · %(node)s") % {"year": year, "node": node_name}


def person_file_url(person_id, page="person_detail"):
    """The URL of a person's file (the registry's page; ``death_record`` for recording a death), or '' while that
    page does not exist."""
    try:
        return reverse(f"people:{page}", kwargs={"pk": person_id})
    except NoReverseMatch:
        return ""


def unit_confirm_url(campaign, unit_id):
    return f"{reverse('people:annual_check_confirm', args=[campaign.pk])}?unit={unit_id}"


def preparing_job(campaign):
    """The background job still creating the campaign's items (or the last one, failed), if any."""
    from yinfa.core.models import Job, JobStatus

    latest = (Job.objects.filter(kind=FILL_JOB_KIND, params__campaign=campaign.pk)
              .order_by("-created_at", "-id").first())
    return latest if latest is not None and latest.status != JobStatus.SUCCEEDED else None


# --- opening a campaign --------------------------------------------------------------------------------------

def _check_dates(year, due_on, today):
    if not EARLIEST_YEAR <= year <= today.year + 1:
        raise ValidationError({"year": _("Choose a year between %(first)s and %(last)s.") % {
            "first": EARLIEST_YEAR, "last": today.year + 1}})
    if due_on < today:
        raise ValidationError({"due_on": _("The due date has already passed; choose a later day.")})
    if due_on.year > year + 1:
        raise ValidationError({"due_on": _("The due date must fall before the end of the following year.")})


def _check_not_covered(node, year):
    """One check a year: refuse when this node, or an organisation above it, already has one for the year
    (the units would be asked twice — 最多报一次)."""
    covering = (AnnualCheckCampaign.objects.filter(year=year, scope_path__in=ancestor_paths(node.path))
                .select_related("node").order_by("-scope_path").first())
    if covering is None:
        return
    if covering.node_id == node.pk:
        raise ValidationError({"year": _("%(node)s already has an annual check for %(year)s.") % {
            "node": node.name, "year": year}})
    raise ValidationError({"year": _("The annual check %(year)s of %(node)s already covers your scope; confirm "
                                     "your people there.") % {"year": year, "node": covering.node.name}})


@transaction.atomic
def open_campaign(*, actor, scope, year, due_on, title=""):
    """Open the annual check of ``year`` for the scope's organisation and create its items.

    Up to SYNC_LIMIT people the items are created now; above, a background job creates them (see
    ``preparing_job``). Returns the campaign.
    """
    require(scope, Perm.PEOPLE_EDIT)
    today = timezone.localdate()
    _check_dates(year, due_on, today)
    node = OrgNode.objects.get(pk=scope.node_id)
    _check_not_covered(node, year)
    if not roster(scope).exists():
        raise ValidationError(_("Nobody living is recorded in %(node)s yet: there is nobody to check.") % {
            "node": node.name})
    campaign = AnnualCheckCampaign(year=year, node=node, scope_path=node.path, due_on=due_on, created_by=actor,
                                   title=(title or "").strip()[:120] or default_title(year, node.name))
    try:
        with transaction.atomic():
            campaign.save()
    except IntegrityError:
        raise ValidationError({"year": _("%(node)s already has an annual check for %(year)s.") % {
            "node": node.name, "year": year}}) from None
    people = roster(scope).count()
    audit.record(AuditAction.CREATE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                 changes=audit.diff({}, audit.snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)),
                 detail={"people": people, "background": people > SYNC_LIMIT})
    if people > SYNC_LIMIT:
        _start_filling(actor=actor, scope=scope, campaign=campaign)
    else:
        fill_items(campaign=campaign, scope=scope)
    return campaign


def _start_filling(*, actor, scope, campaign):
    from yinfa.people.tasks import fill_annual_check

    return start_job(actor=actor, scope=scope, kind=FILL_JOB_KIND, task=fill_annual_check,
                     title=_("Preparing %(title)s") % {"title": campaign.title},
                     params={"campaign": campaign.pk, "grant_id": scope.grant_id})


@transaction.atomic
def prepare_again(*, actor, scope, campaign):
    """Start the item creation again after its job failed; the items already created are kept."""
    from yinfa.core.models import JobStatus

    _require_manager(scope, campaign)
    _check_open(campaign)
    job = preparing_job(campaign)
    if job is not None and job.status != JobStatus.FAILED:
        raise ValidationError(_("The list of people is already being prepared."))
    new_job = _start_filling(actor=actor, scope=scope, campaign=campaign)
    audit.record(AuditAction.UPDATE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                 detail={"prepare_again": str(new_job.uid)})
    return new_job


def fill_items(*, campaign, scope, progress=None, each_batch_atomic=False):
    """Create one item per person of the scope's roster, in batches of BATCH_SIZE (keyset over the person id,
    constant memory). Items that already exist are kept, so running it again completes an interrupted run.
    Returns the number of people gone through."""
    people = roster(scope).order_by("pk").values_list("pk", "unit_id", "unit_path")
    last_pk, seen = 0, 0
    while True:
        batch = list(people.filter(pk__gt=last_pk)[:BATCH_SIZE])
        if not batch:
            return seen
        items = [AnnualCheckItem(campaign=campaign, person_id=pk, unit_id=unit_id, unit_path=unit_path)
                 for pk, unit_id, unit_path in batch]
        if each_batch_atomic:
            with transaction.atomic():
                AnnualCheckItem.objects.bulk_create(items, batch_size=BATCH_SIZE, ignore_conflicts=True)
        else:
            AnnualCheckItem.objects.bulk_create(items, batch_size=BATCH_SIZE, ignore_conflicts=True)
        last_pk, seen = batch[-1][0], seen + len(batch)
        if progress is not None:
            progress.advance(len(batch))


# --- confirming ----------------------------------------------------------------------------------------------

def _check_open(campaign):
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("This annual check is closed; nothing can be confirmed any more."))


@transaction.atomic
def confirm_item(*, actor, scope, item, alive=True, address_ok=True, phone_ok=True, status_ok=True, note=""):
    """Record the check of one person (``item`` comes from the scope's visible items).

    Everything right: confirmed unchanged. Something wrong: the user corrects the file first, then marks the item
    corrected with a note saying what changed. Not alive: the death is recorded in the file (life events), not
    here; until the file shows it, the check cannot say so.
    """
    require(scope, Perm.PEOPLE_EDIT)
    item = (AnnualCheckItem.objects.select_for_update(of=("self",)).select_related("campaign", "person")
            .get(pk=item.pk))
    _check_open(item.campaign)
    note = (note or "").strip()
    flags = {"alive": bool(alive), "address_ok": bool(address_ok), "phone_ok": bool(phone_ok),
             "status_ok": bool(status_ok)}
    everything_right = all(flags.values())
    if not flags["alive"] and not item.person.is_deceased:
        raise ValidationError({"alive": _("Record the death in the person's file first (life events: death). "
                                          "Then mark this check as corrected.")})
    if flags["alive"] and item.person.is_deceased:
        raise ValidationError({"alive": _("The file records this person as deceased. Correct the file or untick "
                                          "“alive”.")})
    if not everything_right and not note:
        raise ValidationError({"note": _("Say what was wrong and what you corrected in the file.")})
    before = audit.snapshot(item, ITEM_AUDIT_FIELDS)
    for name, value in flags.items():
        setattr(item, name, value)
    item.status = CheckStatus.CONFIRMED if everything_right else CheckStatus.CORRECTED
    item.note = note[:300]
    item.confirmed_by = actor
    item.confirmed_at = timezone.now()
    item.save(update_fields=[*flags, "status", "note", "confirmed_by", "confirmed_at"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=item, object_repr=_item_repr(item),
                 changes=audit.diff(before, audit.snapshot(item, ITEM_AUDIT_FIELDS)),
                 detail={"campaign": item.campaign_id, "person": item.person_id})
    return item


def _item_repr(item):
    return f"{item.campaign.title} · {item.person.name}"[:200]


@transaction.atomic
def confirm_many(*, actor, scope, campaign, items):
    """Confirm the selected pending items as unchanged (a unit's list). ``items`` is a query set of the scope's
    visible items; already confirmed ones are left alone. Returns how many were confirmed."""
    require(scope, Perm.PEOPLE_EDIT)
    _check_open(campaign)
    chosen = list(items.filter(campaign=campaign, status=CheckStatus.PENDING)
                  .select_for_update(of=("self",)).select_related("person").order_by("pk")[:CONFIRM_MANY_LIMIT + 1])
    if len(chosen) > CONFIRM_MANY_LIMIT:
        raise ValidationError(_("Confirm at most %(limit)s people at a time.") % {"limit": CONFIRM_MANY_LIMIT})
    if not chosen:
        return 0
    now = timezone.now()
    ids = [item.pk for item in chosen]
    AnnualCheckItem.objects.filter(pk__in=ids).update(
        status=CheckStatus.CONFIRMED, alive=True, address_ok=True, phone_ok=True, status_ok=True, note="",
        confirmed_by=actor, confirmed_at=now)
    for item in chosen:
        before = audit.snapshot(item, ITEM_AUDIT_FIELDS)
        item.status, item.confirmed_by, item.confirmed_at = CheckStatus.CONFIRMED, actor, now
        item.alive = item.address_ok = item.phone_ok = item.status_ok = True
        item.campaign = campaign
        audit.record(AuditAction.UPDATE, actor=actor, obj=item, object_repr=_item_repr(item),
                     changes=audit.diff(before, audit.snapshot(item, ITEM_AUDIT_FIELDS)),
                     detail={"campaign": campaign.pk, "person": item.person_id, "batch": len(chosen)})
    return len(chosen)


# --- managing the campaign -----------------------------------------------------------------------------------

def _require_manager(scope, campaign):
    """Only a role at or above the campaign's organisation manages it (reminders, closing)."""
    require(scope, Perm.PEOPLE_EDIT)
    if not campaign_within(campaign, scope):
        raise PermissionDenied


@transaction.atomic
def close_campaign(*, actor, scope, campaign):
    _require_manager(scope, campaign)
    campaign = AnnualCheckCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("This annual check is already closed."))
    before = audit.snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                 changes=audit.diff(before, audit.snapshot(campaign, CAMPAIGN_AUDIT_FIELDS)))
    return campaign


def reminders_due(campaign, today=None):
    """True when the due date is at most REMINDER_WINDOW_DAYS away, or past."""
    today = today or timezone.localdate()
    return campaign.due_on <= today + datetime.timedelta(days=REMINDER_WINDOW_DAYS)


def _unit_admins(unit_paths, campaign, today):
    """{unit path: {account ids}} of unit administrators at each unit or above it, within the campaign's scope."""
    candidates = {p for path in unit_paths for p in ancestor_paths(path) if p.startswith(campaign.scope_path)}
    holders = (RoleGrant.objects.active(today).filter(role=Role.UNIT_ADMIN, node__path__in=candidates,
                                                      user__is_active=True)
               .exclude(node__closed_on__lte=today).values_list("node__path", "user_id"))
    by_node = {}
    for path, user_id in holders:
        by_node.setdefault(path, set()).add(user_id)
    return {path: set().union(*(by_node.get(p, set()) for p in ancestor_paths(path))) for path in unit_paths}


@transaction.atomic
def send_reminders(*, campaign, actor=None, scope=None, force=False, today=None):
    """Remind the unit administrators of every unit that has not confirmed all its people, at most once a day
    per unit. Without ``force`` (the daily job) only when the due date is near or past; ``force`` (the
    "send reminders now" button, with the manager's ``scope``) sends whatever the date.

    Returns {"units": reminded units, "accounts": accounts notified, "already": units reminded earlier today,
    "unattended": lagging units without any unit administrator}.
    """
    from yinfa.core.models import Notification

    if actor is not None:
        _require_manager(scope, campaign)
    campaign = AnnualCheckCampaign.objects.get(pk=campaign.pk)  # its status as it is now
    result = {"units": 0, "accounts": 0, "already": 0, "unattended": 0}
    today = today or timezone.localdate()
    if campaign.status != CampaignStatus.OPEN or not (force or reminders_due(campaign, today)):
        return result
    lagging = [row for row in unit_progress(AnnualCheckItem.objects.filter(campaign=campaign)) if row["pending"]]
    if not lagging:
        return result
    units = OrgNode.objects.in_bulk([row["unit_id"] for row in lagging])
    urls = {row["unit_id"]: unit_confirm_url(campaign, row["unit_id"]) for row in lagging}
    day_start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    reminded_today = set(Notification.objects.filter(object_type=OrgNode._meta.label_lower,
                                                     url__in=list(urls.values()), created_at__gte=day_start)
                         .values_list("url", flat=True))
    admins = _unit_admins([unit.path for unit in units.values()], campaign, today)
    overdue = campaign.due_on < today
    due = formats.date_format(campaign.due_on, "Y-m-d")
    notified = set()
    for row in lagging:
        unit, url = units[row["unit_id"]], urls[row["unit_id"]]
        if url in reminded_today:
            result["already"] += 1
            continue
        recipients = admins.get(unit.path, set())
        if not recipients:
            result["unattended"] += 1
            continue
        values = {"title": campaign.title, "unit": unit.name, "pending": row["pending"], "planned": row["planned"],
                  "due": due}
        body = (_("%(pending)s of %(planned)s people of %(unit)s are not confirmed yet. The check was due on "
                  "%(due)s; please confirm them now.") if overdue else
                _("%(pending)s of %(planned)s people of %(unit)s are not confirmed yet. Please confirm them "
                  "before %(due)s.")) % values
        notify(recipients=recipients, title=_("%(title)s: %(unit)s has people to confirm") % values, body=body,
               url=url, obj=unit)
        result["units"] += 1
        notified |= recipients
    result["accounts"] = len(notified)
    if result["units"] or actor is not None:
        audit.record(AuditAction.SYSTEM, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                     detail={"reminders": result, "forced": force})
    return result


@transaction.atomic
def record_progress_export(*, actor, campaign, units):
    """Audit the download of a campaign's progress table (figures per unit, no personal data)."""
    audit.record(AuditAction.EXPORT, actor=actor, obj=campaign, object_repr=campaign.title[:200],
                 detail={"progress": True, "units": units})
