"""POST /fhir/R4/: a GP practice's system posts a referral Bundle, and it goes through
record_referral and the same rules as the web form. Real tokens from the real token endpoint
(tests.api_clients), the example Bundle of the docs (tests.fhir_referrals), and every answer
checked against the FHIR R4B models; "nothing saved" is counted in the database."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.questionnaire import Questionnaire

from pathway.api.referral_results import RESULT_SYSTEM
from pathway.audit.context import Channel
from pathway.audit.models import AuditEvent
from pathway.care.models import Episode, EpisodeState
from pathway.clinical.red_flags import DESTINATIONS
from pathway.patients.models import Patient
from pathway.referrals.models import Referral, ReferralOutcome
from tests.api_clients import access_token, bearer, make_client
from tests.factories import PatientFactory, PracticeFactory, ServiceFactory
from tests.fhir_referrals import (
    NHS_NUMBER,
    PRACTICE_CODE,
    SERVICE_CODE,
    answered,
    example_bundle,
    resource,
    without_items,
)

pytestmark = pytest.mark.django_db

WRITE = "system/ServiceRequest.write"
QR = "Bundle.entry[2].resource"
REQUESTER = "https://fhir.nhs.uk/Id/sds-user-id|555000000001"


@pytest.fixture
def practice(db):
    return PracticeFactory(ods_code=PRACTICE_CODE, name="Riverside Surgery")


@pytest.fixture
def service(practice):
    return ServiceFactory(code=SERVICE_CODE, area=practice.area)


@pytest.fixture
def gp_system(practice):
    return make_client(practice, scopes=WRITE, name="Riverside GP system")


@pytest.fixture
def token(client, gp_system, service):
    return access_token(client, gp_system)


def post(http, token, bundle, path="/fhir/R4/", headers=None):
    body = bundle if isinstance(bundle, str) else json.dumps(bundle)
    return http.post(
        path, body, content_type="application/fhir+json", headers=bearer(token) | (headers or {})
    )


def outcome_of(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    return OperationOutcome.model_validate_json(response.content)


def transaction_response(response, status):
    assert response.status_code == status, response.content
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "transaction-response"
    return bundle


def results(bundle):
    """{code: details.text} of the information issues in the ServiceRequest's entry."""
    issues = bundle.entry[1].response.outcome.issue
    return {i.details.coding[0].code: i.details.text for i in issues if i.details.coding}


def saved():
    return (
        Referral.objects.count(),
        Patient.objects.count(),
        Episode.objects.count(),
        AuditEvent.objects.count(),
    )


# --- Accepted


def test_a_referral_is_accepted_with_its_locations_risk_priority_and_episode(client, token):
    response = post(client, token, example_bundle())

    bundle = transaction_response(response, 201)
    referral = Referral.objects.select_related("patient", "episode").get()
    assert [entry.response.status for entry in bundle.entry] == ["201 Created"] * 3
    assert bundle.entry[0].response.location == f"Patient/{referral.patient.public_id}"
    assert bundle.entry[1].response.location == f"ServiceRequest/{referral.public_id}"
    assert results(bundle) == {
        "outcome": "referred",
        "startback-risk": "medium",
        "priority": "standard",
        "episode": f"EpisodeOfCare/{referral.episode.public_id}",
    }
    assert referral.episode.state == EpisodeState.AWAITING_TRIAGE


def test_the_referral_names_the_practice_and_the_gp_systems_practitioner(client, token, practice):
    post(client, token, example_bundle())

    referral = Referral.objects.get()
    assert (referral.practice, referral.referred_by, referral.referrer) == (
        practice,
        None,
        REQUESTER,
    )
    assert referral.referrer_name == f"{REQUESTER} (by the practice's GP system)"


def test_the_referral_is_audited_as_the_client_through_the_api(client, token):
    before = AuditEvent.objects.count()

    post(client, token, example_bundle())

    events = AuditEvent.objects.order_by("id")[before:]
    assert {(e.channel, e.role, e.organisation, e.user_id) for e in events} == {
        (Channel.API, "api client", "Riverside GP system", None)
    }
    assert {e.object_type for e in events} == {
        "patients.patient",
        "referrals.referral",
        "care.episode",
    }


def test_the_base_without_its_slash_takes_the_referral_too(client, token):
    response = post(client, token, example_bundle(), path="/fhir/R4")

    transaction_response(response, 201)


# --- Recorded, not referred


def test_a_red_flag_is_recorded_as_redirected_and_says_where_to_send_the_person(client, token):
    bundle = answered(example_bundle(), red_flag_bilateral_sciatica=True)

    response = post(client, token, bundle)

    (issue,) = outcome_of(response, 422).issue
    assert (issue.code, issue.diagnostics) == ("business-rule", DESTINATIONS["emergency_same_day"])
    assert issue.details.text == "Red flags: not referred to the pathway"
    assert issue.expression == [f"{QR}.item.where(linkId='red_flag_bilateral_sciatica')"]
    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert not Episode.objects.exists()


