"""API clients as tests need them, and what a client system does to call the API: sign a JWT
assertion with PyJWT (as docs/api.md shows an integrator) and swap it for a token at
/oauth2/token. Nothing is faked: the tokens come from the real endpoint."""

import functools
import time
import uuid
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from pathway.api.actions import register_api_client
from pathway.api.keys import public_pem
from pathway.api.responses import token_url
from pathway.audit.context import Actor
from tests.audit_context import TEST_CONTEXT

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TEST_ACTOR_NAME = "tests"
CLIENT_USER_AGENT = "pathway-test-client/1.0"


@functools.cache
def private_key():
    """One 2048-bit key for the whole run (new 4096-bit ones for each test would be slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def other_private_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_client(organisation, scopes="system/Patient.read", name=None):
    return register_api_client(
        name=name or f"Client {uuid.uuid4().hex[:8]}",
        organisation=organisation,
        scopes=scopes,
        public_key=public_pem(private_key().public_key()),
        by=Actor(kind="test", name=TEST_ACTOR_NAME),
        context=TEST_CONTEXT,
    )


def assertion(client_id, *, key=None, lifetime=300, algorithm="RS512", **claims):
    """A client assertion as NHS APIs ask for one; `claims` replace or (as None) remove the
    usual ones."""
    now = int(time.time())
    payload = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url(),
        "jti": str(uuid.uuid4()),
        "exp": now + lifetime,
    } | claims
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key or private_key(), algorithm=algorithm)


def token_form(signed, **fields):
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
    } | fields


def post_token(http, form):
    return http.post(
        "/oauth2/token",
        urlencode(form),
        content_type="application/x-www-form-urlencoded",
        headers={"User-Agent": CLIENT_USER_AGENT},
    )


def access_token(http, client, **claims):
    response = post_token(http, token_form(assertion(client.client_id, **claims)))
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}", "User-Agent": CLIENT_USER_AGENT}


def fhir_get(http, path, token, **params):
    return http.get(f"/fhir/R4/{path}", params, headers=bearer(token))


def walk_pages(http, token, resource_type, **params):
    """A search's pages as a client follows them: forwards from the first by each `next` link,
    then backwards from the last by `previous`. (forwards, backwards, total): each a list of
    pages, each page the ids of its matches."""
    from fhir.resources.R4B.bundle import Bundle

    def ids(bundle):
        return [e.resource.id for e in bundle.entry or [] if e.search.mode == "match"]

    def follow(bundle, relation):
        url = {link.relation: link.url for link in bundle.link}.get(relation)
        if url is None:
            return None
        response = http.get("/fhir/R4/" + url.partition("/fhir/R4/")[2], headers=bearer(token))
        assert response.status_code == 200, response.content
        return Bundle.model_validate_json(response.content)

    first = fhir_get(http, resource_type, token, **params)
    assert first.status_code == 200, first.content
    bundle, forwards, last = Bundle.model_validate_json(first.content), [], None
    while bundle:
        forwards.append(ids(bundle))
        last, bundle = bundle, follow(bundle, "next")
    backwards, bundle = [], follow(last, "previous")
    while bundle:
        backwards.insert(0, ids(bundle))
        bundle = follow(bundle, "previous")
    return forwards, backwards, last.total
