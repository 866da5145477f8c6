"""Checking a client's signed JWT assertion, as NHS APIs' application-restricted access does
(private_key_jwt, RFC 7523): signed RS512 with the client's private key, `iss` and `sub` its
client id, `aud` the token URL, `exp` no more than five minutes ahead, `jti` unique.

Whether the `jti` was used before is the token action's business (pathway.api.actions): it
is recorded in the same transaction as the token it buys.
"""

import datetime
import uuid
from dataclasses import dataclass

import jwt
from django.utils import timezone

from pathway.api.models import ApiClient

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHM = "RS512"
LONGEST_LIFE = datetime.timedelta(minutes=5)
LONGEST_JTI = 200

# The same words for an unknown client, a revoked one and a bad signature: the answer must
# not tell a caller which client ids exist.
NOT_RECOGNISED = "The client assertion is not signed by the key of an active API client."


class AssertionRefused(Exception):
    pass


@dataclass(frozen=True)
class Assertion:
    client: ApiClient
    jti: str
    expires_at: datetime.datetime


def verify_assertion(text, *, audience):
    """The Assertion in `text`, or AssertionRefused saying what is wrong with it."""
    client = _claimed_client(text)
    try:
        claims = jwt.decode(
            text,
            client.public_key,
            algorithms=[ALGORITHM],
            audience=audience,
            options={"require": ["iss", "sub", "aud", "exp", "jti"]},
        )
    except jwt.InvalidSignatureError as error:
        raise AssertionRefused(NOT_RECOGNISED) from error
    except jwt.ExpiredSignatureError as error:
        raise AssertionRefused("The client assertion has expired: sign a new one.") from error
    except jwt.InvalidAudienceError as error:
        raise AssertionRefused(f"The assertion's aud must be the token URL, {audience}") from error
    except jwt.MissingRequiredClaimError as error:
        raise AssertionRefused(f"The assertion has no {error.claim} claim.") from error
    except jwt.PyJWTError as error:
        raise AssertionRefused(f"The client assertion is not valid: {error}") from error
    expires_at = datetime.datetime.fromtimestamp(claims["exp"], tz=datetime.UTC)
    if expires_at > timezone.now() + LONGEST_LIFE:
        raise AssertionRefused("The assertion's exp must be no more than 5 minutes from now.")
    jti = claims["jti"]
    if not isinstance(jti, str) or not 0 < len(jti) <= LONGEST_JTI or not jti.isprintable():
        raise AssertionRefused(
            f"The assertion's jti must be text of 1 to {LONGEST_JTI} characters."
        )
    return Assertion(client=client, jti=jti, expires_at=expires_at)


def _claimed_client(text):
    """The active client the assertion claims to come from (its signature not yet checked)."""
    try:
        header = jwt.get_unverified_header(text)
        claims = jwt.decode(text, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise AssertionRefused("The client assertion is not a JWT.") from error
    if header.get("alg") != ALGORITHM:
        raise AssertionRefused(f"The client assertion must be signed with {ALGORITHM}.")
    client_id = claims.get("iss")
    if not isinstance(client_id, str) or claims.get("sub") != client_id:
        raise AssertionRefused("The assertion's iss and sub must both be the client id.")
    client = _active_client(client_id)
    if client is None:
        raise AssertionRefused(NOT_RECOGNISED)
    return client


def _active_client(client_id):
    try:
        client_id = str(uuid.UUID(client_id))  # client ids are UUIDs: anything else is no one
    except ValueError:
        return None
    return ApiClient.objects.filter(client_id=client_id, revoked_at__isnull=True).first()
