"""Compliance with the rules of organisational life: storing the results, the rules, the export audit, reminders.

``refresh`` rebuilds a whole year: on PostgreSQL with an aggregate into a temporary table and one
``INSERT … SELECT … ON CONFLICT`` writing only the rows that changed (``compliance_sql``); elsewhere with one
aggregate statement over the meetings (``compliance_masks.held_by_branch``), the masks combined in Python and bulk
upserts. ``refresh_branch`` recomputes one branch after a meeting is saved (four queries); ``compute_branch`` is
the same calculation, not stored. Rules are edited with ``save_rule`` (audited; a change that affects the results
recomputes the year in a background job). ``send_reminders`` tells secretaries what is still missing ten days
before a period ends.
"""

import datetime
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yinfa.core import audit
from yinfa.core.models import AuditAction, Notification, OrgKind, RoleGrant
from yinfa.core.permissions import Perm, Role
from yinfa.core.services.jobs import start_job
from yinfa.partylife.models import (
    Branch,
    BranchCompliance,
    BranchKind,
    ComplianceReminder,
    ComplianceRule,
    Meeting,
    MeetingKind,
)
from yinfa.partylife.periods import Frequency, period_bounds, period_index, period_label
from yinfa.partylife.services.compliance_masks import (
    GROUP_MEETING,
    Combiner,
    RuleSpec,
    has_groups,
    held_by_branch,
    held_from_meetings,
    open_in_year,
    rules_in_force,
)
from yinfa.partylife.services.compliance_sql import refresh_postgresql

WRITE_BATCH = 5000
RESULT_FIELDS = ["branch_path", "expected", "held", "on_time", "detail", "computed_at"]


# --- refreshing ---------------------------------------------------------------------------------------------------

def _year_branches(year, branch_ids=None):
    """(pk, path, kind, opened_on, closed_on, has groups) of the branches open for some day of ``year``."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    branches = Branch.objects.filter(Q(node__opened_on__isnull=True) | Q(node__opened_on__lte=last),
                                     Q(node__closed_on__isnull=True) | Q(node__closed_on__gt=first))
    if branch_ids is not None:
        branches = branches.filter(pk__in=branch_ids)
    return branches.annotate(with_groups=has_groups()).order_by("pk").values_list(
        "pk", "path", "kind", "node__opened_on", "node__closed_on", "with_groups")


def _write(results, year, branch_ids, now, progress):
    stale = BranchCompliance.objects.filter(year=year)
    if branch_ids is not None:
        stale = stale.filter(branch_id__in=branch_ids)
    stale.delete()  # one DELETE: nothing cascades from these rows
    batch = []
    for branch_id, path, expected, held, on_time, detail in results:
        batch.append(BranchCompliance(branch_id=branch_id, year=year, branch_path=path, expected=expected,
                                      held=held, on_time=on_time, detail=detail, computed_at=now))
        if len(batch) >= WRITE_BATCH:
            _upsert(batch)
            if progress is not None:
                progress.advance(len(batch))
            batch = []
    _upsert(batch)
    if progress is not None:
        progress.advance(len(batch))


def _upsert(rows):
    if rows:
        BranchCompliance.objects.bulk_create(rows, update_conflicts=True, unique_fields=["branch", "year"],
                                             update_fields=RESULT_FIELDS)


def refresh(*, year, today=None, branch_ids=None, progress=None):
    """Recompute the compliance rows of ``year`` (of all branches, or of ``branch_ids``). Returns figures.

    Rows of branches not open at all in the year are removed. On PostgreSQL a few statements do it all and write
    only the rows that changed (``compliance_sql``); elsewhere one aggregate statement, the masks combined in Python
    and bulk upserts.
    ``progress`` (optional) is a ``yinfa.core.services.jobs.Progress``, advanced as rows are written.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    rules = rules_in_force()
    branch_ids = None if branch_ids is None else list(branch_ids)
    figures = {"year": year, "branches": 0, "expected": 0, "held": 0, "on_time": 0}
    if connection.vendor == "postgresql":
        with transaction.atomic():
            figures.update(refresh_postgresql(rules, year, today, branch_ids))
        if progress is not None:
            progress.advance(figures["branches"])
        figures["seconds"] = round(time.perf_counter() - started, 3)
        return figures
    combine = Combiner(rules, year, today)

    def results(branches, held_rows, decode):
        for pk, path, kind, opened_on, closed_on, with_groups in branches:
            raw = held_rows.get(pk)
            expected, held, on_time, detail = combine(kind, opened_on, closed_on,
                                                      None if raw is None else decode(raw), with_groups)
            figures["branches"] += 1
            figures["expected"] += expected
            figures["held"] += held
            figures["on_time"] += on_time
            yield pk, path, expected, held, on_time, detail

    with transaction.atomic():
        held_rows, decode = held_by_branch(rules, year, branch_ids)
        branches = _year_branches(year, branch_ids).iterator(chunk_size=WRITE_BATCH)
        _write(results(branches, held_rows, decode), year, branch_ids, timezone.now(), progress)
    figures["seconds"] = round(time.perf_counter() - started, 3)
    return figures


