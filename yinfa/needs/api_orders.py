"""The needs JSON API: orders."""


def register(router):
    pass
