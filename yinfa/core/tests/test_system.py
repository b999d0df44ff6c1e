"""System administration: run-time settings (audited) and the maintenance page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from yinfa.core import system_settings
from yinfa.core.models import AuditAction, AuditEvent, PeriodicRun, SystemSetting, WorkerHeartbeat
from yinfa.core.testing import login

pytestmark = pytest.mark.django_db

SETTINGS = reverse("core:system_settings")
MAINTENANCE = reverse("core:system_maintenance")


@pytest.fixture(autouse=True)
def fresh_settings_cache():
    system_settings.clear_cache()
    yield
    system_settings.clear_cache()


def valid_form(**values):
    data = {"system_name": "", "password_max_age_days": "90", "login_notice": "", "wish_claim_days": "14"}
    data.update(values)
    return data


def test_only_the_system_administrator_may_open_the_system_pages(world):
    for user in (world.audit_admin, world.security_admin, world.city_admin, world.county_a_admin, world.no_role):
        client = login(user)
        assert client.get(SETTINGS).status_code == 403, user
        assert client.post(SETTINGS, valid_form(system_name="x")).status_code == 403, user
        assert client.get(MAINTENANCE).status_code == 403, user
        assert client.post(MAINTENANCE, {"run": "clear_expired_sessions"}).status_code == 403, user
    assert not SystemSetting.objects.exists()
    client = login(world.system_admin)
    assert client.get(SETTINGS).status_code == 200
    assert client.get(MAINTENANCE).status_code == 200


def test_a_settings_change_is_stored_audited_and_read_back(world, settings):
    settings.YINFA_PASSWORD_MAX_AGE_DAYS = 90
    client = login(world.system_admin)
    assert system_settings.password_max_age_days() == 90
    response = client.post(SETTINGS, valid_form(system_name="某市老干部服务平台", password_max_age_days="60",
                                                 login_notice="今晚 22:00 停机维护"))
    assert response.status_code == 302
    assert system_settings.system_name() == "某市老干部服务平台"
    assert system_settings.password_max_age_days() == 60
    assert system_settings.login_notice() == "今晚 22:00 停机维护"
    events = {e.object_id: e for e in AuditEvent.objects.filter(action=AuditAction.UPDATE,
                                                                object_type="core.systemsetting")}
    assert events["password_max_age_days"].changes == {"password_max_age_days": [90, 60]}
    assert events["system_name"].changes == {"system_name": ["", "某市老干部服务平台"]}
    assert events["system_name"].actor == world.system_admin
    assert SystemSetting.objects.get(key="system_name").updated_by == world.system_admin


def test_the_wish_claim_period_is_set_by_the_system_administrator(world):
    assert system_settings.wish_claim_days() == 14
    login(world.system_admin).post(SETTINGS, valid_form(wish_claim_days="21"))
    assert system_settings.wish_claim_days() == 21
    response = login(world.system_admin).post(SETTINGS, valid_form(wish_claim_days="0"))
    assert response.status_code == 200 and system_settings.wish_claim_days() == 21


def test_saving_unchanged_settings_writes_no_audit_row(world):
    client = login(world.system_admin)
    client.post(SETTINGS, valid_form(login_notice="通知"))
    before = AuditEvent.objects.filter(object_type="core.systemsetting").count()
    client.post(SETTINGS, valid_form(login_notice="通知"))
    assert AuditEvent.objects.filter(object_type="core.systemsetting").count() == before == 1


def test_an_invalid_value_is_refused_with_a_message(world):
    response = login(world.system_admin).post(SETTINGS, valid_form(password_max_age_days="-1"))
    assert response.status_code == 200
    assert response.context["form"].errors["password_max_age_days"]
    assert not SystemSetting.objects.exists()


def test_the_system_name_falls_back_to_the_environment(settings):
    settings.YINFA_SYSTEM_NAME = "环境中的名称"
    assert system_settings.system_name() == "环境中的名称"
    SystemSetting.objects.create(key="system_name", value="后台设置的名称")
    system_settings.clear_cache()
    assert system_settings.system_name() == "后台设置的名称"
    assert system_settings.get("unknown", "d") == "d"


def test_the_maintenance_page_shows_worker_health_and_periodic_jobs(world, settings):
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="w-fresh", hostname="app-1", pid=101, started_at=now, beat_at=now)
    WorkerHeartbeat.objects.create(worker_id="w-old", hostname="app-2", pid=202, started_at=now,
                                   beat_at=now - datetime.timedelta(hours=1))
    PeriodicRun.objects.create(name="clear_expired_sessions", last_enqueued_at=now)
    response = login(world.system_admin).get(MAINTENANCE)
    html = response.content.decode()
    assert response.context["worker_healthy"] is True
    assert [hb.healthy for hb in response.context["heartbeats"]] == [True, False]
    assert "app-1" in html and "app-2" in html
    names = {row["name"]: row for row in response.context["periodic"]}
    assert {"clear_expired_sessions", "purge_audit", "password_expiry_reminders", "prune_task_results"} <= set(names)
    assert names["clear_expired_sessions"]["due"] is False and names["purge_audit"]["due"] is True
    assert 'data-testid="database-status"' in html


def test_the_maintenance_page_shows_a_stale_worker(world):
    old = timezone.now() - datetime.timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="w", hostname="h", pid=1, started_at=old, beat_at=old)
    response = login(world.system_admin).get(MAINTENANCE)
    assert response.context["worker_healthy"] is False


def test_run_now_enqueues_the_job_and_is_audited(world):
    client = login(world.system_admin)
    response = client.post(MAINTENANCE, {"run": "clear_expired_sessions"})
    assert response.status_code == 302
    assert PeriodicRun.objects.get(name="clear_expired_sessions").last_enqueued_at > timezone.now() - \
        datetime.timedelta(minutes=1)
    event = AuditEvent.objects.get(action=AuditAction.SYSTEM, object_id="clear_expired_sessions")
    assert event.actor == world.system_admin
    assert client.post(MAINTENANCE, {"run": "no_such_job"}).status_code == 404
