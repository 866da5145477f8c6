"""Putting tasks on the broker without letting a broker outage break the caller.

Every message is in the database (the outbox) before its task is published, so a task that
cannot be published is never lost: the beat's sweep finds the row and publishes it again. A
page that saved a referral or an appointment must therefore answer normally when Redis is
down, and a sweep that could not publish must leave its rows for the next sweep.
`CELERY_TASK_PUBLISH_RETRY_POLICY` and `CELERY_BROKER_CONNECTION_TIMEOUT` keep the time a
caller spends finding that out to seconds.
"""

import logging

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# kombu wraps connection failures in OperationalError; the others are belt and braces for a
# transport that lets its own error through.
BROKER_ERRORS = (OperationalError, RedisError, ConnectionError, TimeoutError)


def publish(task, *args):
    """task.delay(*args), or False (logged) when the broker cannot be reached.

    Arguments are primary keys only, and only the task's name and the error's class are
    logged: the error text can carry the broker's address, never patient data, but keep it out.
    """
    try:
        task.delay(*args)
    except BROKER_ERRORS as error:
        logger.warning(
            "broker unavailable: %s not queued (%s); the outbox sweep will queue it again",
            task.name,
            type(error).__name__,
        )
        return False
    return True


def publish_each(task, ids):
    """Publish task(id) for each id through one broker connection; stop at the first broker
    failure. Returns the ids not published, so the caller can leave them for the next sweep.

    One producer for the whole batch: a connection and channel per task would cap a sweep at
    a few hundred messages a second."""
    ids = list(ids)
    if not ids:
        return []
    if task.app.conf.task_always_eager:
        # No broker (local development): each task runs here and now.
        for pk in ids:
            task.delay(pk)
        return []
    published = 0
    try:
        with task.app.producer_or_acquire() as producer:
            for pk in ids:
                task.apply_async((pk,), producer=producer)
                published += 1
    except BROKER_ERRORS as error:
        logger.warning(
            "broker unavailable: %s of %s %s not queued (%s); the outbox sweep will queue "
            "them again",
            len(ids) - published,
            len(ids),
            task.name,
            type(error).__name__,
        )
        return ids[published:]
    return []
