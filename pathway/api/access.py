"""Who is calling: the bearer token, the client's rate limit, and the scope a call needs.

Each refusal is a FhirError, answered as an OperationOutcome: 401 without a working token,
429 over the rate limit, 403 without the scope. Another organisation's record is the views'
404, through the scoping rule.
"""

from django.utils import timezone

from pathway.api.actions import token_hash
from pathway.api.models import AccessToken
from pathway.api.rate_limit import seconds_to_wait
from pathway.api.responses import FhirError
from pathway.api.scopes import allows

REALM = 'Bearer realm="fhir"'


def authorised_client(request, scope):
    """The ApiClient whose bearer token came with `request`, if it may use `scope`."""
    token = _access_token(request)
    wait = seconds_to_wait(token.client)
    if wait:
        raise FhirError(
            429,
            "throttled",
            "Too many requests from this client: try again after Retry-After seconds.",
            headers={"Retry-After": str(wait)},
            client=token.client,
        )
    if not allows(token.scopes.split(), scope):
        raise FhirError(
            403,
            "forbidden",
            f"This client's token does not have the scope {scope}.",
            headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'},
            client=token.client,
        )
    return token.client


def _access_token(request):
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise FhirError(
            401,
            "login",
            "Send an access token from the token URL as Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": REALM},
        )
    token = (
        AccessToken.objects.select_related("client")
        .filter(
            token_hash=token_hash(value.strip()),
            expires_at__gt=timezone.now(),
            client__revoked_at__isnull=True,
        )
        .first()
    )
    if token is None:
        raise FhirError(
            401,
            "login",
            "The access token has expired or is not valid: get a new one from the token URL.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    return token
