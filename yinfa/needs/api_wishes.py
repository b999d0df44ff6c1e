"""The needs JSON API: wishes."""


def register(router):
    pass
