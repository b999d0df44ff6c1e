import pytest


@pytest.fixture
def world(db):
    from yinfa.core.testing import World

    return World.build()


@pytest.fixture(autouse=True)
def _fresh_system_settings():
    """System settings are cached per process; each test starts with an empty cache."""
    from yinfa.core import system_settings

    system_settings.clear_cache()
    yield
    system_settings.clear_cache()
