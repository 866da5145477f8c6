from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "pathway.messaging"

    def ready(self):
        from pathway.messaging import checks  # noqa: F401  (registers the system checks)
        from pathway.messaging.models import MessageKind
        from pathway.messaging.renderers import Renderer, register

        # Queued by this app itself (actions.queue_appointment_notice, queue_referral_received:
        # the self-referral's door asks for the latter); other kinds are
        # registered by the app that queues them.
        register(MessageKind.APPOINTMENT_BOOKED, Renderer("messaging/appointment_booked.txt"))
        register(MessageKind.REFERRAL_RECEIVED, Renderer("messaging/referral_received.txt"))
