"""Background and periodic tasks of party life (the scheduler imports this module; each part registers its
periodic jobs in its own module)."""

from yinfa.partylife import tasks_compliance  # noqa: F401  (registers the compliance refresh and reminders)
