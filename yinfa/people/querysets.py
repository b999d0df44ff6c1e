"""Reads of person files. Every read is scoped through ``visible_to`` (the one scoping function)."""

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from yinfa.core.scope import scoped

# The four anchors of design.md (former unit, branch, residence, community registered with), through the
# copies of their tree paths on the person row.
ANCHOR_PATHS = ("unit_path", "branch_path", "community_path", "registered_path")
# The same, reached from a row that belongs to a person (``person`` foreign key): how other apps scope such rows.
PERSON_ANCHORS = tuple(f"person__{path}" for path in ANCHOR_PATHS)


class PersonQuerySet(models.QuerySet):
    def visible_to(self, scope):
        return scoped(self, scope, *ANCHOR_PATHS)

    def alive(self):
        return self.filter(deceased_on__isnull=True)

    def deceased(self):
        return self.filter(deceased_on__isnull=False)

    def bulk_create(self, objs, *args, **kwargs):
        """Fill derived values (pinyin) first; encryption and blind indexes happen in the fields' pre_save."""
        objs = list(objs)
        for person in objs:
            person.fill_derived()
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        encrypted = {"id_number", "phone", "address"} & set(kwargs)
        if encrypted:
            raise TypeError(f"encrypted fields {sorted(encrypted)} are written only through save()")
        return super().update(**kwargs)


def headline_figures(scope):
    """Home-page figures for the scope in use, living people only, in one aggregate query."""
    from yinfa.people.models import Category, Person  # the model module imports this one

    totals = Person.objects.visible_to(scope).alive().aggregate(
        people=Count("pk"),
        lixiu=Count("pk", filter=Q(category=Category.LIXIU)),
        tuixiu=Count("pk", filter=Q(category=Category.TUIXIU)),
    )
    return [
        {"label": _("Retired cadres in scope"), "value": totals["people"]},
        {"label": _("Lixiu cadres"), "value": totals["lixiu"]},
        {"label": _("Tuixiu cadres"), "value": totals["tuixiu"]},
    ]

