"""API of the meetings part of party life."""


def register(router):
    pass
