"""The party dues JSON API."""


def register(router):
    pass
