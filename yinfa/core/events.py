"""Signals other apps listen to (apps touch each other only through foreign keys, query sets, services and these)."""

from django.dispatch import Signal

# Sent inside the transaction of services.org.move_node after the subtree's paths changed:
# kwargs old_path, new_path. Apps that copy tree paths onto their rows (for fast scoping) rewrite them.
org_subtree_moved = Signal()

# Sent inside the transaction of a change to a person file (people.services: update_person, record_death) after it
# is saved: kwargs actor, person, fields (the names of the changed fields). Apps keeping state derived from the file
# (care assignments' intervals) follow it.
person_file_changed = Signal()