def test_suspected_pathology_judged_by_a_gp_system_is_recorded_with_its_referrer(client, token):
    bundle = answered(
        example_bundle(),
        red_flag_history_of_cancer=True,
        red_flag_judgement="suspected",
    )

    response = post(client, token, bundle)

    assert outcome_of(response, 422).issue[0].details.text.startswith("Red flags")
    referral = Referral.objects.get()
    assert (referral.red_flag_judgement, referral.red_flags_judged_by) == ("suspected", None)
    assert referral.red_flags_judge_name.startswith(REQUESTER)


def test_not_eligible_is_recorded_and_answered_422_with_why(client, token):
    bundle = answered(example_bundle(), exclusion_housebound=True)

    response = post(client, token, bundle)

    (issue,) = outcome_of(response, 422).issue
    assert issue.details.text == "Not eligible for the pathway"
    assert issue.expression == [f"{QR}.item.where(linkId='exclusion_housebound')"]
    assert Referral.objects.get().outcome == ReferralOutcome.EXCLUDED
    assert not Episode.objects.exists()


# --- Refused by the rules: nothing saved


def test_a_missing_answer_is_refused_at_its_item_and_nothing_is_saved(client, token):
    before = saved()

    response = post(client, token, without_items(example_bundle(), "startback_3"))

    (issue,) = outcome_of(response, 422).issue
    assert (issue.code, issue.diagnostics) == ("required", "STarT Back: answer question 3")
    assert issue.expression == [f"{QR}.item.where(linkId='startback_3')"]
    assert saved() == before


@pytest.fixture
def known_patient(practice):
    return PatientFactory(
        nhs_number=NHS_NUMBER,
        registered_practice=practice,
        date_of_birth=datetime.date(1971, 3, 14),
    )


def test_an_open_episode_is_refused_and_nothing_is_saved(
    client, token, known_patient, make_episode
):
    make_episode(patient=known_patient)
    before = saved()

    response = post(client, token, example_bundle())

    issues = outcome_of(response, 422).issue
    assert all(issue.expression for issue in issues)
    assert saved() == before


def test_a_returner_without_a_reason_is_refused_at_the_return_questions(
    client, token, known_patient, make_episode
):
    episode = make_episode(patient=known_patient)
    referred = timezone.now() - datetime.timedelta(days=160)
    Episode.objects.filter(pk=episode.pk).update(
        referred_at=referred,
        clock_started_on=referred.date(),
        state=EpisodeState.DISCHARGED,
        discharged_at=timezone.now() - datetime.timedelta(days=100),
        discharge_reason="treatment_complete",
    )
    before = saved()

    response = post(client, token, example_bundle())

    expressions = [e for issue in outcome_of(response, 422).issue for e in issue.expression]
    assert f"{QR}.item.where(linkId='return_kind')" in expressions
    assert saved() == before


def test_a_date_of_birth_that_does_not_match_the_record_is_refused(client, token, practice):
    PatientFactory(
        nhs_number=NHS_NUMBER,
        registered_practice=practice,
        date_of_birth=datetime.date(1980, 1, 1),
    )
    before = saved()

    response = post(client, token, example_bundle())

    expressions = [e for issue in outcome_of(response, 422).issue for e in issue.expression]
    assert "Bundle.entry[0].resource.birthDate" in expressions
    assert saved() == before


# --- The Bundle cannot be read: nothing saved


@pytest.mark.parametrize(
    ("body", "status", "expression"),
    [
        ("{not json", 400, "Bundle"),
        ({"resourceType": "Patient"}, 400, "Bundle"),
        ({**example_bundle(), "type": "batch"}, 400, "Bundle.type"),
        ({**example_bundle(), "identifier": None}, 422, "Bundle.identifier"),
    ],
    ids=["not-json", "not-a-bundle", "a-batch", "no-identifier"],
)
def test_a_bundle_that_cannot_be_read_is_refused_and_nothing_is_saved(
    client, token, body, status, expression
):
    before = saved()

    response = post(client, token, body)

    issues = outcome_of(response, status).issue
    assert expression in [e for issue in issues for e in issue.expression or []]
    assert saved() == before


def test_a_service_this_practice_does_not_refer_to_is_refused_at_the_performer(client, token):
    bundle = example_bundle()
    resource(bundle, 1)["performer"][0]["identifier"]["value"] = "ELSEWHERE-01"
    before = saved()

    response = post(client, token, bundle)

    (issue,) = outcome_of(response, 422).issue
    assert issue.expression == ["Bundle.entry[1].resource.performer"]
    assert saved() == before


# --- Replays


