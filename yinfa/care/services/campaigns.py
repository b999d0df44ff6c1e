"""Visit campaigns (慰问活动): plan one for an organisation, open it (the roster is drawn from the criteria and split
into tasks for the visiting units and communities), draw the roster again for newcomers, close and reopen it; the
organisations tick off their tasks (a visit recorded for the task, or "not visited" with a reason).

The campaign is a small explicit state machine (``TRANSITIONS``: draft → open → closed → open again), each move a
guarded function that locks the row, checks the state and the role in use, writes an audit row and notifies.
A closed campaign is read-only: its pending tasks stay pending. Every write is atomic and audited.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yinfa.care import campaign_rules as rules
from yinfa.care.models import CampaignStatus, CampaignTask, Festival, TaskStatus, VisitCampaign
from yinfa.core import audit
from yinfa.core.models import AuditAction, OrgKind, OrgNode, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.services.notifications import notify

PLANNER_ROLES = frozenset({Role.BUREAU_ADMIN, Role.UNIT_ADMIN})
# (from, to) -> the roles that may make the move (and only for a campaign of their scope).
TRANSITIONS = {
    (CampaignStatus.DRAFT, CampaignStatus.OPEN): PLANNER_ROLES,
    (CampaignStatus.OPEN, CampaignStatus.CLOSED): PLANNER_ROLES,
    (CampaignStatus.CLOSED, CampaignStatus.OPEN): PLANNER_ROLES,
}
CAMPAIGN_FIELDS = ["title", "festival", "year", "node", "due_on", "criteria", "status"]
TASK_FIELDS = ["campaign", "person", "assignee", "status", "reason", "done_on"]
# Fields the planner may still change once the campaign is open (the roster rules are fixed by then).
OPEN_EDITABLE = ("title", "due_on")
BATCH_SIZE = 1000
REMINDER_DAYS = 7
COMMUNITY_KINDS = (OrgKind.COMMUNITY, OrgKind.STREET)


# --- who may do what ----------------------------------------------------------------------------------------------

def can_plan(scope):
    return scope is not None and scope.has(Perm.CARE_MANAGE) and scope.role in PLANNER_ROLES


def manages(scope, campaign):
    """The scope plans this campaign: a planner role at or above the campaign's organisation."""
    return can_plan(scope) and scope.contains_path(campaign.scope_path)


def supervises(scope, campaign):
    """The scope sees the whole campaign (every organisation's figures): it holds the campaign's organisation."""
    return scope is not None and scope.contains_path(campaign.scope_path)


def works_on(scope, task):
    """The scope may tick off the task: CARE_MANAGE at the visiting organisation or above it."""
    return scope is not None and scope.has(Perm.CARE_MANAGE) and scope.contains_path(task.assignee_path)


def own_tasks(scope):
    """The tasks of the organisations in the scope (a unit sees its own, not those of its retirees assigned to a
    community)."""
    if scope is None:
        return CampaignTask.objects.none()
    return CampaignTask.objects.visible_to(scope).filter(assignee_path__startswith=scope.path)


def moves(scope, campaign):
    """The states this scope may move the campaign to now."""
    return [to for (frm, to), roles in TRANSITIONS.items()
            if frm == campaign.status and scope is not None and scope.role in roles and manages(scope, campaign)]


def _require_planner(scope, campaign=None):
    if not can_plan(scope) or (campaign is not None and not manages(scope, campaign)):
        raise PermissionDenied


def _campaign_url(campaign):
    return reverse("care:campaign_detail", args=[campaign.pk])


def _unit_url(campaign, node_id):
    return f"{reverse('care:campaign_unit', args=[campaign.pk])}?unit={node_id}"


# --- planning -----------------------------------------------------------------------------------------------------

def clean_values(values, *, today=None):
    """The campaign's fields from a form or the API: title (default from the occasion), occasion, year, due date
    (the festival's day unless moved earlier), criteria. Raises ValidationError."""
    today = today or timezone.localdate()
    festival = values.get("festival") or Festival.SPRING
    if festival not in Festival.values:
        raise ValidationError({"festival": _("Choose the occasion.")})
    year = values.get("year")
    if not isinstance(year, int) or not rules.FIRST_YEAR <= year <= today.year + 1:
        raise ValidationError({"year": _("Choose a year from %(first)s to %(last)s.") % {
            "first": rules.FIRST_YEAR, "last": today.year + 1}})
    due_on = rules.clean_due_date(festival, year, values.get("due_on"))
    criteria = rules.clean_criteria(values.get("criteria"))
    title = (values.get("title") or "").strip()[:120] or default_title(festival, year)
    return {"title": title, "festival": festival, "year": year, "due_on": due_on, "criteria": criteria}


