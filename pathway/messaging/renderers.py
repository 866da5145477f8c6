"""What each kind of message says, given by the app that queues that kind.

Messaging sends rows of the outbox and knows nothing of what they are about: the app that owns
a kind registers its renderer in its AppConfig.ready (questionnaire invitations in
pathway/proms/messages.py). A kind without a renderer stops `manage.py check` (checks.py), so
a message can never be claimed with nothing to say.
"""

from collections.abc import Callable
from dataclasses import dataclass


def _nothing_more(message):
    return {}


def _still_wanted(message):
    return None


@dataclass(frozen=True)
class Renderer:
    # A plain-text template; its context always has `service` and `message`.
    template: str
    # message -> more context (a link, say). Called inside the transaction that sends the
    # message, so it may write a row that must not exist unless the message is composed.
    context: Callable = _nothing_more
    # message -> why it is no longer wanted (a sentence the row keeps), or None.
    reason_not_to_send: Callable = _still_wanted
    # Relations the two callables read, fetched with the claimed row in the same query.
    related: tuple[str, ...] = ()


_renderers: dict[str, Renderer] = {}


def register(kind, renderer):
    if _renderers.setdefault(kind, renderer) != renderer:
        raise ValueError(f"Messages of kind {kind!r} already have a renderer")


def renderer_for(kind):
    return _renderers[kind]


def kinds_without_renderer(kinds):
    return [kind for kind in kinds if kind not in _renderers]


def related_fields():
    """Every registered renderer's relations, for the one query that claims a message."""
    return sorted({path for renderer in _renderers.values() for path in renderer.related})
