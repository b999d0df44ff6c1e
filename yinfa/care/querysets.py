"""Reads of care, always within a scope: every row belongs to a person and is visible when the person is (one of
their four anchors lies in the scope: a community sees its residents', a unit its retirees'). Campaigns are visible
to the organisations inside their node and above it; a campaign task also to the organisation it is assigned to."""

from django.db import models
from django.db.models import Q

from yinfa.core.scope import scope_condition, scoped

PERSON_ANCHORS = ("person__unit_path", "person__branch_path", "person__community_path", "person__registered_path")


def ancestor_paths(path):
    parts = [part for part in path.strip("/").split("/") if part]
    return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


class PersonRowQuerySet(models.QuerySet):
    """Rows of a person (visits, aid applications, care assignments, contacts, escalations)."""

    def visible_to(self, scope):
        return scoped(self, scope, *PERSON_ANCHORS)


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, scope):
        if scope is None:
            return self.none()
        return self.filter(scope_condition(scope, "scope_path") | Q(scope_path__in=ancestor_paths(scope.path)))


class CampaignTaskQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "assignee_path", *PERSON_ANCHORS)


class PolicyQuerySet(models.QuerySet):
    def visible_to(self, scope):
        if scope is None:
            return self.none()
        return self.filter(scope_condition(scope, "node_path") | Q(node_path__in=ancestor_paths(scope.path)))