def default_title(festival, year):
    return (_("%(year)s %(occasion)s visits") % {"year": year, "occasion": Festival(festival).label})[:120]


@transaction.atomic
def create_campaign(*, actor, scope, node, values):
    """Plan a campaign (a draft) for ``node``, an organisation of the scope."""
    _require_planner(scope)
    if node is None or not scope.contains_path(node.path):
        raise PermissionDenied
    if node.is_closed:
        raise ValidationError({"node": _("%(node)s is closed.") % {"node": node.name}})
    cleaned = clean_values(values)
    campaign = VisitCampaign.objects.create(node=node, scope_path=node.path, created_by=actor, **cleaned)
    audit.record(AuditAction.CREATE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                 changes=audit.diff({}, audit.snapshot(campaign, CAMPAIGN_FIELDS)))
    return campaign


def _locked(campaign):
    return VisitCampaign.objects.select_for_update().select_related("node").get(pk=campaign.pk)


@transaction.atomic
def update_campaign(*, actor, scope, campaign, values):
    """Change a draft (everything but its organisation) or an open campaign (its title and due date)."""
    campaign = _locked(campaign)
    _require_planner(scope, campaign)
    if campaign.status == CampaignStatus.CLOSED:
        raise ValidationError(_("The campaign is closed: reopen it to change it."))
    if campaign.status == CampaignStatus.OPEN:
        kept = {"festival": campaign.festival, "year": campaign.year, "criteria": campaign.criteria}
        values = {**values, **kept}
    cleaned = clean_values(values)
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    names = list(cleaned) if campaign.status == CampaignStatus.DRAFT else list(OPEN_EDITABLE)
    for name in names:
        setattr(campaign, name, cleaned[name])
    campaign.save(update_fields=names)
    audit.record(AuditAction.UPDATE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                 changes=audit.diff(before, audit.snapshot(campaign, CAMPAIGN_FIELDS)))
    return campaign


@transaction.atomic
def delete_campaign(*, actor, scope, campaign):
    """Delete a draft (it has no tasks yet)."""
    campaign = _locked(campaign)
    _require_planner(scope, campaign)
    if campaign.status != CampaignStatus.DRAFT:
        raise ValidationError(_("Only a draft can be deleted; close the campaign instead."))
    audit.record(AuditAction.DELETE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                 changes=audit.snapshot(campaign, CAMPAIGN_FIELDS))
    campaign.delete()


def campaign_preview(campaign, *, newcomers_only=False):
    """Counts per group and per organisation of the roster (of those without a task yet when ``newcomers_only``)."""
    existing = CampaignTask.objects.filter(campaign=campaign).values("person_id") if newcomers_only else None
    return rules.preview(campaign.criteria, campaign.node, campaign.due_on, exclude_people=existing)


# --- the state machine ----------------------------------------------------------------------------------------------

def _move(campaign, frm, to, *, scope):
    """Lock the campaign and check the move ``frm`` → ``to`` (the state, then the role in use and the scope);
    returns the locked row."""
    campaign = _locked(campaign)
    roles = TRANSITIONS.get((campaign.status, to)) if campaign.status == frm else None
    if roles is None:
        raise ValidationError(_("The campaign is “%(state)s”: it cannot become “%(to)s” this way.") % {
            "state": CampaignStatus(campaign.status).label, "to": CampaignStatus(to).label})
    if scope is None or scope.role not in roles:
        raise PermissionDenied
    _require_planner(scope, campaign)
    return campaign


def _save_status(campaign, to, *, actor, detail=None):
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    campaign.status = to
    campaign.save(update_fields=["status"])
    audit.record(AuditAction.UPDATE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                 changes=audit.diff(before, audit.snapshot(campaign, CAMPAIGN_FIELDS)), detail=detail or {})


