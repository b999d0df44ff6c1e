"""A tab of a module's sub-navigation (rendered by the ``subnav`` template tag)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tab:
    key: str
    label: str
    url_name: str
    perms: tuple = ()  # the role in use needs one of these (none: every role that opens the module)
