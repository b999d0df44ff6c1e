"""The care JSON API: visits."""


def register(router):
    pass
