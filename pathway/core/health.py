"""State of the service's backing services, for /health and for operators."""

import datetime

import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

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


# The heartbeat is late after three intervals. One missed beat is ordinary (a worker busy with a
# long sweep, a beat restarting, Redis back after a blip); three mean the worker or the beat is
# not running, so no invitations, reminders or safety-alert emails are going out.
HEARTBEAT_MARGIN = 3

HEARTBEAT_OK = "ok"
HEARTBEAT_LATE = "late"
HEARTBEAT_MISSING = "none recorded"
HEARTBEAT_NOT_EXPECTED = "not expected (tasks run eagerly)"
HEARTBEAT_UNKNOWN = "unknown (database unavailable)"


def last_heartbeat_at():
    """When a worker last ran the beat's heartbeat task, or None. Needs the database."""
    heartbeat = Heartbeat.objects.filter(name="celery").first()
    return heartbeat.last_run_at if heartbeat else None


def heartbeat_state(last_run_at, now=None):
    """Whether the worker and the beat are alive, judged by the age of their last heartbeat.

    Without a broker there is no worker or beat (tasks run in the web process), so nothing is
    expected. A heartbeat never recorded counts as late: nothing has shown that they run."""
    if not settings.REDIS_URL:
        return HEARTBEAT_NOT_EXPECTED
    if last_run_at is None:
        return HEARTBEAT_MISSING
    allowed = datetime.timedelta(seconds=settings.HEARTBEAT_INTERVAL_SECONDS * HEARTBEAT_MARGIN)
    if (now or timezone.now()) - last_run_at > allowed:
        return HEARTBEAT_LATE
    return HEARTBEAT_OK


def service_status(*, database, broker, heartbeat):
    """The service as a whole: unavailable when the database or the configured broker does not
    answer; degraded when they do but the worker or the beat has stopped (pages work, messages
    wait); else ok."""
    if database != "ok" or broker == "unavailable":
        return "unavailable"
    if heartbeat in (HEARTBEAT_LATE, HEARTBEAT_MISSING):
        return "degraded"
    return "ok"
