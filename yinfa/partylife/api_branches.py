"""API of the branches part of party life."""


def register(router):
    pass
