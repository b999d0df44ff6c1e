"""Keeping the copies of tree paths on care rows (policies, campaigns, campaign tasks) in step when a subtree of
the tree moves."""

from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.dispatch import receiver

from yinfa.core.events import org_subtree_moved


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
