"""The care JSON API: aid."""


def register(router):
    pass
