"""POST /oauth2/token: the client credentials grant with a signed JWT client assertion, as NHS
APIs' application-restricted access. The assertions are signed with PyJWT, as a client does."""

import datetime
import uuid

import pytest
import time_machine
from django.utils import timezone

from pathway.api.actions import revoke_api_client, token_hash
from pathway.api.models import AccessToken, UsedAssertion
from pathway.audit.models import AuditAction, AuditEvent
from tests.api_clients import (
    CLIENT_USER_AGENT,
    assertion,
    make_client,
    other_private_key,
    post_token,
    token_form,
)
from tests.audit_context import TEST_CONTEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_client(practice):
    return make_client(practice, scopes="system/Patient.read system/ServiceRequest.write")


def refused(response, status, error):
    assert response.status_code == status, response.content
    assert response.json()["error"] == error
    assert response.json()["error_description"]
    assert response["Cache-Control"] == "no-store"
    return response.json()["error_description"]


def test_a_signed_assertion_gets_a_short_lived_bearer_token(client, api_client):
    response = post_token(client, token_form(assertion(api_client.client_id)))

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 600
    assert body["scope"] == "system/Patient.read system/ServiceRequest.write"
    assert response["Cache-Control"] == "no-store"
    stored = AccessToken.objects.get(client=api_client)
    assert stored.expires_at - stored.issued_at == datetime.timedelta(minutes=10)


def test_only_a_hash_of_the_token_is_stored(client, api_client):
    token = post_token(client, token_form(assertion(api_client.client_id))).json()["access_token"]

    stored = AccessToken.objects.get(client=api_client)
    assert stored.token_hash == token_hash(token)
    assert token not in str(list(AccessToken.objects.values()))


def test_the_token_is_written_to_the_audit_trail_as_the_client(client, api_client):
    post_token(client, token_form(assertion(api_client.client_id)))

    event = AuditEvent.objects.filter(action=AuditAction.SIGN_IN).get()
    assert (event.role, event.organisation) == ("api client", api_client.name)
    assert (event.channel, event.user_agent) == ("api", CLIENT_USER_AGENT)
    assert (event.object_type, event.object_id) == ("api.apiclient", str(api_client.pk))
    assert event.patient_id is None and event.user is None


def test_a_client_may_ask_for_fewer_scopes_but_not_more(client, api_client):
    signed = assertion(api_client.client_id)
    fewer = post_token(client, token_form(signed, scope="system/Patient.read"))
    more = post_token(client, token_form(assertion(api_client.client_id), scope="system/*.read"))

    assert fewer.json()["scope"] == "system/Patient.read"
    assert refused(more, 400, "invalid_scope") == "This client may not have system/*.read."


def test_an_expired_assertion_is_refused(client, api_client):
    signed = assertion(api_client.client_id, lifetime=60)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        response = post_token(client, token_form(signed))

    assert "expired" in refused(response, 401, "invalid_client")
    assert not AccessToken.objects.exists()


def test_an_assertion_living_over_five_minutes_is_refused(client, api_client):
    # Well over, so a slow machine's second between signing and checking cannot bring it under.
    response = post_token(client, token_form(assertion(api_client.client_id, lifetime=330)))

    assert "5 minutes" in refused(response, 401, "invalid_client")


def test_a_replayed_assertion_is_refused(client, api_client):
    signed = assertion(api_client.client_id)
    first = post_token(client, token_form(signed))

    replay = post_token(client, token_form(signed))

    assert first.status_code == 200
    assert "jti" in refused(replay, 401, "invalid_client")
    assert AccessToken.objects.count() == 1


def test_a_used_jti_is_forgotten_once_its_assertion_expired(client, api_client):
    post_token(client, token_form(assertion(api_client.client_id, jti="once", lifetime=60)))

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        post_token(client, token_form(assertion(api_client.client_id, jti="other")))

    assert list(UsedAssertion.objects.values_list("jti", flat=True)) == ["other"]


def test_an_assertion_for_another_audience_is_refused(client, api_client):
    signed = assertion(api_client.client_id, aud="https://api.service.nhs.uk/oauth2/token")

    assert "aud" in refused(post_token(client, token_form(signed)), 401, "invalid_client")


@pytest.mark.parametrize("missing", ["jti", "exp", "aud"])
def test_an_assertion_without_a_required_claim_is_refused(client, api_client, missing):
    signed = assertion(api_client.client_id, **{missing: None})

    assert missing in refused(post_token(client, token_form(signed)), 401, "invalid_client")


def test_iss_and_sub_must_both_be_the_client_id(client, api_client):
    signed = assertion(api_client.client_id, sub="someone-else")

    assert "iss and sub" in refused(post_token(client, token_form(signed)), 401, "invalid_client")


def test_an_unknown_a_revoked_and_a_wrongly_signed_client_get_the_same_answer(
    client, api_client, practice
):
    revoked = make_client(practice)
    revoke_api_client(client=revoked, by=None, context=TEST_CONTEXT)
    assertions = [
        assertion(str(uuid.uuid4())),
        assertion("not-a-client-id"),
        assertion(revoked.client_id),
        assertion(api_client.client_id, key=other_private_key()),
    ]

    answers = {
        refused(post_token(client, token_form(signed)), 401, "invalid_client")
        for signed in assertions
    }

    assert answers == {"The client assertion is not signed by the key of an active API client."}
    assert not AccessToken.objects.exists()


def test_an_assertion_not_signed_rs512_is_refused(client, api_client):
    hs256 = assertion(
        api_client.client_id, key="a shared secret of 32 bytes or more", algorithm="HS256"
    )
    rs256 = assertion(api_client.client_id, algorithm="RS256")

    for signed in (hs256, rs256, "not.a.jwt"):
        assert refused(post_token(client, token_form(signed)), 401, "invalid_client")


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"grant_type": None}, 400, "invalid_request"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": "authorization_code"}, 400, "unsupported_grant_type"),
        ({"client_assertion_type": None}, 400, "invalid_request"),
        ({"client_assertion_type": "urn:example:other"}, 400, "invalid_request"),
        ({"client_assertion": None}, 400, "invalid_request"),
    ],
)
def test_a_malformed_token_request_is_an_oauth2_error(client, api_client, fields, status, error):
    form = token_form(assertion(api_client.client_id)) | fields
    form = {name: value for name, value in form.items() if value is not None}

    refused(post_token(client, form), status, error)
    assert not AccessToken.objects.exists()
    assert not UsedAssertion.objects.exists()


def test_the_token_endpoint_takes_only_post(client):
    assert client.get("/oauth2/token").status_code == 405
