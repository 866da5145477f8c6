"""The OAuth2 token request: client credentials, the client proven by a signed JWT assertion."""

from pathway.api.actions import AssertionReplayed, issue_token
from pathway.api.assertions import ASSERTION_TYPE, AssertionRefused, verify_assertion
from pathway.api.responses import token_url
from pathway.api.scopes import InvalidScope, allows, parse_scopes


class TokenRefused(Exception):
    """An OAuth2 error response (RFC 6749 section 5.2)."""

    def __init__(self, error, description, *, status=400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def token_for(form, *, context):
    """The IssuedToken the posted `form` asks for, or TokenRefused."""
    grant_type = form.get("grant_type")
    if not grant_type:
        raise TokenRefused(
            "invalid_request",
            "grant_type is missing: post an application/x-www-form-urlencoded form.",
        )
    if grant_type != "client_credentials":
        raise TokenRefused("unsupported_grant_type", "Only client_credentials is supported.")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise TokenRefused("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}.")
    if not form.get("client_assertion"):
        raise TokenRefused("invalid_request", "client_assertion is missing.")
    try:
        assertion = verify_assertion(form["client_assertion"], audience=token_url())
        scopes = _granted(assertion.client, form.get("scope"))
        return issue_token(assertion=assertion, scopes=scopes, context=context)
    except AssertionRefused as refused:
        raise TokenRefused("invalid_client", str(refused), status=401) from refused
    except AssertionReplayed as replayed:
        raise TokenRefused(
            "invalid_client", "The assertion's jti has been used already.", status=401
        ) from replayed


def _granted(client, requested):
    """The client's scopes, or those asked for if every one is within them."""
    if not requested:
        return client.scope_list
    try:
        scopes = parse_scopes(requested)
    except InvalidScope as error:
        raise TokenRefused("invalid_scope", str(error)) from error
    beyond = [scope for scope in scopes if not allows(client.scope_list, scope)]
    if beyond:
        raise TokenRefused("invalid_scope", f"This client may not have {' '.join(beyond)}.")
    return scopes
