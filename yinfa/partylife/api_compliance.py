"""API of the compliance part of party life."""


def register(router):
    pass
