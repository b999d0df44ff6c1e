"""The care JSON API: contacts."""


def register(router):
    pass
