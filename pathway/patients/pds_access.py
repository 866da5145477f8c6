"""Signing in to PDS as the NHS API platform asks of an application-restricted API: the
"signed JWT" pattern (OAuth 2.0 client credentials with a private_key_jwt assertion).

https://digital.nhs.uk/developer/guides-and-documentation/security-and-authorisation/
application-restricted-restful-apis-signed-jwt-authentication: a JWT with header `kid` (the
key id registered with the public key) and `alg` RS512, claims `iss` = `sub` = the
application's API key, `aud` = the token URL, a new `jti`, `exp` at most five minutes ahead,
posted to the token URL for an access token that lasts `expires_in` seconds (ten minutes).

Configured by PDS_API_KEY, PDS_PRIVATE_KEY_FILE, PDS_KEY_ID and PDS_TOKEN_URL; with no API
key (the stand-in, PDS's open sandbox) PDS is asked with no token. The token is kept in the
cache (shared by every process) until shortly before it expires, so one lookup in many signs
in. Nothing here logs the key, an assertion or a token.
"""

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import jwt
from django.conf import settings
from django.core.cache import cache

CACHE_KEY = "pds:access-token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_SECONDS = 300  # the most the platform accepts
# Ask again this long before the token expires, so a lookup never carries a dying token.
EXPIRY_MARGIN_SECONDS = 30


class SignInFailed(OSError):
    """The token URL refused or could not be reached: to the GP, PDS is unavailable. An
    OSError so that the lookup treats it as it treats PDS itself not answering."""


def signs_in():
    return bool(settings.PDS_API_KEY)


def authorisation_header(timeout):
    """{"Authorization": "Bearer ..."} for PDS, or {} when PDS needs no sign-in."""
    if not signs_in():
        return {}
    token = cache.get(CACHE_KEY)
    if token is None:
        token, lifetime = _new_token(timeout)
        cache.set(CACHE_KEY, token, max(lifetime - EXPIRY_MARGIN_SECONDS, 1))
    return {"Authorization": f"Bearer {token}"}


def forget_token():
    """PDS refused the token (401): the next lookup signs in again."""
    cache.delete(CACHE_KEY)


def client_assertion(now=None):
    now = int(now if now is not None else time.time())
    with open(settings.PDS_PRIVATE_KEY_FILE, "rb") as key_file:
        private_key = key_file.read()
    claims = {
        "iss": settings.PDS_API_KEY,
        "sub": settings.PDS_API_KEY,
        "aud": settings.PDS_TOKEN_URL,
        "jti": str(uuid.uuid4()),
        "exp": now + ASSERTION_SECONDS,
    }
    return jwt.encode(claims, private_key, algorithm="RS512", headers={"kid": settings.PDS_KEY_ID})


def _new_token(timeout):
    form = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(),
        }
    ).encode()
    url = settings.PDS_TOKEN_URL
    if not url.startswith(("https://", "http://")):
        raise SignInFailed("PDS_TOKEN_URL is not an http(s) address")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked just above
        url, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            answer = json.loads(response.read(64 * 1024))
        return answer["access_token"], int(answer.get("expires_in", 599))
    except urllib.error.HTTPError as error:
        error.close()
        raise SignInFailed(f"the token URL answered {error.code}") from None
    except (ValueError, KeyError, TypeError):
        raise SignInFailed("the token URL's answer could not be read") from None
