import pytest


@pytest.fixture(autouse=True)
def _english():
    """Messages as their English msgids, whatever the Chinese catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield
