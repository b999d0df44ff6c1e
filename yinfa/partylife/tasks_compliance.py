"""Periodic compliance work: the nightly refresh and the reminders to secretaries."""
