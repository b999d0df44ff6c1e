"""The health check: the database and a fresh heartbeat of the background worker."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from yinfa.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def beat(age):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id=f"w-{age.total_seconds()}", hostname="test", pid=1,
                                   started_at=now - age, beat_at=now - age)


def test_it_answers_200_with_the_database_up_and_a_fresh_heartbeat():
    beat(datetime.timedelta(seconds=5))
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "worker": "ok"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_answers_503_when_no_worker_ever_beat():
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "worker": "missing"}


def test_it_answers_503_when_the_last_heartbeat_is_too_old(settings):
    beat(settings.YINFA_WORKER_HEARTBEAT_MAX_AGE + datetime.timedelta(seconds=30))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale"


def test_one_fresh_worker_among_stale_ones_is_enough():
    beat(datetime.timedelta(hours=3))
    beat(datetime.timedelta(seconds=1))
    assert Client().get("/healthz").status_code == 200


def test_it_answers_503_when_the_database_fails(monkeypatch):
    from yinfa.core.views import home

    class BrokenConnection:
        def cursor(self):
            raise RuntimeError("database down")

    beat(datetime.timedelta(seconds=1))
    monkeypatch.setattr(home, "connection", BrokenConnection())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error"


def test_it_needs_no_login_and_reveals_nothing_else():
    beat(datetime.timedelta(seconds=1))
    body = Client().get("/healthz").json()
    assert set(body) == {"status", "checks"}
    assert set(body["checks"]) == {"database", "worker"}


def test_the_home_page_figures_are_computed_once_per_scope_and_then_cached(world, django_assert_max_num_queries):
    from django.core.cache import cache

    from yinfa.core.testing import login

    client = login(world.county_a_admin)
    client.get("/")
    assert any(key for key in cache._cache if "home-summary" in str(key))
    with django_assert_max_num_queries(50) as first:
        client.get("/")
    cache.clear()
    with django_assert_max_num_queries(50) as cold:
        client.get("/")
    assert len(cold.captured_queries) > len(first.captured_queries)
