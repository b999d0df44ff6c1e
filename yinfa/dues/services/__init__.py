"""Writes of party dues. Each service takes keyword arguments, an ``actor`` (a User) and the ``scope`` in use,
checks the permission and the state, runs in one transaction and leaves an audit row."""
