"""Keeping the copies of branch paths on dues rows in step when a subtree of the tree moves."""

from django.db.models import Value
from django.db.models.functions import Concat, Length, Substr
from django.dispatch import receiver

from yinfa.core.events import org_subtree_moved


@receiver(org_subtree_moved)
def rewrite_dues_paths(sender, old_path, new_path, **kwargs):
    from yinfa.dues.models import DuesDecision, DuesPayment

    for model in (DuesDecision, DuesPayment):
        model.objects.filter(branch_path__startswith=old_path).update(
            branch_path=Concat(Value(new_path), Substr("branch_path", Length(Value(old_path)) + 1)))
