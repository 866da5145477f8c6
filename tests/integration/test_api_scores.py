"""GET /fhir/R4/QuestionnaireResponse and /fhir/R4/Observation: every completed outcome
questionnaire as answered, and each of its scores as an Observation of its own, valid against
the FHIR R4B models; the Questionnaires and CodeSystems they name are published. A client
sees its own organisation's only, and each response shown is a view in the audit trail.

The episode's referral is there too, as its answers and its two STarT Back scores
(tests/integration/test_api_referral_answers.py looks at those)."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from pathway.audit.context import PATIENT
from pathway.audit.models import AuditAction, AuditEvent
from pathway.clinical import eq5d
from pathway.proms.actions import record_questionnaire
from tests.api_clients import access_token, fhir_get, make_client, walk_pages
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NHS = "https://fhir.nhs.uk/Id/nhs-number"
LOINC = "http://loinc.org"
BASE = "https://pathway.example.nhs.uk/fhir"
SCORE = f"{BASE}/CodeSystem/score"
TIMEPOINT = f"{BASE}/StructureDefinition/prom-timepoint"
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")

# The Friends and Family Test first: the baseline's own five complete it, and then it takes
# no more answers.
ANSWERS = {
    "fft": {"answer": "good", "comment": "Helpful physio"},
    "pain_nrs": {"pain": 6},
    "odi": {"sections": [2, 3, 1, None, 2, 2, 1, 0, 3, 2]},
    "eq5d5l": {"state": [2, 1, 3, 4, 1], "vas": 65},
    "gad7": {"items": [1, 2, 1, 0, 1, 2, 1]},
    "phq9": {"items": [2, 1, 2, 1, 0, 1, 2, 1, 0]},
}
BY_PATIENT = {"phq9", "fft"}
# The Observations each response stands for: (system, code) of each.
EXPECTED_CODES = {
    "pain_nrs": {(LOINC, "72514-3")},
    "odi": {(SCORE, "odi-percent")},
    "eq5d5l": {
        (SCORE, "eq5d5l-index-england-2018"),
        (SCORE, "eq5d5l-index-uk-2026"),
        (SCORE, "eq5d5l-index-uk-crosswalk"),
        (SCORE, "eq-vas"),
    },
    "gad7": {(LOINC, "70274-6")},
    "phq9": {(LOINC, "44261-6")},
    "fft": set(),
}
# The referral's STarT Back scores.
REFERRAL_CODES = {(SCORE, "startback-total"), (SCORE, "startback-psychosocial")}
OBSERVATION_COUNT = sum(len(codes) for codes in EXPECTED_CODES.values()) + len(REFERRAL_CODES)
# The outcome questionnaires and the referral's answers.
RESPONSE_COUNT = len(ANSWERS) + 1


@pytest.fixture
def responses(episode, ttp):
    """{instrument: response} answered at baseline: two by the person from their link, the
    rest with a clinician."""
    return {
        instrument: record_questionnaire(
            episode=episode,
            timepoint="baseline",
            instrument=instrument,
            answers=answers,
            source="patient" if instrument in BY_PATIENT else "clinician",
            by=PATIENT if instrument in BY_PATIENT else ttp,
            context=TEST_CONTEXT,
        )
        for instrument, answers in ANSWERS.items()
    }


@pytest.fixture
def api_client(practice):
    return make_client(practice, scopes="system/*.read", name="Riverside GP system")


@pytest.fixture
def token(client, api_client):
    return access_token(client, api_client)


def get(client, token, path, status=200, **params):
    response = fhir_get(client, path, token, **params)
    assert response.status_code == status, response.content
    return response


def read_response(client, token, response):
    body = get(client, token, f"QuestionnaireResponse/{response.public_id}").content
    return QuestionnaireResponse.model_validate_json(body)


def search(client, token, resource_type, **params):
    bundle = Bundle.model_validate_json(get(client, token, resource_type, **params).content)
    model = {"QuestionnaireResponse": QuestionnaireResponse, "Observation": Observation}
    for entry in bundle.entry or []:
        if entry.search.mode == "match":
            model[resource_type].model_validate(entry.resource.model_dump())
    return bundle


def matches(bundle):
    return [entry.resource for entry in bundle.entry or [] if entry.search.mode == "match"]


def by_patient(episode):
    return {"patient:identifier": f"{NHS}|{episode.patient.nhs_number}"}


def public(client, path):
    response = client.get(f"/fhir/R4/{path}")
    assert response.status_code == 200, response.content
    return response.content


def _answer_value(answer):
    if answer.valueCoding:
        return (answer.valueCoding.system, answer.valueCoding.code)
    return answer.valueInteger if answer.valueInteger is not None else answer.valueString


# --- QuestionnaireResponse ----------------------------------------------------------------


def test_a_response_reads_as_the_person_answered_it(client, token, responses, episode):
    phq9 = responses["phq9"]

    resource = read_response(client, token, phq9)

    assert resource.id == str(phq9.public_id)
    assert resource.status == "completed"
    assert resource.questionnaire == f"{BASE}/Questionnaire/phq9|1.0.0"
    assert resource.subject.reference == f"Patient/{episode.patient.public_id}"
    assert resource.source.reference == f"Patient/{episode.patient.public_id}"
    assert resource.author.reference == f"Patient/{episode.patient.public_id}"
    assert [b.reference for b in resource.basedOn] == [
        f"ServiceRequest/{episode.referral.public_id}"
    ]
    assert resource.authored == phq9.completed_at
    assert resource.meta.lastUpdated == phq9.completed_at
    [timepoint] = resource.extension
    assert (timepoint.url, timepoint.valueCoding.code) == (TIMEPOINT, "baseline")
    assert [item.linkId for item in resource.item] == [f"phq9_{n}" for n in range(1, 10)]
    assert [item.answer[0].valueCoding.code for item in resource.item] == [
        str(value) for value in ANSWERS["phq9"]["items"]
    ]
    assert resource.item[0].answer[0].valueCoding.display == "More than half the days"


def test_a_clinicians_record_names_the_clinician_as_author(client, token, responses, ttp):
    resource = read_response(client, token, responses["gad7"])

    assert resource.author.display == ttp.get_full_name()
    assert resource.source.reference.startswith("Patient/")


def test_numbers_text_and_unanswered_questions_are_kept_as_stored(client, token, responses):
    odi = read_response(client, token, responses["odi"])
    eq5d5l = read_response(client, token, responses["eq5d5l"])
    fft = read_response(client, token, responses["fft"])

    assert [item.linkId for item in odi.item] == [f"odi_{n}" for n in (1, 2, 3, 5, 6, 7, 8, 9, 10)]
    answers = {item.linkId: _answer_value(item.answer[0]) for item in eq5d5l.item}
    assert answers["eq_vas"] == 65
    assert answers["usual_activities"] == (f"{BASE}/CodeSystem/eq5d5l-answers", "3")
    assert {item.linkId: _answer_value(item.answer[0]) for item in fft.item} == {
        "fft": (f"{BASE}/CodeSystem/fft-answers", "good"),
        "fft_comment": "Helpful physio",
    }


def test_every_answer_is_one_its_published_questionnaire_offers(client, token, responses):
    for response in responses.values():
        resource = read_response(client, token, response)
        questionnaire_id = resource.questionnaire.partition("|")[0].rsplit("/", 1)[1]
        questionnaire = Questionnaire.model_validate_json(
            public(client, f"Questionnaire/{questionnaire_id}")
        )
        offered = {item.linkId: item for item in questionnaire.item}
        for item in resource.item:
            question = offered[item.linkId]
            value = _answer_value(item.answer[0])
            if question.type == "choice":
                codings = {
                    (o.valueCoding.system, o.valueCoding.code) for o in question.answerOption
                }
                assert value in codings, (item.linkId, value)
            else:
                assert (question.type, type(value)) in {("integer", int), ("text", str)}


def test_responses_are_found_by_nhs_number_and_by_questionnaire(client, token, responses, episode):
    everything = search(client, token, "QuestionnaireResponse", **by_patient(episode))
    by_url = search(
        client, token, "QuestionnaireResponse", questionnaire=f"{BASE}/Questionnaire/odi|1.0.0"
    )
    by_id = search(client, token, "QuestionnaireResponse", questionnaire="Questionnaire/pain-nrs")
    template = search(client, token, "QuestionnaireResponse", questionnaire="back-pain-referral")

    referral = str(episode.referral.public_id)
    assert everything.total == RESPONSE_COUNT
    assert {r.id for r in matches(everything)} == {
        referral,
        *(str(r.public_id) for r in responses.values()),
    }
    assert [r.id for r in matches(by_url)] == [str(responses["odi"].public_id)]
    assert [r.id for r in matches(by_id)] == [str(responses["pain_nrs"].public_id)]
    assert [r.id for r in matches(template)] == [referral]


def test_an_unknown_questionnaire_is_a_400(client, token, responses):
    response = get(
        client, token, "QuestionnaireResponse", status=400, questionnaire="Questionnaire/sf36"
    )

    assert response.json()["issue"][0]["code"] == "invalid"


def test_include_patient_adds_the_patient_once(client, token, responses, episode):
    bundle = search(
        client, token, "QuestionnaireResponse", _include="QuestionnaireResponse:patient"
    )

    included = [entry for entry in bundle.entry if entry.search.mode == "include"]
    assert [entry.resource.id for entry in included] == [str(episode.patient.public_id)]
    assert included[0].fullUrl == f"{settings.SITE_URL}/fhir/R4/Patient/{episode.patient.public_id}"


# --- Observation ----------------------------------------------------------------------------


def test_each_score_is_an_observation_coded_as_documented(client, token, responses, episode):
    bundle = search(client, token, "Observation", **by_patient(episode), _count="100")

    observations = matches(bundle)
    assert bundle.total == len(observations) == OBSERVATION_COUNT
    codes = {(o.code.coding[0].system, o.code.coding[0].code) for o in observations}
    assert codes == set().union(*EXPECTED_CODES.values(), REFERRAL_CODES)
    for observation in observations:
        assert FHIR_ID.match(observation.id)
        assert observation.status == "final"
        assert observation.category[0].coding[0].code == "survey"
        assert observation.subject.reference == f"Patient/{episode.patient.public_id}"
        if (SCORE, observation.code.coding[0].code) not in REFERRAL_CODES:
            assert observation.extension[0].valueCoding.code == "baseline"


def test_observation_values_are_the_stored_scores(client, token, responses):
    bundle = search(client, token, "Observation", _count="100")

    found = {o.code.coding[0].code: o for o in matches(bundle)}
    assert found["72514-3"].valueInteger == 6
    assert found["44261-6"].valueInteger == 10
    assert found["44261-6"].interpretation[0].text == "Moderate"
    assert (found["70274-6"].valueInteger, found["70274-6"].interpretation[0].text) == (8, "Mild")
    odi = found["odi-percent"].valueQuantity
    # 16 points from the 9 sections answered: 16 / 45.
    assert (float(odi.value), odi.code, odi.system) == (35.6, "%", "http://unitsofmeasure.org")
    assert found["odi-percent"].interpretation[0].text == "Moderate disability"
    for value_set in eq5d.VALUE_SETS:
        index = found[f"eq5d5l-index-{value_set.replace('_', '-')}"]
        assert float(index.valueQuantity.value) == eq5d.index("21341", value_set)
        assert index.method.text == f"{eq5d.VALUE_SETS[value_set].label} value set"
    assert found["eq-vas"].valueInteger == 65
    assert found["eq-vas"].effectiveDateTime == responses["eq5d5l"].completed_at
    assert found["eq-vas"].derivedFrom[0].reference == (
        f"QuestionnaireResponse/{responses['eq5d5l'].public_id}"
    )


def test_an_observation_reads_by_its_id(client, token, responses):
    response = responses["phq9"]
    fhir_id = f"{response.public_id}-phq9-total"

    observation = Observation.model_validate_json(
        get(client, token, f"Observation/{fhir_id}").content
    )

    assert observation.id == fhir_id
    assert observation.derivedFrom[0].reference == f"QuestionnaireResponse/{response.public_id}"
    for wrong in (
        f"{response.public_id}-gad7-total",  # a score this response does not have
        f"{response.public_id}",
        f"{response.public_id}phq9-total",
        f"{responses['fft'].public_id}-fft",
        "phq9-total",
    ):
        assert get(client, token, f"Observation/{wrong}", status=404).json()["issue"]


def test_a_code_search_finds_only_that_score(client, token, responses, episode):
    phq9 = search(client, token, "Observation", code=f"{LOINC}|44261-6")
    any_system = search(client, token, "Observation", code="44261-6,70274-6")
    eq_vas = search(client, token, "Observation", code=f"{SCORE}|eq-vas")
    own_codes = search(client, token, "Observation", code=f"{SCORE}|", _count="100")
    other_system = search(client, token, "Observation", code="http://snomed.info/sct|44261-6")

    assert [o.id for o in matches(phq9)] == [f"{responses['phq9'].public_id}-phq9-total"]
    assert any_system.total == 2
    assert [o.id for o in matches(eq_vas)] == [f"{responses['eq5d5l'].public_id}-eq-vas"]
    assert own_codes.total == len(matches(own_codes)) == 7
    assert other_system.total == 0


def test_searches_by_when_it_was_completed(client, token, responses):
    days = sorted(timezone.localdate(r.completed_at) for r in responses.values())
    first, last = days[0], days[-1]

    observations_since = search(client, token, "Observation", date=f"ge{first}")
    observations_after = search(client, token, "Observation", date=f"gt{last}")
    changed_since = search(client, token, "QuestionnaireResponse", _lastUpdated=f"ge{first}")
    authored_before = search(client, token, "QuestionnaireResponse", authored=f"lt{first}")

    assert (observations_since.total, observations_after.total) == (OBSERVATION_COUNT, 0)
    assert (changed_since.total, authored_before.total) == (RESPONSE_COUNT, 0)


def test_observation_pages_hold_count_resources_and_walk_every_one(client, token, responses):
    # Ten scores, three to a page: the referral's two first, then the EQ-5D-5L response's
    # four run over two pages.
    forwards, backwards, total = walk_pages(client, token, "Observation", _count="3")

    seen = [fhir_id for page in forwards for fhir_id in page]
    assert [len(page) for page in forwards] == [3, 3, 3, 1]
    assert len(seen) == len(set(seen)) == total == OBSERVATION_COUNT
    assert backwards == forwards[:-1]


@pytest.mark.parametrize("resource_type", ["QuestionnaireResponse", "Observation"])
def test_a_search_costs_the_same_queries_for_one_match_or_all(
    client, token, responses, resource_type
):
    def queries(count):
        with CaptureQueriesContext(connection) as captured:
            search(client, token, resource_type, _count=count)
        return len(captured)

    # One minute: the client's first call in a minute also clears its earlier minutes' counts.
    with time_machine.travel(timezone.now(), tick=False):
        queries("1")
        assert queries("1") == queries("100")


def test_include_patient_with_observations(client, token, responses, episode):
    bundle = search(client, token, "Observation", _include="Observation:patient", _count="100")

    included = [entry.resource.id for entry in bundle.entry if entry.search.mode == "include"]
    assert included == [str(episode.patient.public_id)]


@pytest.mark.parametrize(
    ("resource_type", "params", "code"),
    [
        ("Observation", {"date": "yesterday"}, "invalid"),
        ("Observation", {"code:text": "PHQ-9"}, "not-supported"),
        ("Observation", {"_include": "Observation:derived-from"}, "not-supported"),
        ("Observation", {"questionnaire": "Questionnaire/phq9"}, "not-supported"),
        ("Observation", {"patient": "9990000018"}, "invalid"),
        ("Observation", {"_page": "not-a-page"}, "invalid"),
        ("QuestionnaireResponse", {"authored": "2026-13-01"}, "invalid"),
        ("QuestionnaireResponse", {"code": "http://loinc.org|44261-6"}, "not-supported"),
        ("QuestionnaireResponse", {"status": "completed"}, "not-supported"),
    ],
)
def test_a_bad_search_is_a_4xx_outcome(client, token, responses, resource_type, params, code):
    response = fhir_get(client, resource_type, token, **params)

    assert 400 <= response.status_code < 500
    assert response.json()["issue"][0]["code"] == code


def test_a_page_link_of_another_search_is_refused(client, token, responses, practice):
    PatientFactory(registered_practice=practice)  # two patients: a next page of one
    patients = Bundle.model_validate_json(get(client, token, "Patient", _count="1").content)
    next_url = next(link.url for link in patients.link if link.relation == "next")
    [cursor] = parse_qs(urlsplit(next_url).query)["_page"]

    response = fhir_get(client, "Observation", token, _page=cursor)

    assert (response.status_code, response.json()["issue"][0]["code"]) == (400, "invalid")


# --- Who sees them, and the audit trail -----------------------------------------------------


def test_another_organisations_client_sees_nothing(client, responses, other_practice, episode):
    other = access_token(client, make_client(other_practice, scopes="system/*.read"))
    response = responses["phq9"]

    read = fhir_get(client, f"QuestionnaireResponse/{response.public_id}", other)
    observation = fhir_get(client, f"Observation/{response.public_id}-phq9-total", other)
    searched = [
        fhir_get(client, resource_type, other, **by_patient(episode)).json()
        for resource_type in ("QuestionnaireResponse", "Observation")
    ]

    assert (read.status_code, observation.status_code) == (404, 404)
    assert [bundle["total"] for bundle in searched] == [0, 0]
    assert all("entry" not in bundle for bundle in searched)


def test_the_service_sees_its_own_patients_scores(client, responses, service, episode):
    token = access_token(client, make_client(service, scopes="system/Observation.read"))

    bundle = search(client, token, "Observation", **by_patient(episode), _count="100")

    assert bundle.total == OBSERVATION_COUNT


def test_a_read_is_one_view_of_the_response(client, token, responses, api_client, episode):
    already = AuditEvent.objects.count()

    read_response(client, token, responses["phq9"])

    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == already + 1
    assert (event.action, event.patient_id) == (AuditAction.VIEW, episode.patient_id)
    assert (event.object_type, event.object_id) == (
        "proms.questionnaireresponse",
        str(responses["phq9"].pk),
    )
    assert (event.role, event.organisation, event.channel) == ("api client", api_client.name, "api")


def test_a_search_audits_each_response_shown_once(client, token, responses, episode):
    already = AuditEvent.objects.values_list("id", flat=True).order_by("-id").first()

    search(client, token, "Observation", code=f"{SCORE}|", _count="100")

    events = AuditEvent.objects.filter(id__gt=already)
    assert sorted(events.values_list("object_type", "object_id")) == sorted(
        [
            ("proms.questionnaireresponse", str(responses["odi"].pk)),
            ("proms.questionnaireresponse", str(responses["eq5d5l"].pk)),
            ("referrals.referral", str(episode.referral.pk)),
        ]
    )
    assert {(e.action, e.patient_id) for e in events} == {(AuditAction.VIEW, episode.patient_id)}


def test_a_refused_read_is_audited_and_shows_nothing(client, responses, other_practice):
    other = access_token(client, make_client(other_practice, scopes="system/*.read"))
    already = AuditEvent.objects.values_list("id", flat=True).order_by("-id").first()

    fhir_get(client, f"Observation/{responses['phq9'].public_id}-phq9-total", other)

    [event] = AuditEvent.objects.filter(id__gt=already)
    assert (event.action, event.object_type) == (AuditAction.REFUSED, "fhir:Observation")
    assert event.patient_id is None


# --- The Questionnaires and CodeSystems they name -------------------------------------------


@pytest.mark.parametrize(
    "questionnaire_id",
    ["phq9", "gad7", "pain-nrs", "odi", "eq5d5l", "gsos", "fft", "readiness", "startback"],
)
def test_each_instrument_is_a_published_questionnaire(client, questionnaire_id):
    questionnaire = Questionnaire.model_validate_json(
        public(client, f"Questionnaire/{questionnaire_id}")
    )

    assert questionnaire.id == questionnaire_id
    assert questionnaire.url == f"{BASE}/Questionnaire/{questionnaire_id}"


@pytest.mark.parametrize("questionnaire_id", ["odi", "eq5d5l"])
def test_licensed_instruments_are_published_as_structure_only(client, questionnaire_id):
    questionnaire = Questionnaire.model_validate_json(
        public(client, f"Questionnaire/{questionnaire_id}")
    )

    assert "licensed wording is not published" in questionnaire.copyright
    texts = [item.text for item in questionnaire.item]
    assert all(re.fullmatch(r"(ODI section \d+|EQ-5D-5L [\w /-]+|EQ VAS)", t) for t in texts)
    displays = {o.valueCoding.display for i in questionnaire.item for o in i.answerOption or []}
    assert all(re.fullmatch(r"Level \d", display) for display in displays)


def test_startback_keeps_keeles_notice(client):
    questionnaire = Questionnaire.model_validate_json(public(client, "Questionnaire/startback"))

    assert "Keele University" in questionnaire.copyright


def test_every_code_the_resources_use_is_in_a_published_code_system(client, token, responses):
    codings = set()
    for resource_type in ("QuestionnaireResponse", "Observation"):
        for resource in matches(search(client, token, resource_type, _count="100")):
            data = resource.model_dump()
            codings |= {(c["system"], c["code"]) for c in _codings(data)}

    ours = {(system, code) for system, code in codings if system.startswith(BASE)}
    assert ours  # the score, time point and answer systems
    for system in {system for system, _code in ours}:
        code_system = CodeSystem.model_validate_json(
            public(client, f"CodeSystem/{system.rsplit('/', 1)[1]}")
        )
        assert code_system.url == system
        assert code_system.content == "complete"
        served = {concept.code for concept in code_system.concept}
        assert {code for s, code in ours if s == system} <= served


def _codings(data):
    """Every Coding (a dict with a system and a code) anywhere in a resource's JSON."""
    if isinstance(data, dict):
        if "system" in data and "code" in data:
            yield data
        for value in data.values():
            yield from _codings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _codings(value)


def test_an_unknown_code_system_is_not_found(client):
    assert client.get("/fhir/R4/CodeSystem/nothing-here").status_code == 404
    assert client.get("/fhir/R4/Questionnaire/sf36").status_code == 404


def test_a_patient_with_no_questionnaires_has_none(client, token, practice, responses):
    nobody = PatientFactory(registered_practice=practice)

    bundle = search(
        client, token, "Observation", **{"patient:identifier": f"{NHS}|{nobody.nhs_number}"}
    )

    assert (bundle.total, bundle.entry) == (0, None)