def compute_branch(*, branch_id, year, today=None, rules=None):
    """The result of one branch, computed now and not stored: a dict with the branch's path, totals and detail
    (as stored in ``BranchCompliance``), or None when the branch was not open in the year. Two queries (three
    without ``rules``)."""
    today = today or timezone.localdate()
    rules = rules_in_force() if rules is None else rules
    row = Branch.objects.filter(pk=branch_id).annotate(with_groups=has_groups()).values_list(
        "path", "kind", "node__opened_on", "node__closed_on", "with_groups").first()
    if row is None:
        return None
    path, kind, opened_on, closed_on, with_groups = row
    if not open_in_year(year, opened_on, closed_on):
        return None
    meetings = (Meeting.objects.filter(branch_id=branch_id, counts_year=year, qualifies=True)
                .values_list("kind", "counts_month", "days_after_month", "days_after_quarter", "days_after_year"))
    held = held_from_meetings(rules, meetings)
    expected, held_count, on_time, detail = Combiner(rules, year, today)(kind, opened_on, closed_on, held,
                                                                         with_groups)
    return {"path": path, "expected": expected, "held": held_count, "on_time": on_time, "detail": detail}


def refresh_branch(*, branch, year, today=None):
    """Recompute and store the row of one branch for ``year`` (called after every meeting is saved).

    ``branch`` is a Branch (or its primary key). Four queries; safe against a concurrent refresh (an upsert).
    Returns the result (see ``compute_branch``), or None when the branch was not open in the year.
    """
    branch_id = getattr(branch, "pk", branch)
    with transaction.atomic():
        result = compute_branch(branch_id=branch_id, year=year, today=today)
        if result is None:
            BranchCompliance.objects.filter(branch_id=branch_id, year=year).delete()
            return None
        _upsert([BranchCompliance(branch_id=branch_id, year=year, branch_path=result["path"],
                                  expected=result["expected"], held=result["held"], on_time=result["on_time"],
                                  detail=result["detail"])])
    return result


def years_to_refresh(today):
    """The current year, and the previous one in January (its last periods fall due then)."""
    return [today.year - 1, today.year] if today.month == 1 else [today.year]


# --- rules --------------------------------------------------------------------------------------------------------

RULE_FIELDS = ("name", "meeting_kind", "frequency", "branch_kinds", "grace_days", "active")
# Changing these changes the results; a new name alone does not.
RESULT_AFFECTING = ("meeting_kind", "frequency", "branch_kinds", "grace_days", "active")
MAX_GRACE_DAYS = 90
RULES_EDITED_FROM_DEPTH = 1  # the county level or above (the rules hold for the whole database)


