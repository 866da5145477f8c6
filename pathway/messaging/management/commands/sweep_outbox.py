"""Run the outbox sweep once, now: what the beat does every minute.

Without REDIS_URL (as with `make run`) the messages are sent in this process; with a broker
they are queued for the workers.
"""

from django.core.management.base import BaseCommand

from pathway.messaging.tasks import sweep_outbox


class Command(BaseCommand):
    help = "Send (or queue) every due message."

    def handle(self, *args, **options):
        queued = sweep_outbox.apply().get()
        self.stdout.write(f"{queued} due message(s) sent or queued.")
