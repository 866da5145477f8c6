"""A referral Bundle is read into the answers the web form would give, or refused with
problems that each point, by a FHIRPath expression, at what is wrong. No database."""

import copy
import dataclasses
import datetime

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from pathway.api.referrals.bundle import read_referral_bundle
from pathway.api.referrals.problems import BundleRefused
from pathway.api.referrals.questionnaire import URL
from pathway.demo.referrals import complete_answers
from pathway.organisations.models import GPPractice, ProviderService
from pathway.patients.models import Patient
from pathway.referrals.answers import PatientDetails, ReferralAnswers
from tests.fhir_referrals import (
    NHS_NUMBER,
    PRACTICE_CODE,
    SERVICE_CODE,
    answered,
    example_bundle,
    item_index,
    items,
    resource,
    without_items,
)

TODAY = datetime.date(2025, 1, 15)
PRACTICE = GPPractice(pk=1, area_id=1, ods_code=PRACTICE_CODE, name="Riverside Surgery")
SERVICE = ProviderService(pk=1, area_id=1, code=SERVICE_CODE, name="Riverside MSK")
QR = "Bundle.entry[2].resource"
PATIENT = "Bundle.entry[0].resource"
REQUEST = "Bundle.entry[1].resource"


def _read(bundle):
    return read_referral_bundle(bundle, today=TODAY)


def _refused(bundle):
    """[(code, expression)] of the problems the bundle is refused with; its OperationOutcome
    must be valid FHIR."""
    with pytest.raises(BundleRefused) as refused:
        _read(bundle)
    OperationOutcome.model_validate_json(refused.value.outcome().model_dump_json())
    return [(p.code, p.expression) for p in refused.value.problems]


def test_the_example_is_a_valid_fhir_bundle():
    Bundle.model_validate(example_bundle())


def test_the_example_reads_as_the_answers_the_demo_gives_the_same_person():
    read = _read(example_bundle())
    person = Patient(
        nhs_number=NHS_NUMBER,
        given_name="Sam",
        family_name="Taylor",
        date_of_birth=datetime.date(1971, 3, 14),
        sex="female",
        postcode="NE1 4LP",
        mobile="07700900982",
        email="sam.taylor@example.com",
        preferred_channel="sms",
        registered_practice=PRACTICE,
    )
    expected = complete_answers(person, risk="medium", service=SERVICE)

    got = read.answers_with(registered_practice=PRACTICE, service=SERVICE)

    for name in PatientDetails.__dataclass_fields__:
        assert getattr(got.patient, name) == getattr(expected.patient, name), name
    # The demo's key is random and it gives every referral a reason to refer at low risk
    # (used only at low risk); the example, at medium risk, gives none.
    different = {"patient", "submission_key", "low_risk_referral_reason"}
    for name in set(ReferralAnswers.__dataclass_fields__) - different:
        assert getattr(got, name) == getattr(expected, name), name
    assert got.low_risk_referral_reason == ""
    assert got.submission_key == read.submission_key


def test_the_example_names_who_refers_and_to_which_service():
    read = _read(example_bundle())

    assert read.requester_practice_code == PRACTICE_CODE
    assert read.requester_practitioner == (("https://fhir.nhs.uk/Id/sds-user-id", "555000000001"),)
    assert (read.registered_practice_code, read.service_code) == (PRACTICE_CODE, SERVICE_CODE)
    assert read.answers.service is None and read.answers.patient.registered_practice is None


def test_a_replay_of_the_same_bundle_has_the_same_submission_key():
    assert _read(example_bundle()).submission_key == _read(example_bundle()).submission_key


def test_another_bundle_identifier_has_another_submission_key():
    other = example_bundle()
    other["identifier"]["value"] = "urn:uuid:00000000-0000-4000-8000-000000000000"

    assert _read(other).submission_key != _read(example_bundle()).submission_key


def test_the_same_identifier_from_another_practice_has_another_submission_key():
    other = example_bundle()
    role = resource(other, 1)["contained"][0]
    role["organization"]["identifier"]["value"] = "Y90002"

    assert _read(other).submission_key != _read(example_bundle()).submission_key


