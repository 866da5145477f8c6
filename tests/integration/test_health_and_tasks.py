import pytest

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
