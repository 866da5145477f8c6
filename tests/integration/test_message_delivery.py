"""Questionnaire messages leave the outbox once, over real SMTP, with real Celery workers.

Everything here is real: PostgreSQL, Redis, Celery worker processes and an SMTP server on
loopback (tests/smtp.py). Workers get a queue of their own per test, and this process sends
its tasks there too, so a test never feeds or drains the shared default queue.
"""

import datetime
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
from django.db import connection
from django.utils import timezone

from pathway.audit.context import PATIENT
from pathway.messaging.models import Channel, MessageKind, MessageState, OutboundMessage
from tests.audit_context import TEST_CONTEXT
from tests.services import subprocess_environment
from tests.smtp import running_smtp_server

pytestmark = pytest.mark.postgres

LINK = re.compile(r"/q/([A-Za-z0-9_-]{20,100})/")
MOBILE = "07700900982"
# Distinctive identifiers, so that finding one of them in a message can only be a leak.
GIVEN_NAME = "Ottoline"
FAMILY_NAME = "Quennell"
DATE_OF_BIRTH = datetime.date(1961, 2, 27)
DATE_OF_BIRTH_FORMS = ("1961-02-27", "27/02/1961", "27 February 1961", "27 Feb 1961", "1961")

# A worker whose default queue is the test's, so the sends a sweep queues stay on it.
WORKER_SCRIPT = """
import sys
from pathway.celery import app
queue = sys.argv[1]
app.conf.task_default_queue = queue
app.worker_main([
    "worker", "--pool=solo", "--loglevel=WARNING", "-Q", queue,
    "--without-heartbeat", "--without-mingle", "--without-gossip",
])
"""


def wait_until(predicate, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def state_of(message):
    return OutboundMessage.objects.values_list("state", flat=True).get(pk=message.pk)


def make_person(practice, **fields):
    from tests.factories import PatientFactory

    defaults = {
        "given_name": GIVEN_NAME,
        "family_name": FAMILY_NAME,
        "date_of_birth": DATE_OF_BIRTH,
        "email": f"person-{uuid.uuid4().hex[:12]}@example.com",
        "registered_practice": practice,
    }
    return PatientFactory(**{**defaults, **fields})


def invitation_of(episode):
    return episode.messages.get(kind=MessageKind.PROM_INVITATION)


def assert_no_identifiers(text, patient):
    for identifier in (GIVEN_NAME, FAMILY_NAME, patient.nhs_number, *DATE_OF_BIRTH_FORMS):
        assert identifier.lower() not in text.lower(), f"{identifier!r} is in the message"


@pytest.fixture
def smtp():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def smtp_settings(smtp, settings):
    smtp.use_in(settings)
    return smtp


# --- Real workers -----------------------------------------------------------------------------


def redis_client():
    from django.conf import settings

    return redis.Redis.from_url(settings.REDIS_URL)


def forget_queue(queue):
    """Remove what this test's queue left in the shared Redis."""
    client = redis_client()
    client.delete(queue, *[f"{queue}\x06\x16{priority}" for priority in (3, 6, 9)])
    # A SIGKILLed worker leaves its task in kombu's unacked hash, which would put it back on
    # this queue after the visibility timeout; drop those entries (and only those).
    for tag, raw in client.hscan_iter("unacked"):
        try:
            routing_key = json.loads(raw)[2]
        except (ValueError, IndexError, TypeError):
            continue
        if routing_key == queue:
            client.zrem("unacked_index", tag)
            client.hdel("unacked", tag)


def worker_environment(**overrides):
    # The worker must use the test database this test reads, not the development one.
    settings_dict = connection.settings_dict
    return subprocess_environment(
        DATABASE_URL=(
            f"postgres://{settings_dict['USER'] or ''}:{settings_dict['PASSWORD'] or ''}"
            f"@{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}"
            f"/{settings_dict['NAME']}"
        ),
        **overrides,
    )


@pytest.fixture
def celery_queue(transactional_db):
    from pathway.celery import app

    queue = f"test-{uuid.uuid4().hex}"
    # Tasks this process sends without naming a queue (the sweep a referral asks for once it
    # commits, the sends a sweep queues) go to this test's queue, not the shared default.
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        yield queue
    finally:
        app.conf.task_default_queue = default_queue
        forget_queue(queue)


@pytest.fixture
def start_worker(celery_queue, smtp):
    """start_worker() -> a Celery worker process on the test's queue, mailing to `smtp`."""
    workers = []

    def start():
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER_SCRIPT, celery_queue],
            env=worker_environment(EMAIL_URL=smtp.email_url),
        )
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        # A warm shutdown finishes the task in hand; celery_queue then drops what is left.
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)


def wait_for_queue_to_be_worked(queue):
    """A solo worker takes tasks in order: once a marker task has run, all before it have."""
    from pathway.core.models import Heartbeat
    from pathway.core.tasks import record_heartbeat

    marker = f"drained-{uuid.uuid4().hex}"
    record_heartbeat.apply_async(kwargs={"name": marker}, queue=queue)
    wait_until(lambda: Heartbeat.objects.filter(name=marker).exists(), "the marker task")