def may_edit_rules(scope):
    """Rules are edited from a county (or higher) scope with PARTY_MANAGE, or by a work committee (工委) directly
    under a county."""
    if scope is None or not scope.has(Perm.PARTY_MANAGE):
        return False
    if scope.depth <= RULES_EDITED_FROM_DEPTH:
        return True
    return scope.role == Role.COMMITTEE_ADMIN and scope.depth <= RULES_EDITED_FROM_DEPTH + 1


def _clean_rule(values):
    values = {name: values[name] for name in RULE_FIELDS if name in values}
    errors = {}
    if not str(values.get("name", "")).strip():
        errors["name"] = _("Give the rule a name.")
    if values.get("meeting_kind") not in MeetingKind.values:
        errors["meeting_kind"] = _("Choose a meeting type.")
    if values.get("frequency") not in Frequency.values:
        errors["frequency"] = _("Choose how often the meeting is required.")
    kinds = list(values.get("branch_kinds") or [])
    if any(kind not in BranchKind.values for kind in kinds):
        errors["branch_kinds"] = _("Choose branch kinds from the list.")
    grace = values.get("grace_days", 0)
    if not isinstance(grace, int) or not 0 <= grace <= MAX_GRACE_DAYS:
        errors["grace_days"] = _("Days of grace must be between 0 and %(max)s.") % {"max": MAX_GRACE_DAYS}
    if errors:
        raise ValidationError(errors)
    values["name"] = values["name"].strip()
    values["branch_kinds"] = sorted(set(kinds))
    values["active"] = bool(values.get("active", True))
    return values


def start_refresh_job(*, actor, scope, years, reason=""):
    """Recompute the given years in the background (a job the actor can follow); returns the job."""
    from yinfa.partylife.tasks_compliance import refresh_compliance_job

    years = sorted(set(years))
    title = _("Recompute compliance %(years)s") % {"years": ", ".join(str(y) for y in years)}
    if reason:
        title = f"{title}: {reason}"
    return start_job(actor=actor, scope=scope, kind="compliance_refresh", title=title[:200],
                     task=refresh_compliance_job, params={"years": years, "grant_id": scope.grant_id})


@transaction.atomic
def save_rule(*, actor, scope, rule=None, today=None, **values):
    """Create (``rule=None``) or change a rule, audited; when the change affects the results, the current year
    is recomputed in the background. Returns (rule, job or None)."""
    if not may_edit_rules(scope):
        raise PermissionDenied
    values = _clean_rule(values)
    creating = rule is None
    if creating:
        rule = ComplianceRule(sort_order=(ComplianceRule.objects.aggregate(top=Max("sort_order"))["top"] or 0) + 1)
        before = {}
    else:
        rule = ComplianceRule.objects.select_for_update().get(pk=rule.pk)
        before = audit.snapshot(rule, fields=RULE_FIELDS)
    for name, value in values.items():
        setattr(rule, name, value)
    rule.updated_by = actor
    rule.save()
    after = audit.snapshot(rule, fields=RULE_FIELDS)
    changes = audit.diff(before, after)
    if not changes:
        return rule, None
    audit.record(AuditAction.CREATE if creating else AuditAction.UPDATE, actor=actor, obj=rule, changes=changes,
                 scope_path=scope.path)
    job = None
    if creating or any(name in changes for name in RESULT_AFFECTING):
        job = start_refresh_job(actor=actor, scope=scope, years=years_to_refresh(today or timezone.localdate()),
                                reason=rule.name)
    return rule, job


# --- export ---------------------------------------------------------------------------------------------------

@transaction.atomic
def record_export(*, actor, scope, node, year, rows):
    """Audit a compliance export downloaded at once (larger ones are audited by ``start_export``)."""
    if scope is None or not scope.has(Perm.PARTY_VIEW):
        raise PermissionDenied
    audit.record(AuditAction.EXPORT, actor=actor, object_type=BranchCompliance._meta.label_lower,
                 object_repr=f"{node.name} {year}"[:200], scope_path=scope.path,
                 detail={"filters": {"node": node.pk, "year": year}, "rows": rows})


