"""Arrears alerts, sent by the daily task: a member reaching 3 unpaid months → the branch secretaries are told;
reaching 5 → an escalation to the work-committee administrators above the branch (before the six-month line,
where not paying without reason counts as leaving the party).

A run of unpaid months is known by its oldest month; each level is sent once per run (an ``ArrearsAlert``
row, unique per person, level and oldest month). A branch without a secretary account has its warnings sent to
the work committee instead.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yinfa.core.models import RoleGrant
from yinfa.core.permissions import Role
from yinfa.core.scope import ancestor_paths
from yinfa.core.services.notifications import notify
from yinfa.dues.models import AlertLevel, ArrearsAlert
from yinfa.dues.rules import ESCALATION_MONTHS, WARNING_MONTHS, month_key
from yinfa.dues.selectors import arrears
from yinfa.partylife.models import Branch

CHUNK = 500
NAMES_SHOWN = 20


def _levels(row):
    if row.count >= ESCALATION_MONTHS:
        return [AlertLevel.WARNING, AlertLevel.ESCALATION]
    return [AlertLevel.WARNING] if row.count >= WARNING_MONTHS else []


def _recipients(branches, day):
    """({branch id: secretaries' account ids}, {branch id: committee administrators' account ids})."""
    secretaries, committee = defaultdict(set), defaultdict(set)
    for node_id, user_id in (RoleGrant.objects.active(day).filter(role=Role.BRANCH_SECRETARY, user__is_active=True,
                                                                  node_id__in=list(branches))
                             .values_list("node_id", "user_id")):
        secretaries[node_id].add(user_id)
    paths = {p for branch in branches.values() for p in ancestor_paths(branch["path"])}
    by_path = defaultdict(set)
    for path, user_id in (RoleGrant.objects.active(day).filter(role=Role.COMMITTEE_ADMIN, user__is_active=True,
                                                               node__path__in=paths)
                          .values_list("node__path", "user_id")):
        by_path[path].add(user_id)
    for pk, branch in branches.items():
        committee[pk] = set().union(*(by_path.get(p, set()) for p in ancestor_paths(branch["path"])))
    return secretaries, committee


def _body(rows):
    lines = [_("%(name)s: %(count)s months unpaid since %(month)s") % {
        "name": row.name, "count": row.count, "month": month_key(row.oldest)} for row in rows[:NAMES_SHOWN]]
    if len(rows) > NAMES_SHOWN:
        lines.append(_("and %(more)s more") % {"more": len(rows) - NAMES_SHOWN})
    return "\n".join(lines)


def _send(level, branch, rows, recipients):
    url = reverse("dues:branch", args=[branch["pk"]])
    if level == AlertLevel.WARNING:
        title = ngettext("Party dues: %(count)s member of %(branch)s is %(months)s months or more behind",
                         "Party dues: %(count)s members of %(branch)s are %(months)s months or more behind",
                         len(rows)) % {"count": len(rows), "branch": branch["name"], "months": WARNING_MONTHS}
        body = _body(rows)
    else:
        title = ngettext(
            "Party dues escalated: %(count)s member of %(branch)s is %(months)s months or more behind",
            "Party dues escalated: %(count)s members of %(branch)s are %(months)s months or more behind",
            len(rows)) % {"count": len(rows), "branch": branch["name"], "months": ESCALATION_MONTHS}
        body = _body(rows) + "\n" + _("Six months unpaid without good reason counts as leaving the party: talk "
                                      "with the members and the branch now.")
    notify(recipients=recipients, title=title, body=body, url=url)


@transaction.atomic
def _alert_chunk(branch_ids, day):
    rows = arrears(branch_ids=branch_ids, today=day, min_months=WARNING_MONTHS)
    if not rows:
        return 0, 0
    existing = set(ArrearsAlert.objects.filter(person_id__in=[row.person_id for row in rows])
                   .values_list("person_id", "level", "since_month"))
    new_alerts, due = [], defaultdict(list)  # (branch id, level) -> rows
    for row in rows:
        for level in _levels(row):
            if (row.person_id, level, row.oldest) not in existing:
                new_alerts.append(ArrearsAlert(person_id=row.person_id, level=level, since_month=row.oldest))
                due[(row.branch_id, level)].append(row)
    if not new_alerts:
        return 0, 0
    ArrearsAlert.objects.bulk_create(new_alerts, ignore_conflicts=True)
    branches = {row["pk"]: row for row in Branch.objects.filter(pk__in={b for b, _level in due})
                .values("pk", "path", name=F("node__name"))}
    secretaries, committee = _recipients(branches, day)
    for (branch_id, level), members in sorted(due.items(), key=lambda item: (item[0][0], item[0][1])):
        branch = branches[branch_id]
        if level == AlertLevel.WARNING:
            recipients = secretaries.get(branch_id) or committee.get(branch_id, set())
        else:
            recipients = committee.get(branch_id, set())
        if recipients:
            _send(level, branch, members, recipients)
    warnings = sum(1 for alert in new_alerts if alert.level == AlertLevel.WARNING)
    return warnings, len(new_alerts) - warnings


def send_arrears_alerts(*, today, branch_ids=None):
    """Check every branch (or the given ones) a chunk at a time; returns {"warnings": n, "escalations": n}."""
    branches = Branch.objects.order_by("path").values_list("pk", flat=True)
    if branch_ids is not None:
        branches = branches.filter(pk__in=list(branch_ids))
    ids = list(branches)
    warnings = escalations = 0
    for start in range(0, len(ids), CHUNK):
        sent = _alert_chunk(ids[start:start + CHUNK], today)
        warnings += sent[0]
        escalations += sent[1]
    return {"warnings": warnings, "escalations": escalations}
