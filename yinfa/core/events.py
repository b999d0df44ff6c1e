"""Signals other apps listen to (apps touch each other only through foreign keys, query sets, services and these)."""

from django.dispatch import Signal

# Sent inside the transaction of services.org.move_node after the subtree's paths changed:
# kwargs old_path, new_path. Apps that copy tree paths onto their rows (for fast scoping) rewrite them.
org_subtree_moved = Signal()
