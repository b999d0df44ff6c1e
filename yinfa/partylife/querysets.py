"""Reads of party life, always within a scope (through ``yinfa.core.scope.scoped``, the one scoping function).

- Branches, meetings, attendance, compliance rows and branch assessments: by the branch's tree path. A branch
  secretary (role at the branch) sees that branch; a community sees the branches under it; a county all of its.
- Memberships and community registrations: by the branch or community path, or by the person's own anchors (a
  unit sees the memberships of its retirees wherever they are held; a community those registered with it).
- Assessment rounds and templates: those of the scope's subtree and those of the organisations above it (a
  branch takes part in its county's round).
"""

import datetime

from django.db import models
from django.db.models import Q

from yinfa.core.scope import above_or_within, scoped
from yinfa.people.querysets import PERSON_ANCHORS


class BranchQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "path")

    def open_on(self, day: datetime.date):
        return self.filter(Q(node__opened_on__isnull=True) | Q(node__opened_on__lte=day),
                           Q(node__closed_on__isnull=True) | Q(node__closed_on__gt=day))

    def with_warnings(self, today: datetime.date):
        """Branches with something to act on (the conditions of ``warnings_for``), as one filter."""
        from yinfa.partylife.models.branch import COMMITTEE_FROM, MAX_MEMBERS, MIN_FULL_MEMBERS, TERM_WARNING_DAYS

        soon = today + datetime.timedelta(days=TERM_WARNING_DAYS)
        return self.filter(
            Q(full_members__lt=MIN_FULL_MEMBERS) | Q(full_members__gt=MAX_MEMBERS)
            | Q(full_members__gte=COMMITTEE_FROM, has_committee=False)
            | Q(term_ends_on__lte=soon)
        )


class CommitteeTermQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "branch__path")

    def current(self):
        return self.filter(ended_on__isnull=True)


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "branch_path", *PERSON_ANCHORS)

    def open(self):
        return self.filter(ended_on__isnull=True)

    def organisational(self):
        from yinfa.partylife.models.membership import Relation

        return self.filter(relation=Relation.ORGANISATIONAL)

    def active_on(self, day: datetime.date):
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day), started_on__lte=day)


class RegistrationQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "community_path", *PERSON_ANCHORS)

    def open(self):
        return self.filter(ended_on__isnull=True)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "branch_path")


class AttendanceQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "meeting__branch_path")


class ComplianceQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "branch_path")


class RoundQuerySet(models.QuerySet):
    def visible_to(self, scope):
        condition = above_or_within(scope, "scope_path")
        return self.none() if condition is None else self.filter(condition)


class BranchAssessmentQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "branch_path")


def templates_visible_to(scope):
    from yinfa.partylife.models import AssessmentTemplate

    condition = above_or_within(scope, "node_path")
    return AssessmentTemplate.objects.none() if condition is None else AssessmentTemplate.objects.filter(condition)