def test_a_message_bundle_with_its_header_first_reads_the_same():
    message = example_bundle()
    message["type"] = "message"
    header = {
        "resourceType": "MessageHeader",
        "eventCoding": {"system": "https://example.org/events", "code": "referral"},
        "source": {"endpoint": "https://gp.example.org/fhir"},
        "focus": [{"reference": message["entry"][1]["fullUrl"]}],
    }
    for entry in message["entry"]:
        del entry["request"]
    message["entry"].insert(0, {"fullUrl": "urn:uuid:1", "resource": header})

    read = _read(message)

    assert read.answers == _read(example_bundle()).answers
    assert read.places.response == 3


def test_a_requester_given_as_entries_reads_as_when_contained():
    bundle = example_bundle()
    request = resource(bundle, 1)
    role = request.pop("contained")[0]
    del role["id"]
    bundle["entry"].append(
        {
            "fullUrl": "urn:uuid:role",
            "resource": role,
            "request": {"method": "POST", "url": "PractitionerRole"},
        }
    )
    request["requester"] = {"reference": "urn:uuid:role"}

    read = _read(bundle)

    assert read.requester_practice_code == PRACTICE_CODE
    assert read.requester_practitioner == _read(example_bundle()).requester_practitioner


def test_a_priority_the_urgency_answers_do_not_give_is_the_gps_change_of_priority():
    bundle = example_bundle()
    resource(bundle, 1)["priority"] = "urgent"

    assert _read(bundle).answers.priority_override == "urgent"


def test_a_priority_the_urgency_answers_give_changes_nothing():
    bundle = answered(example_bundle(), urgency_severe_sleep_disturbance=True)
    resource(bundle, 1)["priority"] = "urgent"

    assert _read(bundle).answers.priority_override is None


def _set(path, value):
    """A change to the example: set the element at `path` (keys and indices) to `value`."""

    def change(bundle):
        node = bundle
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return bundle

    return change


def _append(path, value):
    def change(bundle):
        node = bundle
        for key in path:
            node = node[key]
        node.append(value)
        return bundle

    return change


def _delete(path):
    def change(bundle):
        node = bundle
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return bundle

    return change


def _answer(**answers):
    return lambda bundle: answered(bundle, **answers)


def _raw_answer(link_id, answer):
    def change(bundle):
        items(bundle)[item_index(bundle, link_id)]["answer"] = [answer]
        return bundle

    return change


def _entries(change):
    def changed(bundle):
        bundle["entry"] = change(bundle["entry"])
        return bundle

    return changed


P, S, Q = ("entry", 0, "resource"), ("entry", 1, "resource"), ("entry", 2, "resource")
SCIATICA = f"{QR}.item.where(linkId='red_flag_bilateral_sciatica')"
NHS = f"{PATIENT}.identifier.where(system='https://fhir.nhs.uk/Id/nhs-number')"
OBSERVATION = {"resourceType": "Observation", "status": "final", "code": {"text": "x"}}