def test_a_replay_returns_the_first_result_and_never_a_second_referral(client, token):
    first = transaction_response(post(client, token, example_bundle()), 201)

    again = transaction_response(post(client, token, example_bundle()), 200)

    assert [e.response.location for e in again.entry] == [e.response.location for e in first.entry]
    assert [e.response.status for e in again.entry] == ["200 OK"] * 3
    assert Referral.objects.count() == 1


def test_if_none_exist_naming_the_first_bundle_returns_the_first_result(client, token):
    first = transaction_response(post(client, token, example_bundle()), 201)
    bundle = example_bundle()
    bundle["identifier"]["value"] = "urn:uuid:00000000-0000-4000-8000-0000000000aa"
    named = "identifier=urn:ietf:rfc:3986|urn:uuid:3e5f8a1c-7b2d-4e9f-a6c3-d8b1e4f7a209"

    again = transaction_response(post(client, token, bundle, headers={"If-None-Exist": named}), 200)

    assert again.entry[1].response.location == first.entry[1].response.location
    assert Referral.objects.count() == 1


def test_a_replay_of_a_red_flag_returns_the_same_outcome(client, token):
    bundle = answered(example_bundle(), red_flag_bilateral_sciatica=True)
    first = outcome_of(post(client, token, bundle), 422)

    again = outcome_of(post(client, token, bundle), 422)

    assert again == first and Referral.objects.count() == 1


# --- Who may post


def test_a_token_without_the_write_scope_is_403(client, practice, service):
    reader = make_client(practice, scopes="system/Patient.read")
    before = saved()

    response = post(client, access_token(client, reader), example_bundle())

    assert outcome_of(response, 403).issue[0].code == "forbidden"
    assert saved()[:3] == before[:3]


def test_a_service_client_cannot_post_referrals(client, service):
    service_system = make_client(service, scopes=WRITE)

    response = post(client, access_token(client, service_system), example_bundle())

    assert outcome_of(response, 403).issue[0].code == "forbidden"
    assert not Referral.objects.exists()


def test_another_practice_as_requester_is_403_at_the_requester(client, practice, service):
    other = PracticeFactory(area=practice.area)
    other_system = make_client(other, scopes=WRITE)

    response = post(client, access_token(client, other_system), example_bundle())

    (issue,) = outcome_of(response, 403).issue
    assert issue.expression == ["Bundle.entry[1].resource.requester"]
    assert not Referral.objects.exists()


# --- What the API says it does


def test_the_capability_statement_lists_the_transaction_and_the_questionnaire(client):
    response = client.get("/fhir/R4/metadata")

    statement = CapabilityStatement.model_validate_json(response.content)
    rest = statement.rest[0]
    assert [i.code for i in rest.interaction] == ["transaction"]
    assert WRITE in rest.interaction[0].documentation
    questionnaire = next(r for r in rest.resource if r.type == "Questionnaire")
    assert [i.code for i in questionnaire.interaction] == ["read"]


def test_the_referral_questionnaire_is_published_without_a_token(client):
    response = client.get("/fhir/R4/Questionnaire/back-pain-referral")

    assert response.status_code == 200
    assert Questionnaire.model_validate_json(response.content).id == "back-pain-referral"
    assert client.get("/fhir/R4/Questionnaire/another").status_code == 404


def test_the_results_are_coded_in_the_services_own_code_system(client, token):
    bundle = transaction_response(post(client, token, example_bundle()), 201)

    systems = {i.details.coding[0].system for i in bundle.entry[1].response.outcome.issue}
    assert systems == {RESULT_SYSTEM}


# --- The pages name who referred when no member of staff did


def test_the_pages_name_the_gp_systems_practitioner(client, token, ttp):
    bundle = answered(
        example_bundle(),
        red_flag_history_of_cancer=True,
        red_flag_judgement="not_suspected",
        red_flag_judgement_reason="Cancer treated 20 years ago, no new symptoms",
    )
    transaction_response(post(client, token, bundle), 201)
    referral = Referral.objects.select_related("episode").get()
    client.force_login(ttp)

    summary = client.get(reverse("referrals:detail", args=[referral.public_id]))
    episode = client.get(reverse("care:episode", args=[referral.episode.public_id]))

    assert summary.status_code == episode.status_code == 200
    assert f"{REQUESTER} (by the practice&#x27;s GP system)" in summary.content.decode()
    assert "Riverside GP system (api client)" in episode.content.decode()


def test_a_practice_whose_area_has_no_service_is_refused_and_nothing_saved(client, gp_system):
    token = access_token(client, gp_system)  # no `service` in this practice's area
    bundle = example_bundle()
    del bundle["entry"][1]["resource"]["performer"]
    before = saved()

    outcome = outcome_of(post(client, token, bundle), 422)

    assert "No back pain service" in outcome.issue[0].diagnostics
    assert saved() == before
