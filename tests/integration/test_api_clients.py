"""manage.py create_api_client and revoke_api_client: the private key is printed once and
never kept; a client belongs to exactly one organisation."""

import io
import re

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from pathway.accounts.scoping import OrganisationScope
from pathway.api.keys import public_pem
from pathway.api.models import ApiClient
from pathway.audit.models import AuditAction, AuditEvent
from tests.api_clients import make_client, private_key

pytestmark = pytest.mark.django_db

PEM = re.compile(r"-----BEGIN PRIVATE KEY-----.+?-----END PRIVATE KEY-----\n", re.S)


def create(*args):
    out = io.StringIO()
    call_command("create_api_client", *args, stdout=out)
    return out.getvalue()


def stored_text():
    """Everything the API's tables hold, as text."""
    return str(list(ApiClient.objects.values()))


def test_the_command_prints_the_client_id_and_private_key_and_keeps_only_the_public_key(
    practice,
):
    output = create(
        "Riverside EMIS", "--organisation", practice.ods_code, "--scopes", "system/Patient.read"
    )

    client = ApiClient.objects.get(name="Riverside EMIS")
    assert f"Client id:    {client.client_id}" in output
    private_pem = PEM.search(output).group()
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    assert key.key_size == 4096
    assert client.public_key == public_pem(key.public_key())
    assert "PRIVATE KEY" not in stored_text()
    assert private_pem.strip().splitlines()[1] not in stored_text()
    # The printed key signs what the stored key verifies: the pair works.
    signed = jwt.encode({"iss": client.client_id}, key, algorithm="RS512")
    assert jwt.decode(signed, client.public_key, algorithms=["RS512"])["iss"] == client.client_id


def test_the_client_belongs_to_the_organisation_the_code_names(practice, service):
    create("Practice system", "--organisation", practice.ods_code, "--scopes", "system/*.read")
    create("Service system", "--organisation", service.code, "--scopes", "system/*.read")
    create("Area tool", "--organisation", practice.area.code, "--scopes", "system/*.read")

    scopes = {client.name: client.organisation_scope() for client in ApiClient.objects.all()}
    assert scopes == {
        "Practice system": OrganisationScope("practice", practice.pk),
        "Service system": OrganisationScope("service", service.pk),
        "Area tool": OrganisationScope("area", practice.area.pk),
    }


def test_a_revoked_client_sees_nothing_even_unchecked(practice):
    create("Revoked", "--organisation", practice.ods_code, "--scopes", "system/*.read")
    client = ApiClient.objects.get(name="Revoked")
    client.revoked_at = timezone.now()

    assert client.organisation_scope() is None


def test_the_creation_is_audited_as_the_command(practice):
    create("Audited", "--organisation", practice.ods_code, "--scopes", "system/Patient.read")

    event = AuditEvent.objects.get(object_type="api.apiclient")
    assert (event.action, event.role, event.channel) == (AuditAction.CREATE, "command", "command")


def test_a_clients_own_public_key_is_kept_and_nothing_secret_printed(practice, tmp_path):
    key_file = tmp_path / "client.pem"
    key_file.write_text(public_pem(private_key().public_key()))

    output = create(
        "Own key",
        "--organisation",
        practice.ods_code,
        "--scopes",
        "system/Patient.read",
        "--public-key",
        str(key_file),
    )

    assert "PRIVATE KEY" not in output
    assert ApiClient.objects.get(name="Own key").public_key == key_file.read_text()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--organisation", "NOWHERE", "--scopes", "system/Patient.read"], "No GP practice"),
        (["--organisation", "{ods}", "--scopes", "patient/Patient.read"], "not a scope"),
        (["--organisation", "{ods}", "--scopes", "system/Patients.read"], "not a FHIR R4"),
        (["--organisation", "{ods}", "--scopes", " "], "at least one scope"),
    ],
)
def test_a_bad_organisation_or_scope_is_refused_and_nothing_saved(practice, arguments, message):
    arguments = [argument.format(ods=practice.ods_code) for argument in arguments]

    with pytest.raises(CommandError, match=message):
        create("Refused", *arguments)
    assert not ApiClient.objects.exists()


def test_a_private_key_given_as_the_public_key_is_refused(practice, tmp_path):
    key_file = tmp_path / "oops.pem"
    key_file.write_bytes(
        private_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    with pytest.raises(CommandError, match="private key"):
        create(
            "Oops",
            "--organisation",
            practice.ods_code,
            "--scopes",
            "system/Patient.read",
            "--public-key",
            str(key_file),
        )
    assert not ApiClient.objects.exists()


def test_a_second_client_of_the_same_name_is_refused(practice):
    make_client(practice, name="Twice")

    with pytest.raises(CommandError, match="already"):
        create("Twice", "--organisation", practice.ods_code, "--scopes", "system/Patient.read")


def test_a_code_two_kinds_of_organisation_share_needs_a_kind(practice, service):
    service.code = practice.ods_code
    service.save()
    arguments = ["--organisation", practice.ods_code, "--scopes", "system/Patient.read"]

    with pytest.raises(CommandError, match="--kind"):
        create("Ambiguous", *arguments)
    create("Clear", *arguments, "--kind", "service")

    assert ApiClient.objects.get(name="Clear").service == service


def test_the_database_refuses_a_client_of_two_organisations(practice, service):
    client = make_client(practice)
    client.service = service

    with pytest.raises(IntegrityError):
        client.save()


def test_revoking_a_client_by_its_id(practice):
    client = make_client(practice)
    out = io.StringIO()

    call_command("revoke_api_client", client.client_id, stdout=out)

    client.refresh_from_db()
    assert client.revoked_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(client.pk)).exists()
