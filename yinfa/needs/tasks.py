"""The needs app's background and periodic jobs (``core.scheduling.discover`` imports this module)."""

from yinfa.needs import tasks_orders, tasks_wishes  # noqa: F401  (register the overdue and claim-expiry jobs)
