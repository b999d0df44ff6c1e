"""Care policies: who must be contacted, and how often.

The defaults apply everywhere: 独居 (lives alone), 不能自理 (cannot look after themselves) or aged 90 and over →
every 7 days; 空巢 (empty nest) → every 14 days. An organisation may override a condition for itself and everything
below it (a ``CarePolicy`` row at its node: another interval, or the condition switched off). For a person, the
place that counts is their community of residence (else their former unit): for each condition, the row nearest to
that place on its path wins; no row → the default.

A person is **vulnerable** (matches a policy) when alive and one condition in force holds for them; their interval is
the smallest among the matching conditions. The same rule is applied in Python (one person, ``PolicySet.effective``)
and in SQL (lists and jobs, ``PolicySet.interval_expression``), both built from the same rows.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Least
from django.utils.translation import gettext as _

from yinfa.care.models import CareAssignment, CarePolicy, Condition
from yinfa.core.permissions import Role
from yinfa.core.scope import ancestor_paths
from yinfa.people.models import LivingStatus, Person, SelfCare

DEFAULT_INTERVALS = {
    Condition.ALONE: 7,
    Condition.DEPENDENT: 7,
    Condition.AGED_90: 7,
    Condition.EMPTY_NEST: 14,
}
CONDITIONS = tuple(DEFAULT_INTERVALS)
MIN_INTERVAL, MAX_INTERVAL = 1, 60
OLD_AGE = 90
# Who sets the policy of their organisation.
EDITING_ROLES = frozenset({Role.BUREAU_ADMIN, Role.COMMUNITY_ADMIN})
# The interval of "no condition in force" in SQL (larger than any real interval).
NEVER = 10_000


def born_on_or_before_for_age(today, age=OLD_AGE):
    """The latest birth date of someone who is ``age`` or older on ``today`` (born 29 Feb: 28 Feb counts)."""
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # today is 29 February and that year is not a leap year
        return datetime.date(today.year - age, 2, 28)


def condition_q(condition, today, prefix=""):
    """Q: the person (reached through ``prefix``, e.g. ``person__``) meets ``condition`` on ``today``."""
    if condition == Condition.ALONE:
        return Q(**{f"{prefix}living_status": LivingStatus.ALONE})
    if condition == Condition.EMPTY_NEST:
        return Q(**{f"{prefix}living_status": LivingStatus.EMPTY_NEST})
    if condition == Condition.DEPENDENT:
        return Q(**{f"{prefix}self_care": SelfCare.DEPENDENT})
    if condition == Condition.AGED_90:
        return Q(**{f"{prefix}birth_date__lte": born_on_or_before_for_age(today)})
    raise ValueError(condition)


def meets(person, condition, today):
    """Python twin of ``condition_q`` for one person."""
    if condition == Condition.ALONE:
        return person.living_status == LivingStatus.ALONE
    if condition == Condition.EMPTY_NEST:
        return person.living_status == LivingStatus.EMPTY_NEST
    if condition == Condition.DEPENDENT:
        return person.self_care == SelfCare.DEPENDENT
    if condition == Condition.AGED_90:
        return person.birth_date is not None and person.birth_date <= born_on_or_before_for_age(today)
    raise ValueError(condition)


def anchor_path(person):
    """The place whose policy applies to the person: their community of residence, else their former unit."""
    return person.community_path or person.unit_path


def anchor_q(path, prefix=""):
    """Q: the person's anchor (community of residence, else unit) lies at ``path`` or below."""
    return (Q(**{f"{prefix}community_path__startswith": path})
            | Q(**{f"{prefix}community_path": "", f"{prefix}unit_path__startswith": path}))


@dataclass(frozen=True)
class Rule:
    """The policy in force for one condition at one place, and where it comes from."""

    condition: str
    interval_days: int
    active: bool
    source: CarePolicy | None = None  # None: the default

    @property
    def is_default(self):
        return self.source is None

    @property
    def label(self):
        return Condition(self.condition).label

    @property
    def source_name(self):
        return self.source.node.name if self.source is not None else _("Default")


