"""What questionnaire invitations and reminders say, and when they are no longer wanted.

Registered with messaging by PromsConfig.ready: messaging sends them without knowing what a
questionnaire is. Each message carries a new patient link, made as it is composed.
"""

from pathway.messaging.models import MessageKind
from pathway.messaging.renderers import Renderer, register
from pathway.proms.links import create_link, link_url, usable_timepoint
from pathway.proms.schedule import open_if_due

TEMPLATES = {
    MessageKind.PROM_INVITATION: "proms/messages/invitation.txt",
    MessageKind.PROM_REMINDER: "proms/messages/reminder.txt",
}


def reason_not_to_send(message):
    if message.patient.prom_opt_out_at:
        return "The person opted out"
    entry = message.prom_timepoint
    # An invitation falls due the moment its window opens, and the outbox's sweep may reach it
    # before the questionnaires' sweep has opened the time point: open it now, as that would.
    open_if_due(entry)
    if not usable_timepoint(entry):
        return "The questionnaires are no longer open"
    return None


def link_context(message):
    token, _ = create_link(timepoint=message.prom_timepoint)
    return {"url": link_url(token)}


def register_renderers():
    for kind, template in TEMPLATES.items():
        renderer = Renderer(
            template,
            context=link_context,
            reason_not_to_send=reason_not_to_send,
            related=("prom_timepoint__episode__patient",),
        )
        register(kind, renderer)