@pytest.mark.redis
def test_due_invitation_is_delivered_once_by_a_real_worker_over_smtp(
    celery_queue, start_worker, smtp, make_episode, practice
):
    from pathway.messaging.tasks import send_messages, sweep_outbox
    from pathway.proms.links import find_link

    patient = make_person(practice)
    # Opening the episode queues the baseline invitation, due now, and asks for a sweep.
    invitation = invitation_of(make_episode(patient=patient))

    start_worker()
    wait_until(lambda: state_of(invitation) == MessageState.SENT, "the invitation to be sent")
    # Asked again (a task delivered twice, the next beat sweep): nothing more is sent.
    send_messages.apply_async(args=[[invitation.pk]], queue=celery_queue)
    sweep_outbox.apply_async(queue=celery_queue)
    wait_for_queue_to_be_worked(celery_queue)

    [mail] = smtp.handler.to(patient.email)
    token = LINK.search(mail.body).group(1)
    assert find_link(token).timepoint == invitation.prom_timepoint
    assert_no_identifiers(mail.raw.decode(), patient)
    invitation.refresh_from_db()
    assert (invitation.state, invitation.attempts) == (MessageState.SENT, 1)
    assert invitation.sent_at is not None


@pytest.mark.redis
def test_sweep_run_twice_at_once_delivers_each_due_message_once(
    celery_queue, start_worker, smtp, make_episode, practice
):
    from pathway.messaging.tasks import sweep_outbox

    patients = [make_person(practice) for _ in range(4)]
    invitations = [invitation_of(make_episode(patient=patient)) for patient in patients]
    at_once = threading.Barrier(2)
    queued = []

    def sweep():
        try:
            at_once.wait(timeout=10)
            queued.append(sweep_outbox.apply().get())
        finally:
            connection.close()

    sweeps = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in sweeps:
        thread.start()
    for thread in sweeps:
        thread.join(timeout=30)
    # Between them the sweeps queued every due message at least once (usually the first one
    # marks them queued and the second finds none; in a tight race both may queue them).
    assert sum(queued) >= len(invitations)

    start_worker()
    start_worker()
    wait_until(
        lambda: all(state_of(message) == MessageState.SENT for message in invitations),
        "every invitation to be sent",
    )

    # Sent rows can never be claimed again, so these counts are final.
    assert [len(smtp.handler.to(patient.email)) for patient in patients] == [1, 1, 1, 1]
    assert len(smtp.handler.received) == len(invitations)


@pytest.mark.redis
def test_message_of_worker_killed_mid_send_is_requeued_and_delivered_once(
    celery_queue, start_worker, smtp, make_episode, practice, settings
):
    from pathway.messaging.sending import requeue_stuck
    from pathway.messaging.tasks import send_messages
    from pathway.proms.links import find_link

    smtp.handler.stall_next(1, seconds=25)
    patient = make_person(practice)
    invitation = invitation_of(make_episode(patient=patient))
    first = start_worker()
    assert smtp.handler.stalled.wait(timeout=30), "the worker never reached DATA"
    assert state_of(invitation) == MessageState.SENDING

    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    smtp.wait_for(lambda handler: len(handler.abandoned) == 1, message="the dropped client")
    assert state_of(invitation) == MessageState.SENDING
    later = timezone.now() + datetime.timedelta(minutes=settings.MESSAGE_STUCK_MINUTES + 1)
    assert requeue_stuck(now=later) == 1
    assert state_of(invitation) == MessageState.PENDING
    start_worker()
    send_messages.apply_async(args=[[invitation.pk]], queue=celery_queue)
    wait_until(lambda: state_of(invitation) == MessageState.SENT, "the resend")

    [mail] = smtp.handler.to(patient.email)
    assert find_link(LINK.search(mail.body).group(1)) is not None
    [abandoned] = smtp.handler.abandoned
    assert abandoned.rcpt_tos == (patient.email,)
    invitation.refresh_from_db()
    assert invitation.attempts == 2


# --- In this process: deliver() called directly ----------------------------------------------


@pytest.mark.parametrize(
    "reply",
    ["451 4.3.0 Mailbox temporarily unavailable", "554 5.7.1 Message rejected"],
)
def test_refused_email_is_retried_with_backoff_then_failed_with_text_fallback(
    smtp_settings, settings, make_episode, practice, reply
):
    from pathway.messaging.sending import deliver

    patient = make_person(practice, mobile=MOBILE)
    invitation = invitation_of(make_episode(patient=patient))
    tries = settings.MESSAGE_MAX_ATTEMPTS
    smtp_settings.handler.refuse_next(tries, reply)

    for attempt in range(1, tries):
        asked_at = timezone.now()
        assert deliver(invitation.pk) == "retrying"
        invitation.refresh_from_db()
        assert (invitation.state, invitation.attempts) == (MessageState.PENDING, attempt)
        backoff = invitation.due_at - asked_at
        assert datetime.timedelta(minutes=2**attempt) <= backoff
        assert backoff < datetime.timedelta(minutes=2**attempt, seconds=30)
        assert deliver(invitation.pk) == "not claimed"  # not due again before the backoff
        OutboundMessage.objects.filter(pk=invitation.pk).update(due_at=timezone.now())
    assert deliver(invitation.pk) == "failed"

    invitation.refresh_from_db()
    assert (invitation.state, invitation.attempts) == (MessageState.FAILED, tries)
    assert invitation.last_error.startswith("Email not accepted")
    assert_no_identifiers(invitation.last_error, patient)
    assert patient.email not in invitation.last_error
    assert len(smtp_settings.handler.refused) == tries
    assert smtp_settings.handler.received == []
    [fallback] = OutboundMessage.objects.filter(patient=patient, channel=Channel.SMS)
    assert fallback.key != invitation.key
    assert fallback.key.endswith(":fallback")
    assert (fallback.state, fallback.kind) == (MessageState.PENDING, MessageKind.PROM_INVITATION)
    assert fallback.prom_timepoint == invitation.prom_timepoint


