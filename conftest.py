import pytest


@pytest.fixture
def world(db):
    from yinfa.core.testing import World

    return World.build()


@pytest.fixture(autouse=True)
def _fresh_system_settings():
    """System settings are cached per process; each test starts from "nothing set" without a query,
    so query counts do not depend on test order. Tests that store settings go through the service,
    which clears the cache."""
    from yinfa.core import system_settings

    system_settings.prime({})
    yield
    system_settings.clear_cache()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached figures (home page summaries) never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
