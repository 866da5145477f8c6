"""Real backing services for tests: use them when configured, and refuse to skip in CI.

On a laptop with nothing but Python the suite runs on SQLite with eager tasks, and tests that
need PostgreSQL, Redis or Chromium are skipped with a loud notice. With CI=true such a test
fails instead, so a missing service can never turn into a green build.
"""

import os
import shutil

import pytest
import redis
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SKIPPED_SERVICES: set[str] = set()


def subprocess_environment(**overrides):
    """The environment for a service process a test starts: never the test-only escape hatch."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(overrides)
    return env


def in_ci():
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing(service, reason):
    if in_ci():
        pytest.fail(f"{service} is required in CI but {reason}", pytrace=False)
    SKIPPED_SERVICES.add(service)
    pytest.skip(f"{service} not available: {reason}")


def require_postgres():
    if not settings.USING_POSTGRES:
        missing("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")


def require_redis():
    if not settings.REDIS_URL:
        missing("Redis", "REDIS_URL is not set")
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        missing("Redis", f"it does not answer at {settings.REDIS_URL}: {error}")


def require_chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        missing("Chromium", f"{CHROMIUM} is not installed (apt-get install chromium)")
