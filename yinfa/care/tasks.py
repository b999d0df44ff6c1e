"""The care app's background and periodic jobs (``core.scheduling.discover`` imports this module)."""

from yinfa.care import tasks_campaigns, tasks_contacts  # noqa: F401  (registers the reminders and escalations)
