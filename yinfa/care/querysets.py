"""Reads of care, always within a scope: every row belongs to a person and is visible when the person is (one of
their four anchors lies in the scope: a community sees its residents', a unit its retirees'). Campaigns are visible
to the organisations inside their node and above it; a campaign task also to the organisation it is assigned to."""

from django.db import models

from yinfa.core.scope import above_or_within, scoped
from yinfa.people.querysets import PERSON_ANCHORS


class PersonRowQuerySet(models.QuerySet):
    """Rows of a person (visits, aid applications, care assignments, contacts, escalations)."""

    def visible_to(self, scope):
        return scoped(self, scope, *PERSON_ANCHORS)


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, scope):
        condition = above_or_within(scope, "scope_path")
        return self.none() if condition is None else self.filter(condition)


class CampaignTaskQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "assignee_path", *PERSON_ANCHORS)


class PolicyQuerySet(models.QuerySet):
    def visible_to(self, scope):
        condition = above_or_within(scope, "node_path")
        return self.none() if condition is None else self.filter(condition)


def hospital_stays(scope):
    """Hospital stays (the person file's life events of kind hospital) of the people in the scope."""
    from yinfa.people.models import LifeEvent, LifeEventKind

    return scoped(LifeEvent.objects.filter(kind=LifeEventKind.HOSPITAL), scope, *PERSON_ANCHORS)
