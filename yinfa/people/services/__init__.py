"""Writes to person files (services): keyword-only arguments, ``actor=``, atomic, one audit row each.

- ``person``: create a file, change its fields section by section (optimistic lock on ``Person.version``),
  reveal a protected value.
- ``file``: the rows of a file — health, contacts, honours, documents, life events (hospital stay, going
  away or abroad, relocation, death).
"""