BAD_BUNDLES = {
    "not an object": (lambda b: [b], "structure", "Bundle"),
    "a Patient, not a Bundle": (lambda b: resource(b, 0), "invalid", "Bundle"),
    "no resourceType": (_delete(("resourceType",)), "invalid", "Bundle"),
    "a collection": (_set(("type",), "collection"), "not-supported", "Bundle.type"),
    "no identifier": (_delete(("identifier",)), "required", "Bundle.identifier"),
    "no entries": (_set(("entry",), []), "required", "Bundle.entry"),
    "an entry not an object": (_entries(lambda e: [*e, "x"]), "structure", "Bundle.entry[3]"),
    "no Patient": (_entries(lambda e: e[1:]), "required", "Bundle.entry"),
    "no ServiceRequest": (_entries(lambda e: [e[0], e[2]]), "required", "Bundle.entry"),
    "no QuestionnaireResponse": (_entries(lambda e: e[:2]), "required", "Bundle.entry"),
    "two Patients": (
        _entries(lambda e: [*e, copy.deepcopy(e[0])]),
        "invalid",
        "Bundle.entry[3].resource",
    ),
    "an Observation": (
        _entries(lambda e: [*e, {"resource": OBSERVATION, "request": e[0]["request"]}]),
        "not-supported",
        "Bundle.entry[3].resource",
    ),
    "an entry without its request": (
        _delete(("entry", 1, "request")),
        "required",
        "Bundle.entry[1].request",
    ),
    "a message without its header": (_set(("type",), "message"), "invalid", PATIENT),
    "an element FHIR does not have": (
        _set((*P, "shoeSize"), 9),
        "structure",
        f"{PATIENT}.shoeSize",
    ),
    "a birth date that is a number": (
        _set((*P, "birthDate"), 19710314),
        "structure",
        f"{PATIENT}.birthDate",
    ),
    "a yes that is a word": (
        _raw_answer("red_flag_bilateral_sciatica", {"valueBoolean": "maybe"}),
        "structure",
        f"{QR}.item[9].answer[0].value.ofType(boolean)",
    ),
    "an invalid NHS number": (
        _set((*P, "identifier", 0, "value"), "9990000019"),
        "invalid",
        NHS,
    ),
    "no NHS number": (_delete((*P, "identifier")), "required", f"{PATIENT}.identifier"),
    "a birth date before 1900": (
        _set((*P, "birthDate"), "1850-01-01"),
        "value",
        f"{PATIENT}.birthDate",
    ),
    "a birth date in the future": (
        _set((*P, "birthDate"), "2030-01-01"),
        "value",
        f"{PATIENT}.birthDate",
    ),
    "a birth year and month only": (
        _set((*P, "birthDate"), "1971-03"),
        "value",
        f"{PATIENT}.birthDate",
    ),
    "an unknown gender": (_set((*P, "gender"), "x"), "code-invalid", f"{PATIENT}.gender"),
    "a postcode that is not one": (
        _set((*P, "address", 0, "postalCode"), "NOT A CODE"),
        "value",
        f"{PATIENT}.address[0].postalCode",
    ),
    "a mobile that is not one": (
        _set((*P, "telecom", 0, "value"), "01632 960000"),
        "value",
        f"{PATIENT}.telecom[0]",
    ),
    "a practice without an ODS code": (
        _set((*P, "generalPractitioner", 0), {"display": "Riverside"}),
        "value",
        f"{PATIENT}.generalPractitioner",
    ),
    "a draft ServiceRequest": (_set((*S, "status"), "draft"), "value", f"{REQUEST}.status"),
    "a proposal": (_set((*S, "intent"), "proposal"), "value", f"{REQUEST}.intent"),
    "another subject": (
        _set((*S, "subject"), {"reference": "urn:uuid:x"}),
        "invalid",
        f"{REQUEST}.subject",
    ),
    "a knee": (
        _set((*S, "code", "coding", 0, "code"), "239873007"),
        "code-invalid",
        f"{REQUEST}.code",
    ),
    "no code": (_delete((*S, "code")), "required", f"{REQUEST}.code"),
    "back and neck": (
        _append((*S, "code", "coding"), {"system": "http://snomed.info/sct", "code": "81680005"}),
        "invalid",
        f"{REQUEST}.code",
    ),
    "a stat priority": (_set((*S, "priority"), "stat"), "not-supported", f"{REQUEST}.priority"),
    "no requester": (_delete((*S, "requester")), "required", f"{REQUEST}.requester"),
    "a service without its code": (
        _set((*S, "performer", 0), {"display": "MSK"}),
        "value",
        f"{REQUEST}.performer[0]",
    ),
    "two services": (
        _append((*S, "performer"), {"display": "MSK"}),
        "invalid",
        f"{REQUEST}.performer[1]",
    ),
    "no questionnaire named": (_delete((*Q, "questionnaire")), "required", f"{QR}.questionnaire"),
    "another questionnaire": (
        _set((*Q, "questionnaire"), "https://example.org/Questionnaire/x|1"),
        "not-supported",
        f"{QR}.questionnaire",
    ),
    "another version": (
        _set((*Q, "questionnaire"), f"{URL}|0.9"),
        "not-supported",
        f"{QR}.questionnaire",
    ),
    "an answer in progress": (_set((*Q, "status"), "in-progress"), "value", f"{QR}.status"),
    "an unknown linkId": (
        _set((*Q, "item", 0, "linkId"), "consent"),
        "invalid",
        f"{QR}.item[0]",
    ),
    "a question answered twice": (
        lambda b: _append((*Q, "item"), copy.deepcopy(items(b)[0]))(b),
        "duplicate",
        f"{QR}.item[{len(example_bundle()['entry'][2]['resource']['item'])}]",
    ),
    "a nested item": (
        _set((*Q, "item", 0, "item"), [{"linkId": "x"}]),
        "invalid",
        f"{QR}.item[0]",
    ),
    "a yes/no answered in words": (
        _raw_answer("red_flag_bilateral_sciatica", {"valueString": "no"}),
        "value",
        SCIATICA,
    ),
    "two answers": (
        _append((*Q, "item", 9, "answer"), {"valueBoolean": True}),
        "value",
        SCIATICA,
    ),
    "a choice answered yes": (
        _raw_answer("startback_9", {"valueBoolean": True}),
        "value",
        f"{QR}.item.where(linkId='startback_9')",
    ),
    "a choice not offered": (
        _answer(startback_9="hugely"),
        "code-invalid",
        f"{QR}.item.where(linkId='startback_9')",
    ),
    "a choice of another code system": (
        _raw_answer("startback_9", {"valueCoding": {"system": "x:y", "code": "slightly"}}),
        "code-invalid",
        f"{QR}.item.where(linkId='startback_9')",
    ),
}