@dataclass(frozen=True)
class Effective:
    """A person's effective policy: the conditions in force that they meet, and the smallest interval."""

    matched: tuple  # of Rule

    @property
    def matches(self):
        return bool(self.matched)

    @property
    def interval_days(self):
        return min((rule.interval_days for rule in self.matched), default=None)


class PolicySet:
    """A set of policy rows (those that may apply to the people at hand), resolved by "nearest wins"."""

    def __init__(self, rows):
        self.by_condition = {condition: [] for condition in CONDITIONS}
        for row in rows:
            self.by_condition[row.condition].append(row)
        for rows_of_condition in self.by_condition.values():
            rows_of_condition.sort(key=lambda row: len(row.node_path), reverse=True)  # deepest (nearest) first

    @classmethod
    def for_paths(cls, paths):
        """The rows on the paths of these places (their nodes and all the nodes above them): one query."""
        wanted = {ancestor for path in paths if path for ancestor in ancestor_paths(path)}
        if not wanted:
            return cls([])
        return cls(CarePolicy.objects.filter(node_path__in=wanted).select_related("node"))

    @classmethod
    def for_person(cls, person):
        return cls.for_paths([anchor_path(person)])

    @classmethod
    def for_people(cls, people):
        """The rows that may apply to someone of ``people`` (a Person queryset): one query."""
        reaches = people.filter(
            Q(community_path__startswith=OuterRef("node_path"))
            | Q(community_path="", unit_path__startswith=OuterRef("node_path")))
        return cls(CarePolicy.objects.filter(Exists(reaches)).select_related("node"))

    def rule(self, condition, path):
        """The rule in force for ``condition`` at the place with ``path``."""
        for row in self.by_condition[condition]:
            if path and path.startswith(row.node_path):
                return Rule(condition, row.interval_days, row.active, row)
        return Rule(condition, DEFAULT_INTERVALS[condition], True)

    def rules(self, path):
        return [self.rule(condition, path) for condition in CONDITIONS]

    def effective(self, person, today):
        """The person's effective policy (no match for the deceased)."""
        if person.deceased_on is not None:
            return Effective(())
        path = anchor_path(person)
        return Effective(tuple(rule for rule in self.rules(path)
                               if rule.active and meets(person, rule.condition, today)))

    def interval_expression(self, today, prefix=""):
        """SQL: the person's interval in days (``NEVER`` when no condition in force holds; life not checked)."""
        parts = []
        for condition in CONDITIONS:
            whens = [When(anchor_q(row.node_path, prefix), then=Value(row.interval_days if row.active else NEVER))
                     for row in self.by_condition[condition]]
            in_force = (Case(*whens, default=Value(DEFAULT_INTERVALS[condition]), output_field=IntegerField())
                        if whens else Value(DEFAULT_INTERVALS[condition]))
            parts.append(Case(When(condition_q(condition, today, prefix), then=in_force), default=Value(NEVER),
                              output_field=IntegerField()))
        return Least(*parts)


def vulnerable(people, today, policies=None):
    """``people`` (a Person queryset) who match a policy, annotated with ``care_interval``."""
    policies = policies if policies is not None else PolicySet.for_people(people)
    return (people.filter(deceased_on__isnull=True)
            .annotate(care_interval=policies.interval_expression(today))
            .filter(care_interval__lt=NEVER))


def open_assignment_exists():
    return Exists(CareAssignment.objects.filter(person=OuterRef("pk"), ended_on__isnull=True))


def unassigned(scope, today, policies=None):
    """The people of the scope who match a policy and have no open assignment: nobody falls through."""
    people = Person.objects.visible_to(scope)
    return vulnerable(people, today, policies).filter(~open_assignment_exists())


def conditions_met(person, today):
    """The labels of the conditions the person meets (whatever the policies): the "why" of a list row."""
    return [Condition(condition).label for condition in CONDITIONS if meets(person, condition, today)]


def effective_policy(person, today):
    """The effective policy of one person (one query for the rows)."""
    return PolicySet.for_person(person).effective(person, today)