def test_refused_email_of_person_without_mobile_fails_without_fallback(
    smtp_settings, settings, make_episode, practice
):
    from pathway.messaging.sending import deliver

    patient = make_person(practice, mobile="")
    invitation = invitation_of(make_episode(patient=patient))
    smtp_settings.handler.refuse_next(settings.MESSAGE_MAX_ATTEMPTS)
    OutboundMessage.objects.filter(pk=invitation.pk).update(
        attempts=settings.MESSAGE_MAX_ATTEMPTS - 1
    )

    assert deliver(invitation.pk) == "failed"

    assert state_of(invitation) == MessageState.FAILED
    assert not OutboundMessage.objects.filter(patient=patient, channel=Channel.SMS).exists()


def test_invitation_for_completed_timepoint_is_cancelled_and_not_sent(
    smtp_settings, make_episode, practice
):
    from pathway.messaging.sending import deliver
    from pathway.proms.models import PromTimepoint, TimepointState

    invitation = invitation_of(make_episode(patient=make_person(practice)))
    # Completed after the sweep queued the send: the send itself must notice.
    PromTimepoint.objects.filter(pk=invitation.prom_timepoint_id).update(
        state=TimepointState.COMPLETED, completed_at=timezone.now()
    )

    assert deliver(invitation.pk) == "cancelled"

    invitation.refresh_from_db()
    assert invitation.state == MessageState.CANCELLED
    assert invitation.last_error == "The questionnaires are no longer open"
    assert smtp_settings.handler.received == []


def test_messages_of_person_who_opted_out_are_cancelled_and_not_sent(
    smtp_settings, make_episode, practice
):
    from pathway.messaging.sending import deliver
    from pathway.proms.schedule import opt_out

    patient = make_person(practice)
    episode = make_episode(patient=patient)
    messages = list(episode.messages.all())
    assert len(messages) >= 2  # the invitation and its reminders
    OutboundMessage.objects.filter(pk__in=[m.pk for m in messages]).update(due_at=timezone.now())

    opt_out(patient=patient, by=PATIENT, context=TEST_CONTEXT)

    assert [deliver(message.pk) for message in messages] == ["not claimed"] * len(messages)
    assert {state_of(message) for message in messages} == {MessageState.CANCELLED}
    assert smtp_settings.handler.received == []


def test_stuck_message_of_person_who_opted_out_is_cancelled_when_requeued(
    smtp_settings, make_episode, practice, settings
):
    from pathway.messaging.sending import claim, deliver, requeue_stuck
    from pathway.proms.schedule import opt_out

    patient = make_person(practice)
    invitation = invitation_of(make_episode(patient=patient))
    assert claim(invitation.pk) is not None  # a worker took it, then died before sending
    opt_out(patient=patient, by=PATIENT, context=TEST_CONTEXT)
    later = timezone.now() + datetime.timedelta(minutes=settings.MESSAGE_STUCK_MINUTES + 1)
    assert requeue_stuck(now=later) == 1

    assert deliver(invitation.pk) == "cancelled"

    invitation.refresh_from_db()
    assert invitation.state == MessageState.CANCELLED
    assert invitation.last_error == "The person opted out"
    assert smtp_settings.handler.received == []


def test_delivered_message_token_never_appears_in_logs(
    smtp_settings, make_episode, practice, caplog
):
    from pathway.messaging.sending import deliver

    caplog.set_level(logging.DEBUG)
    invitation = invitation_of(make_episode(patient=make_person(practice)))
    smtp_settings.handler.refuse_next(1)  # a retry logs a warning: that must not leak either

    assert deliver(invitation.pk) == "retrying"
    OutboundMessage.objects.filter(pk=invitation.pk).update(due_at=timezone.now())
    assert deliver(invitation.pk) == "sent"

    mails = smtp_settings.handler.refused + smtp_settings.handler.received
    tokens = [LINK.search(mail.body).group(1) for mail in mails]
    assert len(set(tokens)) == 2
    # mail.log is aiosmtpd's own logger: the test's SMTP server plays the recipient's side.
    ours = [record for record in caplog.records if not record.name.startswith("mail.log")]
    assert any(record.name == "pathway.messaging.sending" for record in ours)
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in ours
    )
    for token in tokens:
        assert token not in logged
