"""Reads of the needs app, always within a scope.

Orders and wishes belong to a person and are visible when the person is (one of their four anchors lies in the
scope: a community sees its residents', a unit its retirees'). An order is also visible to the organisation
handling it, and to the volunteer it is assigned to (``assigned_to_me``). The resource list, the service menu and
the project list belong to an organisation and are seen inside it and from above; the wish wall of an
organisation is seen by everyone inside it and above it (``on_wall_for``)."""

from django.db import models
from django.db.models import Q

from yinfa.core.scope import above_or_within, scope_condition, scoped
from yinfa.people.querysets import PERSON_ANCHORS


def _within_or_above(queryset, scope, column):
    condition = above_or_within(scope, column)
    return queryset.none() if condition is None else queryset.filter(condition)


class OwnedByNodeQuerySet(models.QuerySet):
    """Resources, menu items and projects: an organisation's list, seen inside it and from above."""

    def visible_to(self, scope):
        return _within_or_above(self, scope, "node_path")

    def active(self):
        return self.filter(active=True)


class OrderQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Orders handled inside the scope or of a person visible in it. The person part is a subquery of
        ``Person.objects.visible_to`` (four indexed prefix scans) rather than an OR across the join, which the
        planner can only answer by scanning every person (bench/care.py: 350 ms → 60 ms at 200,000 people)."""
        condition = scope_condition(scope, "handler_path")
        if condition is None:
            return self.none()
        from yinfa.people.models import Person  # read at call time: this module is loaded with the models

        return self.filter(condition | Q(person__in=Person.objects.visible_to(scope).values("pk")))

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def of_person(self, person):
        return self.filter(person=person)


class WishQuerySet(models.QuerySet):
    def visible_to(self, scope):
        """Staff: wishes of the people in their scope."""
        return scoped(self, scope, *PERSON_ANCHORS)

    def on_wall_for(self, scope):
        """Wishes of the walls at the scope's node, above it or inside it (any status: the wall's reads in
        ``services/wish_reads.py`` keep the published and the claimed ones)."""
        condition = above_or_within(scope, "wall_path")
        if condition is None:
            return self.none()
        return self.filter(condition)


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, scope):
        condition = scope_condition(scope, *(f"wish__{p}" for p in PERSON_ANCHORS))
        wall = above_or_within(scope, "wish__wall_path")
        if condition is None:
            return self.none()
        return self.filter(condition | wall)

    def by(self, user):
        return self.filter(Q(claimant=user))