def _add_tasks(campaign):
    """Create the tasks of the people drawn who have none yet (bulk, never twice). {assignee id: count added}."""
    existing = CampaignTask.objects.filter(campaign=campaign).values("person_id")
    drawn = rules.draw(campaign.criteria, campaign.node, campaign.due_on, exclude_people=existing)
    CampaignTask.objects.bulk_create(
        (CampaignTask(campaign=campaign, person_id=person_id, assignee_id=node_id, assignee_path=path)
         for person_id, node_id, path in drawn), batch_size=BATCH_SIZE, ignore_conflicts=True)
    added = {}
    for _person, node_id, _path in drawn:
        added[node_id] = added.get(node_id, 0) + 1
    return added


@transaction.atomic
def open_campaign(*, actor, scope, campaign):
    """Draft → open: one task per person of the roster; each visiting organisation's administrators are told.
    Returns the number of tasks created."""
    campaign = _move(campaign, CampaignStatus.DRAFT, CampaignStatus.OPEN, scope=scope)
    added = _add_tasks(campaign)
    total = sum(added.values())
    if not total:
        raise ValidationError(_("Nobody within %(node)s matches the criteria: there is nobody to visit.") % {
            "node": campaign.node.name})
    _save_status(campaign, CampaignStatus.OPEN, actor=actor, detail={"tasks": total, "organisations": len(added)})
    _notify_assigned(campaign, added, opened=True)
    return total


@transaction.atomic
def redraw_roster(*, actor, scope, campaign):
    """Draw the roster of an open campaign again: tasks for the newcomers only (nobody twice). Returns how many."""
    campaign = _locked(campaign)
    _require_planner(scope, campaign)
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("The roster is drawn again only while the campaign is under way."))
    added = _add_tasks(campaign)
    total = sum(added.values())
    if total:
        audit.record(AuditAction.UPDATE, actor=actor, obj=campaign, scope_path=campaign.scope_path,
                     detail={"roster_redrawn": total, "organisations": len(added)})
        _notify_assigned(campaign, added, opened=False)
    return total


@transaction.atomic
def close_campaign(*, actor, scope, campaign):
    """Open → closed: the campaign becomes read-only; pending tasks stay pending (they show as not done)."""
    campaign = _move(campaign, CampaignStatus.OPEN, CampaignStatus.CLOSED, scope=scope)
    pending = CampaignTask.objects.filter(campaign=campaign, status=TaskStatus.PENDING).count()
    _save_status(campaign, CampaignStatus.CLOSED, actor=actor, detail={"pending_left": pending})
    return campaign


@transaction.atomic
def reopen_campaign(*, actor, scope, campaign):
    """Closed → open, by the planner: the organisations can tick off their tasks again."""
    campaign = _move(campaign, CampaignStatus.CLOSED, CampaignStatus.OPEN, scope=scope)
    _save_status(campaign, CampaignStatus.OPEN, actor=actor, detail={"reopened": True})
    return campaign


# --- notifications ------------------------------------------------------------------------------------------------

def admins_by_node(node_ids, *, day=None):
    """{node id: {account ids}}: the unit administrators of units, the community administrators of communities
    (one query for all the organisations)."""
    if not node_ids:
        return {}
    kinds = dict(OrgNode.objects.filter(pk__in=list(node_ids)).values_list("pk", "kind"))
    found = {}
    grants = RoleGrant.objects.active(day).filter(
        node_id__in=list(node_ids), role__in=[Role.UNIT_ADMIN, Role.COMMUNITY_ADMIN], user__is_active=True)
    for user_id, node_id, role in grants.values_list("user_id", "node_id", "role"):
        wanted = Role.COMMUNITY_ADMIN if kinds.get(node_id) in COMMUNITY_KINDS else Role.UNIT_ADMIN
        if role == wanted:
            found.setdefault(node_id, set()).add(user_id)
    return found


def _notify_assigned(campaign, added, *, opened):
    due = campaign.due_on.isoformat()
    for node_id, user_ids in admins_by_node(added).items():
        count = added[node_id]
        if opened:
            title = _("Visit campaign opened: %(title)s") % {"title": campaign.title}
        else:
            title = _("More people to visit: %(title)s") % {"title": campaign.title}
        body = ngettext("%(count)s person to visit by %(due)s. Tick off each visit on the list.",
                        "%(count)s people to visit by %(due)s. Tick off each visit on the list.",
                        count) % {"count": count, "due": due}
        notify(recipients=user_ids, title=title, body=body, url=_unit_url(campaign, node_id), obj=campaign)


