"""The rules of a visit campaign (慰问活动): who is visited (the criteria kept in ``VisitCampaign.criteria``), which
organisation visits each person, and the due date drawn from the lunar calendar.

Criteria are plain data, so the roster can be drawn again the same way::

    {"groups": ["lixiu", "dependent", "alone_aged"], "alone_age": 80, "age": 90, "visited_by": "unit"}

- the groups are a union: all 离休 cadres, all who cannot look after themselves (不能自理), all living alone aged
  ``alone_age`` or more, all aged ``age`` or more, and (optionally) the survivors' households: the files of
  deceased people with a living survivor (遗属) to keep visiting. Apart from the survivors, living people only;
- ages are counted on the campaign's due date (people without a date of birth are in no age group);
- the roster holds the people whose former unit or community of residence lies within the campaign's organisation;
- ``visited_by``: ``unit`` — the former unit, or the community of residence when the unit lies outside the
  campaign's organisation; ``community`` — the community of residence, or the former unit when the person has no
  community within the campaign's organisation.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yinfa.care.models import Festival
from yinfa.core import lunar
from yinfa.core.models import OrgNode
from yinfa.core.scope import scope_condition
from yinfa.people.models import Category, Contact, LivingStatus, Person, SelfCare

DEFAULT_ALONE_AGE = 80
DEFAULT_AGE = 90
MIN_AGE, MAX_AGE = 50, 120
# How far before the festival the planner may move the due date.
EARLIEST_DUE_DAYS = 120
# How far after the festival it may be extended (a round "重阳节暨冬季慰问" runs on into the winter).
LATEST_DUE_DAYS = 60
FIRST_YEAR = 2000


class Group(models.TextChoices):
    LIXIU = "lixiu", gettext_lazy("All lixiu cadres (离休)")
    DEPENDENT = "dependent", gettext_lazy("All who cannot look after themselves (不能自理)")
    ALONE_AGED = "alone_aged", gettext_lazy("All living alone from a given age (独居)")
    AGED = "aged", gettext_lazy("All from a given age")
    SURVIVORS = "survivors", gettext_lazy("Survivors' households (遗属 of deceased cadres)")


class VisitedBy(models.TextChoices):
    UNIT = "unit", gettext_lazy("Their former unit (the community when the unit is outside the organisation)")
    COMMUNITY = "community", gettext_lazy("Their community of residence (the unit when they have none)")


# The lunar festivals and their key in ``yinfa.core.lunar``.
LUNAR_FESTIVALS = {Festival.SPRING: "spring", Festival.DOUBLE_NINTH: "double_ninth",
                   Festival.MID_AUTUMN: "mid_autumn", Festival.DRAGON_BOAT: "dragon_boat"}


# --- due dates ----------------------------------------------------------------------------------------------------

def festival_date(festival, year):
    """The solar date of the festival in ``year`` (春节 = 正月初一, 重阳节 = 九月初九 …); None for another occasion."""
    key = LUNAR_FESTIVALS.get(festival)
    return lunar.festival(key, year) if key else None


def upcoming_festivals(today, years=2):
    """[(label, date)] of the lunar festivals from ``today`` on, over this year and the next (for the form's help)."""
    dates = []
    for year in range(today.year, today.year + years):
        for festival in LUNAR_FESTIVALS:
            day = festival_date(festival, year)
            if day >= today:
                dates.append((Festival(festival).label, day))
    return sorted(dates, key=lambda pair: pair[1])


def default_year(festival, today):
    """This year, or the next one when this year's festival is already past."""
    day = festival_date(festival, today.year)
    return today.year + 1 if day is not None and day < today else today.year


def clean_due_date(festival, year, due_on):
    """The due date: the festival's day unless the planner chose an earlier one; an explicit date (in the year) for
    another occasion. Raises ValidationError({"due_on": …})."""
    day = festival_date(festival, year)
    if day is None:
        if due_on is None:
            raise ValidationError({"due_on": _("Give the date of the occasion: visits are due by then.")})
        if due_on.year != year:
            raise ValidationError({"due_on": _("Choose a date in %(year)s.") % {"year": year}})
        return due_on
    if due_on is None:
        return day
    if (due_on - day).days > LATEST_DUE_DAYS:
        raise ValidationError({"due_on": _("Choose a date at most %(days)s days after the festival (%(day)s).") % {
            "days": LATEST_DUE_DAYS, "day": day.isoformat()}})
    if (day - due_on).days > EARLIEST_DUE_DAYS:
        raise ValidationError({"due_on": _("Choose a date at most %(days)s days before the festival (%(day)s).") % {
            "days": EARLIEST_DUE_DAYS, "day": day.isoformat()}})
    return due_on


# --- criteria -----------------------------------------------------------------------------------------------------

def _age(value, default, name):
    if value in (None, ""):
        return default
    try:
        age = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Give an age in years.")})
    if not MIN_AGE <= age <= MAX_AGE:
        raise ValidationError({name: _("Give an age between %(low)s and %(high)s.") % {"low": MIN_AGE,
                                                                                      "high": MAX_AGE}})
    return age


def clean_criteria(data):
    """The criteria as stored: known groups (at least one, in a fixed order), the ages, who visits."""
    data = data or {}
    wanted = set(data.get("groups") or [])
    unknown = wanted - set(Group.values)
    if unknown:
        raise ValidationError({"groups": _("Unknown group: %(groups)s.") % {"groups": ", ".join(sorted(unknown))}})
    if not wanted:
        raise ValidationError({"groups": _("Choose at least one group of people to visit.")})
    visited_by = data.get("visited_by") or VisitedBy.UNIT
    if visited_by not in VisitedBy.values:
        raise ValidationError({"visited_by": _("Choose who visits.")})
    return {
        "groups": [group for group in Group.values if group in wanted],
        "alone_age": _age(data.get("alone_age"), DEFAULT_ALONE_AGE, "alone_age"),
        "age": _age(data.get("age"), DEFAULT_AGE, "age"),
        "visited_by": visited_by,
    }


def stored(criteria):
    """Criteria as kept on a campaign, read leniently (defaults for missing ages, unknown groups left out)."""
    criteria = criteria or {}
    visited_by = criteria.get("visited_by")
    return {"groups": [g for g in Group.values if g in set(criteria.get("groups") or [])],
            "alone_age": criteria.get("alone_age") or DEFAULT_ALONE_AGE, "age": criteria.get("age") or DEFAULT_AGE,
            "visited_by": visited_by if visited_by in VisitedBy.values else VisitedBy.UNIT}


def group_label(group, criteria):
    """The group as the user reads it, with its age: "Living alone, aged 80 or more"."""
    if group == Group.ALONE_AGED:
        return _("Living alone, aged %(age)s or more") % {"age": criteria["alone_age"]}
    if group == Group.AGED:
        return _("Aged %(age)s or more") % {"age": criteria["age"]}
    return str(Group(group).label)


def describe(criteria):
    """A short human description of the criteria, e.g. "All lixiu cadres (离休); Living alone, aged 80 or more"."""
    criteria = stored(criteria)
    return "; ".join(group_label(group, criteria) for group in criteria["groups"])


def born_by(day, age):
    """The latest birth date of someone aged ``age`` or more on ``day`` (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:
        return datetime.date(day.year - age, 2, 28)


def group_conditions(criteria, day):
    """{group: Q on Person} for the chosen groups, ages counted on ``day``."""
    criteria = stored(criteria)
    alive = Q(deceased_on__isnull=True)
    conditions = {}
    for group in criteria["groups"]:
        if group == Group.LIXIU:
            conditions[group] = alive & Q(category=Category.LIXIU)
        elif group == Group.DEPENDENT:
            conditions[group] = alive & Q(self_care=SelfCare.DEPENDENT)
        elif group == Group.ALONE_AGED:
            conditions[group] = alive & Q(living_status=LivingStatus.ALONE,
                                          birth_date__lte=born_by(day, criteria["alone_age"]))
        elif group == Group.AGED:
            conditions[group] = alive & Q(birth_date__lte=born_by(day, criteria["age"]))
        elif group == Group.SURVIVORS:
            survivors = Contact.objects.filter(person=OuterRef("pk"), is_survivor=True, alive=True)
            conditions[group] = Q(deceased_on__isnull=False) & Q(Exists(survivors))
    return conditions


def within(node):
    """Q: the person's former unit or community of residence lies within ``node`` (the campaign's organisation, in the
    planner's scope; the branch and registration anchors do not make someone a visit of that organisation)."""
    return scope_condition(node, "unit_path", "community_path")


def roster(criteria, node, day):
    """The people to visit (each once), annotated with ``assignee_node`` and ``assignee_node_path``: who visits."""
    criteria = stored(criteria)
    conditions = group_conditions(criteria, day)
    union = Q()
    for condition in conditions.values():
        union |= condition
    if criteria["visited_by"] == VisitedBy.COMMUNITY:
        first, second = ("community", "community_path"), ("unit", "unit_path")
    else:
        first, second = ("unit", "unit_path"), ("community", "community_path")
    first_within = Q(**{f"{first[1]}__startswith": node.path})
    people = Person.objects.filter(within(node)).filter(union).annotate(
        assignee_node=Case(When(first_within, then=F(f"{first[0]}_id")), default=F(f"{second[0]}_id"),
                           output_field=models.BigIntegerField()),
        assignee_node_path=Case(When(first_within, then=F(first[1])), default=F(second[1]),
                                output_field=models.CharField()),
    )
    return people if conditions else people.none()  # no group: nobody (never everyone)


def draw(criteria, node, day, exclude_people=None):
    """[(person id, assignee id, assignee path)] of the roster, in a stable order (one query). ``exclude_people``
    (a queryset of person ids) leaves out those who already have a task."""
    people = roster(criteria, node, day)
    if exclude_people is not None:
        people = people.exclude(pk__in=exclude_people)
    return list(people.order_by("assignee_node_path", "pk").values_list("pk", "assignee_node", "assignee_node_path"))


# --- preview ------------------------------------------------------------------------------------------------------

@dataclass
class Preview:
    total: int = 0
    groups: list = field(default_factory=list)  # [(group, label, count)]: one person may be in several
    organisations: list = field(default_factory=list)  # [(node id, name, kind label, count)] by tree order

    @property
    def overlap(self):
        """How many people fall in more than one group (each is visited once)."""
        return sum(count for _group, _label, count in self.groups) - self.total


def preview(criteria, node, day, exclude_people=None):
    """Counts per group and per visiting organisation before opening (three queries)."""
    criteria = stored(criteria)
    conditions = group_conditions(criteria, day)
    people = roster(criteria, node, day)
    if exclude_people is not None:
        people = people.exclude(pk__in=exclude_people)
    counts = people.aggregate(total=Count("pk"), **{
        f"g_{group}": Count("pk", filter=condition) for group, condition in conditions.items()})
    by_node = dict(people.order_by().values_list("assignee_node").annotate(n=Count("pk")))
    nodes = OrgNode.objects.filter(pk__in=list(by_node)).order_by("path").only("pk", "name", "kind")
    return Preview(
        total=counts["total"],
        groups=[(group, group_label(group, criteria), counts[f"g_{group}"]) for group in conditions],
        organisations=[(n.pk, n.name, n.get_kind_display(), by_node[n.pk]) for n in nodes],
    )
