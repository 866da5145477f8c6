"""The sweep queues due messages in chunks, each message still claimed and sent on its own."""

import base64
import datetime
import json

import pytest
import redis

from pathway.messaging import sending, tasks
from pathway.messaging.models import Channel, MessageKind, OutboundMessage

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def due_invitations(episode, count):
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            key=f"chunk-test:{number}",
            patient=episode.patient,
            episode=episode,
            kind=MessageKind.PROM_INVITATION,
            channel=Channel.EMAIL,
            due_at=LONG_AGO,
        )
        for number in range(count)
    )
    return set(
        OutboundMessage.objects.filter(key__startswith="chunk-test:").values_list("pk", flat=True)
    )


def test_chunks_hold_every_due_message_once(episode, monkeypatch):
    ids = sorted(due_invitations(episode, tasks.SEND_CHUNK * 2 + 7))
    published = []

    def publish_each(task, chunks):
        published.append((task, chunks))
        return []

    monkeypatch.setattr(tasks, "publish_each", publish_each)

    tasks._queue_sends(ids)

    [(task, chunks)] = published
    assert task is tasks.send_messages
    assert [len(chunk) for chunk in chunks] == [tasks.SEND_CHUNK, tasks.SEND_CHUNK, 7]
    assert [pk for chunk in chunks for pk in chunk] == ids


def test_ids_of_chunks_that_could_not_be_published_are_released(episode, monkeypatch):
    ids = sorted(due_invitations(episode, tasks.SEND_CHUNK + 2))
    OutboundMessage.objects.filter(pk__in=ids).update(queued_at=LONG_AGO)
    monkeypatch.setattr(tasks, "publish_each", lambda task, chunks: chunks[1:])

    tasks._queue_sends(ids)

    released = set(
        OutboundMessage.objects.filter(pk__in=ids, queued_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    assert released == set(ids[tasks.SEND_CHUNK :])


def test_one_failing_message_does_not_stop_the_rest_of_its_chunk(episode, monkeypatch):
    ids = sorted(due_invitations(episode, 3))
    delivered = []

    def deliver(message_id):
        if message_id == ids[1]:
            raise RuntimeError("provider exploded")
        delivered.append(message_id)

    monkeypatch.setattr(sending, "deliver", deliver)

    tasks.send_messages(ids)

    assert delivered == [ids[0], ids[2]]


@pytest.mark.redis
def test_sweep_puts_chunks_of_ids_on_the_real_broker(episode, settings):
    queue = redis.Redis.from_url(settings.REDIS_URL)
    queue.delete("celery")
    ids = due_invitations(episode, tasks.SEND_CHUNK + 1)

    tasks._queue_sends(sorted(ids))

    chunks = []
    for raw in queue.lrange("celery", 0, -1):
        envelope = json.loads(raw)
        if envelope["headers"]["task"] == "pathway.messaging.tasks.send_messages":
            args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
            chunks.append(args[0])
    queue.delete("celery")
    assert sorted(len(chunk) for chunk in chunks) == [1, tasks.SEND_CHUNK]
    assert sorted(pk for chunk in chunks for pk in chunk) == sorted(ids)
