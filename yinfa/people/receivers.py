"""Keeping the copies of anchor paths on person rows in step when a subtree of the tree moves."""

from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.dispatch import receiver

from yinfa.core.events import org_subtree_moved


@receiver(org_subtree_moved)
def rewrite_anchor_paths(sender, old_path, new_path, **kwargs):
    from yinfa.people.models import ANCHOR_PATH_FIELDS, AnnualCheckItem, Person

    for column in (*ANCHOR_PATH_FIELDS.values(),):
        Person.objects.filter(**{f"{column}__startswith": old_path}).update(
            **{column: Concat(Value(new_path), Substr(column, Length(Value(old_path)) + 1))})
    AnnualCheckItem.objects.filter(unit_path__startswith=old_path).update(
        unit_path=Concat(Value(new_path), Substr("unit_path", Length(Value(old_path)) + 1)))