# --- reminders ---------------------------------------------------------------------------------------------------

REMINDER_DAYS = 10


def _unheld_branches(rule, today):
    """(period index, last day, [(branch id, name)]) of the open branches the rule applies to whose current period
    ends within REMINDER_DAYS without a qualifying meeting and that were not reminded yet (one query)."""
    index = period_index(rule.frequency, today.month)
    first, last = period_bounds(rule.frequency, today.year, index)
    if (last - today).days > REMINDER_DAYS:
        return index, last, []
    held = Meeting.objects.filter(counts_year=today.year, counts_month__gte=first.month,
                                  counts_month__lte=last.month, kind=rule.meeting_kind, qualifies=True)
    reminded = ComplianceReminder.objects.filter(rule_id=rule.id, year=today.year, period=index)
    branches = Branch.objects.open_on(today).exclude(pk__in=held.values("branch_id")).exclude(
        pk__in=reminded.values("branch_id"))
    if rule.branch_kinds:
        branches = branches.filter(kind__in=rule.branch_kinds)
    if rule.meeting_kind == GROUP_MEETING:
        branches = branches.filter(has_groups())
    return index, last, list(branches.order_by("pk").values_list("pk", "node__name"))


def send_reminders(*, today=None):
    """Tell the secretaries of each branch whose required meeting of the current period is not held yet, ten days
    before the period ends (once per branch, rule and period): one notification per branch listing what is missing.
    A constant number of queries per rule, then a few bulk inserts."""
    today = today or timezone.localdate()
    rules = {rule.pk: rule for rule in ComplianceRule.objects.filter(active=True).order_by("sort_order", "pk")}
    missing = {}  # branch id -> [(rule, period index, last day)]
    names = {}
    for rule in rules.values():
        index, last, branches = _unheld_branches(RuleSpec.of(rule), today)
        for branch_id, name in branches:
            missing.setdefault(branch_id, []).append((rule, index, last))
            names[branch_id] = name
    figures = {"branches": 0, "notifications": 0, "reminders": 0}
    if not missing:
        return figures
    secretaries = {}
    for node_id, user_id in (RoleGrant.objects.active(today).filter(role=Role.BRANCH_SECRETARY, user__is_active=True,
                                                                    node__kind=OrgKind.BRANCH)
                             .values_list("node_id", "user_id")):
        if node_id in missing:
            secretaries.setdefault(node_id, set()).add(user_id)
    reminders, notifications = [], []
    for branch_id, items in missing.items():
        recipients = secretaries.get(branch_id)
        if not recipients:
            continue  # nobody to tell: a secretary appointed later in the window is still reminded
        url = reverse("partylife:compliance_branch", args=[branch_id]) + f"?year={today.year}"
        what = "；".join(f"{period_label(rule.frequency, today.year, index)} {rule.get_meeting_kind_display()}"
                        for rule, index, _last in items)
        ends = min(last for _rule, _index, last in items)
        title = _("Required meetings not yet held: %(branch)s") % {"branch": names[branch_id]}
        body = _("Not yet recorded: %(what)s. The period ends on %(date)s; record the meeting with its attendance "
                 "and minutes so that it counts.") % {"what": what, "date": f"{ends:%Y-%m-%d}"}
        for rule, index, _last in items:
            reminders.append(ComplianceReminder(branch_id=branch_id, rule=rule, year=today.year, period=index))
        for user_id in sorted(recipients):
            notifications.append(Notification(recipient_id=user_id, title=title[:200], body=body, url=url[:300],
                                              object_type=Branch._meta.label_lower, object_id=str(branch_id)))
        figures["branches"] += 1
    with transaction.atomic():
        ComplianceReminder.objects.bulk_create(reminders, batch_size=WRITE_BATCH, ignore_conflicts=True)
        Notification.objects.bulk_create(notifications, batch_size=WRITE_BATCH)
    figures["notifications"] = len(notifications)
    figures["reminders"] = len(reminders)
    return figures