def send_reminders(*, today=None):
    """Remind the organisations with pending tasks of each open campaign due within REMINDER_DAYS (once per
    campaign: the reminder is recorded in the audit trail). Returns the number of organisations reminded."""
    from yinfa.core.models import AuditEvent

    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=REMINDER_DAYS)
    campaigns = list(VisitCampaign.objects.filter(status=CampaignStatus.OPEN, due_on__gte=today,
                                                  due_on__lte=horizon).order_by("pk"))
    if not campaigns:
        return 0
    reminded = set(AuditEvent.objects.filter(
        object_type=VisitCampaign._meta.label_lower, object_id__in=[str(c.pk) for c in campaigns],
        action=AuditAction.SYSTEM, detail__reminder=True).values_list("object_id", flat=True))
    campaigns = [c for c in campaigns if str(c.pk) not in reminded]
    pending = {}
    for campaign_id, node_id, count in (CampaignTask.objects.filter(campaign__in=campaigns,
                                                                    status=TaskStatus.PENDING)
                                        .order_by().values_list("campaign_id", "assignee_id")
                                        .annotate(n=Count("pk"))):
        pending.setdefault(campaign_id, {})[node_id] = count
    admins = admins_by_node({node for by_node in pending.values() for node in by_node}, day=today)
    sent = 0
    for campaign in campaigns:
        by_node = pending.get(campaign.pk, {})
        days = (campaign.due_on - today).days
        with transaction.atomic():
            for node_id, count in by_node.items():
                if not admins.get(node_id):
                    continue
                notify(recipients=admins[node_id],
                       title=_("Visits due in %(days)s days: %(title)s") % {"days": days, "title": campaign.title},
                       body=ngettext("%(count)s person is still to visit by %(due)s.",
                                     "%(count)s people are still to visit by %(due)s.", count) % {
                           "count": count, "due": campaign.due_on.isoformat()},
                       url=_unit_url(campaign, node_id), obj=campaign)
                sent += 1
            audit.record(AuditAction.SYSTEM, actor=None, obj=campaign, scope_path=campaign.scope_path,
                         detail={"reminder": True, "organisations": len(by_node), "due_in_days": days})
    return sent


# --- the tasks ----------------------------------------------------------------------------------------------------

def _locked_task(task):
    return (CampaignTask.objects.select_for_update(of=("self",)).select_related("campaign", "person")
            .get(pk=task.pk))


def _require_open(task):
    if task.campaign.status != CampaignStatus.OPEN:
        raise ValidationError(_("The campaign is not under way: its list can no longer change."))


def _record_task(task, before, *, actor, detail=None):
    audit.record(AuditAction.UPDATE, actor=actor, obj=task, scope_path=task.assignee_path, personal_data=True,
                 changes=audit.diff(before, audit.snapshot(task, TASK_FIELDS)), detail=detail or {})


@transaction.atomic
def skip_task(*, actor, scope, task, reason):
    """Mark a pending task "not visited" with a reason (in hospital, away, declined …)."""
    task = _locked_task(task)
    if not works_on(scope, task):
        raise PermissionDenied
    _require_open(task)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the person was not visited.")})
    if task.status != TaskStatus.PENDING:
        raise ValidationError(_("Only a person still to visit can be marked “not visited”."))
    before = audit.snapshot(task, TASK_FIELDS)
    task.status, task.reason = TaskStatus.SKIPPED, reason[:200]
    task.save(update_fields=["status", "reason"])
    _record_task(task, before, actor=actor)
    return task


@transaction.atomic
def unskip_task(*, actor, scope, task):
    """Undo "not visited": the person is to visit again."""
    task = _locked_task(task)
    if not works_on(scope, task):
        raise PermissionDenied
    _require_open(task)
    if task.status != TaskStatus.SKIPPED:
        raise ValidationError(_("Only a task marked “not visited” can be undone."))
    before = audit.snapshot(task, TASK_FIELDS)
    task.status, task.reason = TaskStatus.PENDING, ""
    task.save(update_fields=["status", "reason"])
    _record_task(task, before, actor=actor)
    return task


