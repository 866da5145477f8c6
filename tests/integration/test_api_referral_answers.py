"""The referral's own answers as a QuestionnaireResponse of the published referral
Questionnaire, and its STarT Back total and psychosocial subscale as Observations: what a GP
system posts reads back as it was posted, a web-form referral reads the same way, and a search
lists them with the outcome questionnaires' as one list (pathway.api.combined) that pages
through both in order, whatever page size, forwards and back."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from pathway.api.referrals.response import read_response
from pathway.proms.actions import record_questionnaire
from pathway.referrals.models import Referral, ReferralOutcome
from tests.api_clients import access_token, fhir_get, make_client, walk_pages
from tests.audit_context import TEST_CONTEXT
from tests.fhir_referrals import RESPONSE, answered, example_bundle, resource
from tests.integration.test_api_referrals import post, practice, service  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "https://pathway.example.nhs.uk/fhir"
SCORE = f"{BASE}/CodeSystem/score"
REFERRAL_QUESTIONNAIRE = f"{BASE}/Questionnaire/back-pain-referral|1.0.0"
# Asked in the referral Questionnaire but kept on the Patient's record, not with the referral.
KEPT_ON_THE_PATIENT = {"consents_to_contact", "preferred_channel"}


@pytest.fixture
def token(client, practice, service):  # noqa: F811
    gp_system = make_client(practice, scopes="system/ServiceRequest.write system/*.read")
    return access_token(client, gp_system)


def get(client, token, path, status=200, **params):
    response = fhir_get(client, path, token, **params)
    assert response.status_code == status, response.content
    return response


def refer_by_bundle(client, token, bundle):
    response = post(client, token, bundle)
    assert response.status_code in (200, 201, 422), response.content
    return Referral.objects.get(submission_key__isnull=False, patient__nhs_number="9990000018")


def read_answers(client, token, referral):
    body = get(client, token, f"QuestionnaireResponse/{referral.public_id}").content
    return QuestionnaireResponse.model_validate_json(body)


def answers_of(questionnaire_response):
    """{linkId: the answer as JSON} of what was answered."""
    data = (
        questionnaire_response
        if isinstance(questionnaire_response, dict)
        else (questionnaire_response.model_dump(mode="json"))
    )
    return {
        item["linkId"]: item["answer"][0] for item in data.get("item") or [] if item.get("answer")
    }


def test_a_gp_systems_referral_reads_back_as_it_was_posted(client, token):
    bundle = example_bundle()

    referral = refer_by_bundle(client, token, bundle)
    read = read_answers(client, token, referral)

    posted = answers_of(resource(bundle, RESPONSE))
    assert read.id == str(referral.public_id)
    assert (read.questionnaire, read.status) == (REFERRAL_QUESTIONNAIRE, "completed")
    assert read.subject.reference == f"Patient/{referral.patient.public_id}"
    assert [b.reference for b in read.basedOn] == [f"ServiceRequest/{referral.public_id}"]
    assert read.authored == referral.created_at
    assert read.author.identifier.value == "555000000001"  # the practitioner the system named
    assert answers_of(read) == {
        link_id: answer for link_id, answer in posted.items() if link_id not in KEPT_ON_THE_PATIENT
    }


class _Posted:
    """Just enough of a posted Bundle for the referral endpoint's reader: one response."""

    def __init__(self, response):
        self.response = response

    def resource(self, _index):
        return self.response

    def points_at(self, *_args):
        return True


def answers_read(questionnaire_response):
    """The plain answers the referral endpoint reads from a QuestionnaireResponse (as JSON)."""
    problems = []
    answers = read_response(_Posted(questionnaire_response), RESPONSE, 0, problems)
    assert problems == []
    return answers


def test_what_is_served_reads_as_the_same_answers_as_were_posted(client, token):
    """The served QuestionnaireResponse is one the referral endpoint itself reads, to the
    same plain answers: the published Questionnaire's own shape, both ways."""
    bundle = example_bundle()
    referral = refer_by_bundle(client, token, bundle)

    served = read_answers(client, token, referral).model_dump(mode="json")

    posted = answers_read(resource(bundle, RESPONSE))
    assert answers_read(served) == {
        name: value for name, value in posted.items() if name not in KEPT_ON_THE_PATIENT
    }


def test_a_web_form_referral_names_the_gp_and_the_decision(client, token, episode, gp):
    read = read_answers(client, token, episode.referral)

    answers = answers_of(read)
    assert read.author.display == gp.get_full_name()
    assert answers["decision"]["valueCoding"]["code"] == "refer"
    assert all(
        answer == {"valueBoolean": False}
        for link_id, answer in answers.items()
        if link_id.startswith("red_flag_") and link_id != "red_flag_judgement"
    )
    assert sum(link_id.startswith("startback_") for link_id in answers) == 9


