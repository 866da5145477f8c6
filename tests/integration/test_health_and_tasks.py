import datetime

import pytest
from django.utils import timezone

from pathway.core import health
from pathway.core.actions import record_heartbeat as record_heartbeat_now
from pathway.core.models import Heartbeat
from pathway.core.tasks import record_heartbeat

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/health")

    body = response.json()
    assert response.status_code == 200
    assert body["database"] == "ok"
    assert body["broker"].startswith("not configured")


def test_health_is_unavailable_when_the_configured_broker_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/health")

    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_heartbeat_task_records_each_run(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    record_heartbeat.apply()
    record_heartbeat.apply()

    assert Heartbeat.objects.get(name="celery").runs == 2


# --- The heartbeat's age ----------------------------------------------------------------------


def heartbeat_seconds_ago(seconds):
    record_heartbeat_now()
    Heartbeat.objects.filter(name="celery").update(
        last_run_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


@pytest.mark.redis
def test_health_is_degraded_when_the_heartbeat_is_older_than_its_interval_times_the_margin(
    client, settings
):
    settings.HEARTBEAT_INTERVAL_SECONDS = 60
    heartbeat_seconds_ago(60 * health.HEARTBEAT_MARGIN + 30)

    response = client.get("/health")

    body = response.json()
    assert response.status_code == 503
    assert (body["status"], body["heartbeat"]) == ("degraded", "late")
    assert (body["database"], body["broker"]) == ("ok", "ok")  # only the heartbeat is wrong
    assert body["last_heartbeat"] is not None


@pytest.mark.redis
def test_health_is_ok_when_the_heartbeat_is_within_its_interval_times_the_margin(client, settings):
    settings.HEARTBEAT_INTERVAL_SECONDS = 60
    heartbeat_seconds_ago(60 * health.HEARTBEAT_MARGIN - 30)  # two beats missed: still alive

    response = client.get("/health")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["heartbeat"]) == ("ok", "ok")


@pytest.mark.redis
def test_health_is_degraded_when_no_heartbeat_was_ever_recorded(client, settings):
    Heartbeat.objects.all().delete()

    response = client.get("/health")

    assert response.status_code == 503
    assert (response.json()["status"], response.json()["heartbeat"]) == (
        "degraded",
        "none recorded",
    )


def test_heartbeat_is_late_one_second_after_interval_times_margin(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # a broker is configured; nothing connects
    settings.HEARTBEAT_INTERVAL_SECONDS = 60
    now = timezone.now()
    limit = datetime.timedelta(seconds=60 * health.HEARTBEAT_MARGIN)

    assert health.heartbeat_state(now - limit, now=now) == health.HEARTBEAT_OK
    assert health.heartbeat_state(now - limit - datetime.timedelta(seconds=1), now=now) == (
        health.HEARTBEAT_LATE
    )
    assert health.heartbeat_state(None, now=now) == health.HEARTBEAT_MISSING


def test_heartbeat_is_not_expected_without_a_broker(client, settings):
    settings.REDIS_URL = ""  # tasks run in the web process: there is no worker or beat
    Heartbeat.objects.all().delete()

    response = client.get("/health")

    assert response.status_code == 200
    assert response.json()["heartbeat"] == health.HEARTBEAT_NOT_EXPECTED
