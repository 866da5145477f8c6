"""Register an application that may call the FHIR API for one organisation.

The command makes the client's RSA key pair, keeps only the public key, and prints the private
key once, here: the service cannot show it again, so it cannot leak it either (ADR 0012). A
client that makes its own key pair gives its public key with --public-key instead, and nothing
secret is printed at all.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pathway.api.actions import ApiClientRefused, register_api_client
from pathway.api.keys import InvalidPublicKey, new_key_pair
from pathway.api.responses import token_url
from pathway.api.scopes import InvalidScope
from pathway.audit.context import Actor, AuditContext, Channel
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService

COMMAND_ACTOR = Actor(kind="command", name="manage.py create_api_client")
COMMAND_CONTEXT = AuditContext(channel=Channel.COMMAND)

# Kind of organisation -> (model, its code field).
KINDS = {
    "practice": (GPPractice, "ods_code"),
    "service": (ProviderService, "code"),
    "area": (CommissioningArea, "code"),
}


class Command(BaseCommand):
    help = (
        "Register an API client NAME for one organisation and print its client id and "
        "private key (once: only the public key is kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--organisation",
            required=True,
            metavar="CODE",
            help="a GP practice's ODS code, a provider service's code or an area's code",
        )
        parser.add_argument(
            "--kind", choices=sorted(KINDS), help="which kind of organisation CODE is, if unclear"
        )
        parser.add_argument(
            "--scopes", required=True, help='for example "system/Patient.read system/*.read"'
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            metavar="PEM_FILE",
            help="the client's own RSA public key: no key pair is made and nothing is secret",
        )

    def handle(self, *args, name, organisation, kind, scopes, public_key, **options):
        found = find_organisation(organisation, kind)
        private_pem, public_pem = (None, public_key.read_text()) if public_key else new_key_pair()
        try:
            client = register_api_client(
                name=name,
                organisation=found,
                scopes=scopes,
                public_key=public_pem,
                by=COMMAND_ACTOR,
                context=COMMAND_CONTEXT,
            )
        except (ApiClientRefused, InvalidScope, InvalidPublicKey) as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(f"API client:   {client.name}, for {found}")
        self.stdout.write(f"Client id:    {client.client_id}")
        self.stdout.write(f"Scopes:       {client.scopes}")
        self.stdout.write(f"Token URL:    {token_url()}")
        if private_pem:
            self.stdout.write(
                "\nThe client's private key follows. It is shown this once and not kept by the "
                "service: store it in the client system's secret store now.\n"
            )
            self.stdout.write(private_pem)


def find_organisation(code, kind=None):
    """The one organisation of `kind` (or of any kind) whose code is `code`."""
    found = [
        organisation
        for name, (model, field) in KINDS.items()
        if kind in (None, name)
        for organisation in model.objects.filter(**{field: code})
    ]
    if not found:
        raise CommandError(f"No GP practice, service or area has the code {code}.")
    if len(found) > 1:
        raise CommandError(f"{code} is the code of more than one organisation: add --kind.")
    return found[0]
