"""Messaging sends what the owning app says: every kind has a renderer, registered once."""

import pytest

from pathway.messaging import checks, renderers
from pathway.messaging.models import MessageKind


def test_every_kind_of_message_has_a_renderer():
    assert renderers.kinds_without_renderer(MessageKind.values) == []
    assert checks.check_every_kind_has_renderer() == []


def test_a_kind_without_a_renderer_stops_the_system_check(monkeypatch):
    monkeypatch.delitem(renderers._renderers, MessageKind.APPOINTMENT_BOOKED)

    [error] = checks.check_every_kind_has_renderer()

    assert error.id == "messaging.E001"
    assert MessageKind.APPOINTMENT_BOOKED in error.msg


def test_a_second_renderer_for_a_kind_is_refused():
    current = renderers.renderer_for(MessageKind.PROM_INVITATION)
    renderers.register(MessageKind.PROM_INVITATION, current)  # the same one again: harmless

    with pytest.raises(ValueError, match="already have a renderer"):
        renderers.register(MessageKind.PROM_INVITATION, renderers.Renderer("other.txt"))

    assert renderers.renderer_for(MessageKind.PROM_INVITATION) is current


def test_questionnaire_messages_fetch_their_time_point_with_the_claimed_row():
    assert "prom_timepoint__episode__patient" in renderers.related_fields()
