"""Signing in to PDS as the NHS API platform's application-restricted access asks, against
the fake PDS (tests/pds_fake.py) with the platform's token endpoint in front of it: PDS and
the platform are outside our control, so the fake checks the signed JWT assertion as the
platform's documentation says (kid, RS512, iss = sub = API key, aud, jti once, exp within five
minutes) and answers Patient requests only with a token it issued."""

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from pathway.patients import pds_access
from pathway.patients.pds import Outcome, find_person
from tests.api_clients import other_private_key, private_key
from tests.pds_fake import pds_patient, running_fake_pds

FOUND = "9990100004"
API_KEY, KEY_ID = "bench-app-api-key", "pathway-test-1"


def _pem_file(path, key):
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(path)


@pytest.fixture
def signed_in_pds(settings, tmp_path):
    with running_fake_pds() as fake:
        fake.add(
            pds_patient(FOUND, "Rhiannon", "Reid", "1974-02-11", "female", "NE2 2RR", "A99001")
        )
        fake.require_sign_in(api_key=API_KEY, key_id=KEY_ID, public_key=private_key().public_key())
        settings.PDS_BASE_URL = fake.base_url
        settings.PDS_TIMEOUT_SECONDS = 2
        settings.PDS_API_KEY, settings.PDS_KEY_ID = API_KEY, KEY_ID
        settings.PDS_TOKEN_URL = fake.token_url
        settings.PDS_PRIVATE_KEY_FILE = _pem_file(tmp_path / "pds.pem", private_key())
        pds_access.forget_token()
        yield fake
        pds_access.forget_token()


def test_a_lookup_signs_in_and_carries_the_token(signed_in_pds):
    lookup = find_person(FOUND)

    assert lookup.outcome == Outcome.FOUND
    assert signed_in_pds.token_requests == 1
    _path, headers = signed_in_pds.requests[-1]
    assert headers["authorization"].removeprefix("Bearer ") in signed_in_pds.tokens


def test_the_token_is_kept_for_the_next_lookups(signed_in_pds):
    for _ in range(3):
        assert find_person(FOUND).outcome == Outcome.FOUND

    assert signed_in_pds.token_requests == 1


def test_a_token_pds_no_longer_takes_is_replaced_once(signed_in_pds):
    find_person(FOUND)
    signed_in_pds.expire_tokens()

    lookup = find_person(FOUND)

    assert (lookup.outcome, signed_in_pds.token_requests) == (Outcome.FOUND, 2)


def test_a_refused_sign_in_tells_the_gp_pds_is_unavailable(signed_in_pds, settings, tmp_path):
    settings.PDS_PRIVATE_KEY_FILE = _pem_file(tmp_path / "wrong.pem", other_private_key())

    lookup = find_person(FOUND)

    assert lookup.outcome == Outcome.UNAVAILABLE
    assert "could not be reached" in lookup.message
    assert not any(path.endswith(FOUND) for path, _headers in signed_in_pds.requests)


def test_the_assertion_is_as_the_platform_asks(settings, tmp_path):
    settings.PDS_API_KEY, settings.PDS_KEY_ID = API_KEY, KEY_ID
    settings.PDS_TOKEN_URL = "https://int.api.service.nhs.uk/oauth2/token"
    settings.PDS_PRIVATE_KEY_FILE = _pem_file(tmp_path / "pds.pem", private_key())

    signed = pds_access.client_assertion(now=1_800_000_000)

    header = jwt.get_unverified_header(signed)
    claims = jwt.decode(
        signed,
        private_key().public_key(),
        algorithms=["RS512"],
        audience=settings.PDS_TOKEN_URL,
        options={"verify_exp": False},
    )
    assert (header["alg"], header["kid"]) == ("RS512", KEY_ID)
    assert (claims["iss"], claims["sub"]) == (API_KEY, API_KEY)
    assert claims["exp"] - 1_800_000_000 == 300


def test_without_an_api_key_pds_is_asked_with_no_token(settings):
    settings.PDS_API_KEY = ""

    assert pds_access.authorisation_header(timeout=1) == {}
