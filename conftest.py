import pytest


@pytest.fixture
def world(db):
    from yinfa.core.testing import World

    return World.build()
