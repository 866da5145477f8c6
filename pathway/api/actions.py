"""Registering and revoking API clients, and issuing their access tokens."""

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from pathway.api.acting import client_actor
from pathway.api.keys import checked_public_key
from pathway.api.models import AccessToken, ApiClient, UsedAssertion
from pathway.api.scopes import parse_scopes
from pathway.audit.actions import record_event
from pathway.audit.models import AuditAction
from pathway.organisations.models import CommissioningArea, GPPractice, ProviderService

_ORGANISATION_FIELDS = {
    GPPractice: "practice",
    ProviderService: "service",
    CommissioningArea: "area",
}


class ApiClientRefused(ValueError):
    pass


class AssertionReplayed(Exception):
    pass


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


def token_hash(token):
    # Tokens are 256 random bits: a plain SHA-256 cannot be reversed or guessed.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def register_api_client(*, name, organisation, scopes, public_key, by, context):
    """A new client of `organisation` (a practice, service or area) with these scopes (text,
    as `parse_scopes` reads it) and the PEM of its RSA public key. Raises ApiClientRefused,
    InvalidScope or InvalidPublicKey."""
    field = _ORGANISATION_FIELDS.get(type(organisation))
    if field is None:
        raise ApiClientRefused("A client belongs to a GP practice, a service or an area.")
    if ApiClient.objects.filter(name=name).exists():
        raise ApiClientRefused(f"There is already an API client called {name}.")
    client = ApiClient.objects.create(
        name=name,
        scopes=" ".join(parse_scopes(scopes)),
        public_key=checked_public_key(public_key),
        **{field: organisation},
    )
    record_event(by=by, context=context, action=AuditAction.CREATE, obj=client)
    return client


@transaction.atomic
def revoke_api_client(*, client, by, context):
    """The client can get no more tokens, and the ones it has stop working at once."""
    if client.revoked_at is not None:
        return client
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    client.tokens.all().delete()
    record_event(by=by, context=context, action=AuditAction.UPDATE, obj=client)
    return client


@transaction.atomic
def issue_token(*, assertion, scopes, context):
    """A new access token for the client whose verified `assertion` (pathway.api.assertions)
    asks for it, with `scopes`. Raises AssertionReplayed if the assertion's jti was used."""
    client, now = assertion.client, timezone.now()
    try:
        with transaction.atomic():
            UsedAssertion.objects.create(
                client=client, jti=assertion.jti, expires_at=assertion.expires_at
            )
    except IntegrityError as error:
        raise AssertionReplayed from error
    lifetime = settings.API_ACCESS_TOKEN_SECONDS
    token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        token_hash=token_hash(token),
        client=client,
        scopes=" ".join(scopes),
        issued_at=now,
        expires_at=now + datetime.timedelta(seconds=lifetime),
    )
    # What has expired is no use to anyone: cleared here, so no periodic task is needed.
    UsedAssertion.objects.filter(expires_at__lt=now).delete()
    AccessToken.objects.filter(expires_at__lt=now).delete()
    record_event(by=client_actor(client), context=context, action=AuditAction.SIGN_IN, obj=client)
    return IssuedToken(access_token=token, expires_in=lifetime, scopes=tuple(scopes))