@pytest.mark.parametrize("case", BAD_BUNDLES, ids=str)
def test_a_bad_bundle_is_refused_pointing_at_what_is_wrong(case):
    change, code, expression = BAD_BUNDLES[case]

    problems = _refused(change(example_bundle()))

    assert (code, expression) in problems


def test_the_sciatica_item_is_where_the_cases_above_expect_it():
    assert item_index(example_bundle(), "red_flag_bilateral_sciatica") == 9


def test_every_problem_of_a_bad_bundle_is_reported_at_once():
    bundle = example_bundle()
    resource(bundle, 0)["birthDate"] = "1850-01-01"
    answered(bundle, startback_9="hugely")

    expressions = {expression for _code, expression in _refused(bundle)}

    assert expressions == {f"{PATIENT}.birthDate", f"{QR}.item.where(linkId='startback_9')"}


def test_unanswered_questions_are_left_to_the_rules():
    read = _read(without_items(example_bundle(), "startback_3", "limb_symptoms"))

    assert read.answers.startback[2] is None and read.answers.limb_symptoms is None


def test_an_item_without_an_answer_is_an_unanswered_question():
    bundle = example_bundle()
    items(bundle)[item_index(bundle, "startback_3")].pop("answer")

    assert _read(bundle).answers.startback[2] is None


def test_reasons_are_read_as_written_without_surrounding_space():
    bundle = answered(example_bundle(), low_risk_referral_reason="  Asked for physiotherapy ")

    assert _read(bundle).answers.low_risk_referral_reason == "Asked for physiotherapy"


def test_a_refused_nhs_number_is_not_repeated_back():
    bundle = example_bundle()
    resource(bundle, 0)["identifier"][0]["value"] = "9990000019"

    with pytest.raises(BundleRefused) as refused:
        _read(bundle)

    assert "9990000019" not in refused.value.outcome().model_dump_json()


def test_a_refused_bundle_outcome_lists_at_most_fifty_problems():
    bundle = example_bundle()
    items(bundle).extend({"linkId": f"unknown_{n}"} for n in range(80))

    with pytest.raises(BundleRefused) as refused:
        _read(bundle)

    issues = refused.value.outcome().issue
    assert len(issues) == 51 and issues[-1].severity == "information"


def test_the_example_is_unchanged_by_reading_it():
    bundle = example_bundle()

    _read(bundle)

    assert bundle == example_bundle()


def test_answers_are_frozen_values():
    read = _read(example_bundle())

    with pytest.raises(dataclasses.FrozenInstanceError):
        read.answers.body_part = "neck"
