"""Keeping the copies of tree paths on the needs rows in step when a subtree of the tree moves."""

from django.dispatch import receiver

from yinfa.care.receivers import rewrite_paths
from yinfa.core.events import org_subtree_moved


@receiver(org_subtree_moved)
def rewrite_needs_paths(sender, old_path, new_path, **kwargs):
    from yinfa.needs.models import Resource, ServiceItem, ServiceOrder, ServiceProject, Wish

    rewrite_paths([(Resource, "node_path"), (ServiceItem, "node_path"), (ServiceProject, "node_path"),
                   (ServiceOrder, "handler_path"), (Wish, "wall_path")], old_path, new_path)