@transaction.atomic
def complete_task(*, actor, scope, task, visit):
    """A visit was recorded for the task: mark it done on the visit's day (also a task marked "not visited": the
    person was visited after all). Called by the visit service inside its transaction. Refuses a task of a campaign
    not under way, a visit of another person, a task already done, a task outside the scope."""
    task = _locked_task(task)
    if scope is None or not scope.has(Perm.CARE_MANAGE) or not (
            CampaignTask.objects.visible_to(scope).filter(pk=task.pk).exists()):
        raise PermissionDenied
    _require_open(task)
    if visit.person_id != task.person_id:
        raise ValidationError({"task": _("The visit is of another person than the task.")})
    if task.status == TaskStatus.DONE:
        raise ValidationError({"task": _("%(name)s is already ticked off as visited in this campaign.") % {
            "name": task.person.name}})
    before = audit.snapshot(task, TASK_FIELDS)
    task.status, task.done_on, task.reason = TaskStatus.DONE, visit.visited_on, ""
    task.save(update_fields=["status", "done_on", "reason"])
    _record_task(task, before, actor=actor, detail={"visit": visit.pk})
    return task


@transaction.atomic
def reopen_task(*, actor, scope, task):
    """The inverse of ``complete_task``: the visit that ticked the task off was deleted, so the person is to visit
    again (pending, no day). Called by the visit service inside its transaction, after the visit is gone. Refuses a
    task of a campaign not under way, a task not done, a task still ticked off by a visit, a task outside the scope."""
    from yinfa.care.models import Visit

    task = _locked_task(task)
    if scope is None or not scope.has(Perm.CARE_MANAGE) or not (
            CampaignTask.objects.visible_to(scope).filter(pk=task.pk).exists()):
        raise PermissionDenied
    _require_open(task)
    if task.status != TaskStatus.DONE:
        raise ValidationError({"task": _("Only a task ticked off as visited can be reopened.")})
    if Visit.objects.filter(task=task).exists():
        raise ValidationError({"task": _("A visit still ticks off this task.")})
    before = audit.snapshot(task, TASK_FIELDS)
    task.status, task.done_on, task.reason = TaskStatus.PENDING, None, ""
    task.save(update_fields=["status", "done_on", "reason"])
    _record_task(task, before, actor=actor, detail={"reopened": True})
    return task


# --- coverage -----------------------------------------------------------------------------------------------------

def rate(done, planned):
    return round(done * 100 / planned) if planned else 0


@dataclass
class CoverageRow:
    node_id: int | None
    name: str
    planned: int = 0
    done: int = 0
    skipped: int = 0

    @property
    def pending(self):
        return self.planned - self.done - self.skipped

    @property
    def percent(self):
        return rate(self.done, self.planned)


@dataclass
class Coverage:
    rows: list = field(default_factory=list)
    total: CoverageRow = field(default_factory=lambda: CoverageRow(None, ""))


SORTS = {
    "name": lambda row: (row.name, row.node_id),
    "percent": lambda row: (row.percent, row.name),
    "-percent": lambda row: (-row.percent, row.name),
    "pending": lambda row: (-row.pending, row.name),
}


def coverage(campaign, scope, *, sort="name"):
    """Planned / done / not visited / % per visiting organisation of the scope, with the totals (one query)."""
    rows = (own_tasks(scope).filter(campaign=campaign).order_by().values("assignee_id", "assignee__name")
            .annotate(planned=Count("pk"), done=Count("pk", filter=Q(status=TaskStatus.DONE)),
                      skipped=Count("pk", filter=Q(status=TaskStatus.SKIPPED))))
    result = Coverage()
    for row in rows:
        line = CoverageRow(row["assignee_id"], row["assignee__name"], row["planned"], row["done"], row["skipped"])
        result.rows.append(line)
        result.total.planned += line.planned
        result.total.done += line.done
        result.total.skipped += line.skipped
    result.rows.sort(key=SORTS.get(sort, SORTS["name"]))
    return result


@transaction.atomic
def record_export(*, actor, scope, campaign, part, filters, rows):
    """Audit an Excel export of a campaign's coverage or task list (names of people: personal data)."""
    if scope is None or not scope.has(Perm.CARE_VIEW):
        raise PermissionDenied
    audit.record(AuditAction.EXPORT, actor=actor, obj=campaign, scope_path=scope.path,
                 personal_data=part == "tasks", detail={"part": part, "filters": filters, "rows": rows})
