"""A real Celery worker, started as a separate process, runs a task through Redis."""

import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from pathway.core.models import Heartbeat
from pathway.core.tasks import record_heartbeat
from tests.services import subprocess_environment

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def worker_environment():
    # The worker must write to the test database this test reads, not the development one.
    settings_dict = connection.settings_dict
    return subprocess_environment(
        DATABASE_URL=(
            f"postgres://{settings_dict['USER'] or ''}:{settings_dict['PASSWORD'] or ''}"
            f"@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
            f"/{settings_dict['NAME']}"
        )
    )


@pytest.fixture
def celery_worker_queue(transactional_db):
    queue = f"test-{uuid.uuid4().hex}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pathway",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=worker_environment(),
    )
    try:
        yield queue
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def test_real_worker_runs_a_task_sent_through_redis(celery_worker_queue, settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER

    record_heartbeat.apply_async(kwargs={"name": "worker-test"}, queue=celery_worker_queue)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Heartbeat.objects.filter(name="worker-test").exists():
            break
        time.sleep(0.25)
    assert Heartbeat.objects.get(name="worker-test").runs == 1
