"""Reads of party dues, always within a scope: by the branch's path (the branch records the dues) or, for a
member's own rows, by the person's anchors."""

from django.db import models

from yinfa.core.scope import scoped
from yinfa.people.querysets import PERSON_ANCHORS


class PensionBaseQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, *PERSON_ANCHORS)


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "branch_path", *PERSON_ANCHORS)


class PaymentQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, "branch_path", *PERSON_ANCHORS)
