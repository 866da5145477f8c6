"""Bad input to the API never breaks it: random, huge, Unicode and injection-shaped search
parameters and token forms get a 2xx or a 4xx, each a valid FHIR resource (or an OAuth2 error
for the token endpoint), never a 500, and a refused token request saves nothing.

tests/integration/test_fuzz_inputs.py walks every URL as the web app's visitors, who get 401
here; this fuzzes the API as a client with a working token."""

from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import override_settings
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from pathway.api.models import AccessToken, UsedAssertion
from tests.api_clients import (
    access_token,
    assertion,
    bearer,
    make_client,
    post_token,
    token_form,
)
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NASTY = [
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "x" * 10_001,
    "\u00e9\u4e2d\U0001f600" * 500,
    "gt",
    "eq2026-02-30",
    "le9999-12-31T23:59:59+14:00",
    "https://fhir.nhs.uk/Id/nhs-number|",
    "|9990000018",
    ",,,",
]
KEYS = ["identifier", "_lastUpdated", "_count", "_page", "_format", "name", "identifier:exact"]
KEYS += ["patient", "patient:identifier", "status", "date", "_include", "patient:missing"]
KEYS += ["code", "questionnaire", "authored"]
SEARCHED = (
    "Patient",
    "EpisodeOfCare",
    "ServiceRequest",
    "Appointment",
    "QuestionnaireResponse",
    "Observation",
    "DocumentReference",
)
values = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(lambda day: f"ge{day}"),
    st.datetimes().map(lambda moment: f"lt{moment.isoformat()}"),
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@override_settings(API_REQUESTS_PER_MINUTE=10_000)
@pytest.mark.parametrize("resource_type", SEARCHED)
def test_search_parameters_never_break_the_api(client, practice, booked_episode, resource_type):
    PatientFactory(registered_practice=practice)
    token = access_token(client, make_client(practice, scopes="system/*.read"))

    @FUZZ
    @given(params=st.lists(st.tuples(st.sampled_from(KEYS), values), max_size=4))
    def fuzz(params):
        with transaction.atomic():
            response = client.get(f"/fhir/R4/{resource_type}", params, headers=bearer(token))
            transaction.set_rollback(True)
        assert response.status_code in (200, 400, 406), (params, response.content[:300])
        model = Bundle if response.status_code == 200 else OperationOutcome
        model.model_validate_json(response.content)

    fuzz()


def test_token_forms_never_break_the_endpoint_or_save_anything(client, practice):
    api_client = make_client(practice)
    fields = ["grant_type", "client_assertion_type", "client_assertion", "scope"]

    @FUZZ
    @given(changed=st.dictionaries(st.sampled_from(fields), values, max_size=3))
    def fuzz(changed):
        form = token_form(assertion(api_client.client_id)) | changed
        with transaction.atomic():
            response = post_token(client, form)
            saved = AccessToken.objects.exists() or UsedAssertion.objects.exists()
            transaction.set_rollback(True)
        if response.status_code == 200:
            return  # the changes left a valid request (say, a scope the client has)
        assert response.status_code in (400, 401), (changed, response.content[:300])
        assert set(response.json()) == {"error", "error_description"}
        assert not saved

    fuzz()


@override_settings(API_REQUESTS_PER_MINUTE=10_000)
def test_ids_never_break_a_read(client, practice):
    token = access_token(client, make_client(practice, scopes="system/*.read"))

    @FUZZ
    @given(resource_type=st.sampled_from(SEARCHED), fhir_id=values.filter(lambda v: "/" not in v))
    @example(resource_type="Appointment", fhir_id="\x00")  # once refused, then not audited
    def fuzz(resource_type, fhir_id):
        response = client.get(f"/fhir/R4/{resource_type}/{quote(fhir_id)}", headers=bearer(token))
        assert response.status_code in (404,), (fhir_id, response.content[:300])
        OperationOutcome.model_validate_json(response.content)

    fuzz()
