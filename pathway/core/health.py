"""State of the service's backing services, for /health and for operators."""

import redis
from django.conf import settings
from django.db import connection

from pathway.core.models import Heartbeat


def database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means "unavailable" to a health check
        return "unavailable"


def broker_state():
    if not settings.REDIS_URL:
        return "not configured (tasks run eagerly)"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        return "ok"
    except redis.RedisError:
        return "unavailable"


def last_heartbeat():
    if database_state() != "ok":
        return None
    heartbeat = Heartbeat.objects.filter(name="celery").first()
    return heartbeat.last_run_at.isoformat() if heartbeat else None