def test_a_red_flag_consultation_has_its_answers_and_no_scores(client, token):
    bundle = answered(example_bundle(), red_flag_bilateral_sciatica=True)

    referral = refer_by_bundle(client, token, bundle)
    answers = answers_of(read_answers(client, token, referral))
    scores = get(client, token, "Observation", patient=f"Patient/{referral.patient.public_id}")

    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert answers["red_flag_bilateral_sciatica"] == {"valueBoolean": True}
    assert "decision" not in answers
    assert scores.json()["total"] == 0
    get(client, token, f"Observation/{referral.public_id}-startback-total", status=404)


def test_startback_scores_are_observations_of_the_referral(client, token, episode):
    referral = Referral.objects.get(pk=episode.referral.pk)  # as stored

    total = Observation.model_validate_json(
        get(client, token, f"Observation/{referral.public_id}-startback-total").content
    )
    psychosocial = Observation.model_validate_json(
        get(client, token, f"Observation/{referral.public_id}-startback-psychosocial").content
    )

    assert (total.code.coding[0].system, total.code.coding[0].code) == (SCORE, "startback-total")
    assert total.valueInteger == referral.startback_total
    assert total.interpretation[0].text == f"{referral.startback_risk.capitalize()} risk"
    assert psychosocial.valueInteger == referral.startback_psychosocial
    assert psychosocial.interpretation is None
    assert total.effectiveDateTime == referral.created_at
    assert total.derivedFrom[0].reference == f"QuestionnaireResponse/{referral.public_id}"
    assert not total.extension  # no outcome time point: it was scored at the referral
    for wrong in ("startback-risk", "phq9-total", ""):
        get(client, token, f"Observation/{referral.public_id}-{wrong}", status=404)


def test_startback_codes_are_in_the_published_score_code_system(client):
    codes = {
        concept["code"] for concept in client.get("/fhir/R4/CodeSystem/score").json()["concept"]
    }

    assert {"startback-total", "startback-psychosocial"} <= codes


# --- One list from two tables -----------------------------------------------------------------


@pytest.fixture
def interleaved(make_episode, ttp):
    """Three people referred a day apart, each answering a PHQ-9 half a day after their
    referral: referrals and responses alternate in time. [(kind, row)] in that order."""
    made = []
    start = timezone.now() - datetime.timedelta(days=10)
    for number in range(3):
        with time_machine.travel(start + datetime.timedelta(days=number), tick=False):
            episode = make_episode()
        made.append(("referral", episode.referral))
        with time_machine.travel(start + datetime.timedelta(days=number, hours=12), tick=False):
            response = record_questionnaire(
                episode=episode,
                timepoint="baseline",
                instrument="phq9",
                answers={"items": [1] * 9},
                source="clinician",
                by=ttp,
                context=TEST_CONTEXT,
            )
        made.append(("response", response))
    return made


@pytest.mark.parametrize("page_size", [1, 2, 4, 100])
def test_responses_page_through_both_tables_in_order_of_change(
    client, token, interleaved, page_size
):
    forwards, backwards, total = walk_pages(
        client, token, "QuestionnaireResponse", _count=str(page_size)
    )

    seen = [fhir_id for page in forwards for fhir_id in page]
    assert seen == [str(row.public_id) for _kind, row in interleaved]
    assert total == len(interleaved)
    assert all(len(page) == page_size for page in forwards[:-1])
    assert backwards == forwards[:-1]


@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_observations_page_through_both_tables_in_order_of_change(
    client, token, interleaved, page_size
):
    forwards, backwards, total = walk_pages(client, token, "Observation", _count=str(page_size))

    expected = []
    for kind, row in interleaved:
        parts = (
            ("startback-total", "startback-psychosocial") if kind == "referral" else ("phq9-total",)
        )
        expected += [f"{row.public_id}-{part}" for part in parts]
    seen = [fhir_id for page in forwards for fhir_id in page]
    assert seen == expected
    assert total == len(expected) == 9
    assert backwards == forwards[:-1]


def test_a_filter_applies_to_both_tables(client, token, interleaved):
    first_day = timezone.localdate(interleaved[0][1].created_at)

    after_first = get(
        client, token, "QuestionnaireResponse", authored=f"gt{first_day}", _count="100"
    ).json()
    psychosocial = get(
        client, token, "Observation", code=f"{SCORE}|startback-psychosocial", _count="100"
    ).json()

    # The first referral's day also has its PHQ-9 (half a day later, perhaps the next day).
    assert after_first["total"] in (4, 5)
    assert {entry["resource"]["id"] for entry in after_first["entry"]} >= {
        str(row.public_id) for _kind, row in interleaved[2:]
    }
    assert [entry["resource"]["id"] for entry in psychosocial["entry"]] == [
        f"{row.public_id}-startback-psychosocial" for kind, row in interleaved if kind == "referral"
    ]


def test_another_practices_client_sees_no_referral_answers(client, interleaved, other_practice):
    other = access_token(client, make_client(other_practice, scopes="system/*.read"))
    referral = interleaved[0][1]

    read = fhir_get(client, f"QuestionnaireResponse/{referral.public_id}", other)
    searched = fhir_get(client, "QuestionnaireResponse", other, questionnaire="back-pain-referral")

    assert read.status_code == 404
    assert searched.json()["total"] == 0
