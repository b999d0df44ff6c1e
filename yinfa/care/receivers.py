"""Keeping care rows in step with the rest: the copies of tree paths (policies, campaigns, campaign tasks) when a
subtree of the tree moves; a person's care assignment when their file changes (a death ends it, a new living
situation re-reads its interval)."""

from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.dispatch import receiver

from yinfa.core.events import org_subtree_moved, person_file_changed


def rewrite_paths(columns, old_path, new_path):
    """Rewrite the path prefix ``old_path`` to ``new_path`` in each (model, column) of ``columns``."""
    for model, column in columns:
        model.objects.filter(**{f"{column}__startswith": old_path}).update(
            **{column: Concat(Value(new_path), Substr(column, Length(Value(old_path)) + 1))})


@receiver(org_subtree_moved)
def rewrite_care_paths(sender, old_path, new_path, **kwargs):
    from yinfa.care.models import CampaignTask, CarePolicy, VisitCampaign

    rewrite_paths([(CarePolicy, "node_path"), (VisitCampaign, "scope_path"), (CampaignTask, "assignee_path")],
                  old_path, new_path)


@receiver(person_file_changed)
def follow_person_file(sender, actor, person, fields, **kwargs):
    from yinfa.care.services.contacts import follow_person_change

    follow_person_change(actor=actor, person=person, fields=fields)
