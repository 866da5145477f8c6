"""The running service for whole journeys: the live server, a real Celery worker and SMTP.

The web pages are pytest-django's `live_server` (in this process, on the PostgreSQL test
database; tests using it are transactional, so other processes see their rows). Invitations
then travel as in production: an action writes the outbox row, asks for a sweep through Redis,
a separate `celery worker` process claims and sends the message over SMTP to the aiosmtpd server
of tests/smtp.py, and the test reads the link out of the email it captured.

Time is never faked in production code: `move_clock` shifts an episode's dates into the past.
"""

import datetime
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection
from django.db.models import F

from tests import services
from tests.smtp import running_smtp_server

WORKER_START_SECONDS = 60


@pytest.fixture(scope="session")
def mail_server():
    with running_smtp_server() as server:
        yield server


def _test_database_url():
    # The worker must use the test database this session reads, not the development one.
    db = connection.settings_dict
    return (
        f"postgres://{db['USER'] or ''}:{db['PASSWORD'] or ''}"
        f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture(scope="package")
def celery_worker(django_db_setup, live_server, mail_server):
    """A `celery worker` process on Redis, sending mail to `mail_server` with links to
    `live_server`. For the browser tests' package (starting one takes seconds), and stopped
    when they end: left running, it took the tasks that later transactional tests published
    and queried the test database while their teardown emptied it (a deadlock in CI)."""
    # Session fixtures run before the per-test marker checks, so check the services here.
    services.require_postgres()
    services.require_redis()
    from pathway.celery import app

    app.control.purge()  # tasks queued by earlier tests that ran without a worker
    hostname = f"journey-{uuid.uuid4().hex[:8]}@%h"
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
            f"--hostname={hostname}",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=services.subprocess_environment(
            DATABASE_URL=_test_database_url(),
            EMAIL_URL=mail_server.email_url,
            SITE_URL=live_server.url,
            # No connection outlives a task, so the test database can be dropped at the end.
            DB_CONN_MAX_AGE="0",
        ),
    )
    try:
        _wait_until_ready(app, worker)
        yield worker
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _wait_until_ready(app, worker):
    deadline = time.monotonic() + WORKER_START_SECONDS
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the celery worker exited with {worker.returncode}")
        if app.control.ping(timeout=0.5):
            return
    raise RuntimeError("the celery worker did not answer a ping within a minute")


def run_on_worker(task, *args):
    """Queue a task, then wait until the worker has run it and everything queued before it.

    The worker has one process and takes one task at a time (prefetch 1), in order, so once a
    heartbeat queued after `task` has been recorded, `task` and the sends it queued are done.
    """
    from pathway.core.models import Heartbeat
    from pathway.core.tasks import record_heartbeat

    task.delay(*args)
    marker = f"journey-{uuid.uuid4().hex[:8]}"
    record_heartbeat.delay(name=marker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Heartbeat.objects.filter(name=marker).exists():
            return
        time.sleep(0.1)
    raise AssertionError(f"the worker did not run {task.name} within a minute")


def move_clock(episode, *, days):
    """Everything about this episode happened `days` earlier: the discharge, the questionnaire
    time points and their pending messages. The beat's next sweep then finds what is due."""
    from pathway.care.models import Episode
    from pathway.messaging.models import MessageState, OutboundMessage
    from pathway.proms.models import PromTimepoint, QuestionnaireResponse

    shift = datetime.timedelta(days=days)
    Episode.objects.filter(pk=episode.pk).update(
        referred_at=F("referred_at") - shift,
        clock_started_on=F("clock_started_on") - shift,
        discharged_at=F("discharged_at") - shift,
    )
    timepoints = PromTimepoint.objects.filter(episode=episode)
    QuestionnaireResponse.objects.filter(episode=episode).update(
        completed_at=F("completed_at") - shift
    )
    OutboundMessage.objects.filter(episode=episode, state=MessageState.PENDING).update(
        due_at=F("due_at") - shift
    )
    timepoints.update(
        due_at=F("due_at") - shift,
        opens_at=F("opens_at") - shift,
        closes_at=F("closes_at") - shift,
        completed_at=F("completed_at") - shift,
    )
