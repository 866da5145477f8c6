"""Revoke an API client: it can get no more tokens, and the ones it holds stop working."""

from django.core.management.base import BaseCommand, CommandError

from pathway.api.actions import revoke_api_client
from pathway.api.models import ApiClient
from pathway.audit.context import Actor, AuditContext, Channel

COMMAND_ACTOR = Actor(kind="command", name="manage.py revoke_api_client")
COMMAND_CONTEXT = AuditContext(channel=Channel.COMMAND)


class Command(BaseCommand):
    help = "Revoke the API client with this client id (or name), at once and for good."

    def add_arguments(self, parser):
        parser.add_argument("client", metavar="CLIENT_ID_OR_NAME")

    def handle(self, *args, client, **options):
        found = (
            ApiClient.objects.filter(client_id=client).first()
            or ApiClient.objects.filter(name=client).first()
        )
        if found is None:
            raise CommandError(f"There is no API client {client}.")
        revoke_api_client(client=found, by=COMMAND_ACTOR, context=COMMAND_CONTEXT)
        self.stdout.write(f"Revoked {found.name} ({found.client_id}).")
