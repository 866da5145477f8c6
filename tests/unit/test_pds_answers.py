"""Reading PDS's answers: what each answer means for the GP's form (pathway.patients.pds)."""

import datetime
import json

import pytest

from pathway.patients.pds import MAX_ANSWER_BYTES, Outcome, read_answer
from tests.pds_fake import operation_outcome, pds_patient

NUMBER = "9990100004"
OTHER = "9990100012"


def body(payload):
    return json.dumps(payload).encode()


def patient(number=NUMBER, **changes):
    return pds_patient(
        number, "Rhiannon Mai", "Reid", "1974-02-11", "female", "NE2 2RR", "a99001", **changes
    )


def test_a_found_person_gives_name_birth_sex_postcode_and_practice():
    lookup = read_answer(NUMBER, 200, body(patient()))

    assert lookup.outcome == Outcome.FOUND
    person = lookup.person
    assert (person.given_name, person.family_name) == ("Rhiannon Mai", "Reid")
    assert person.date_of_birth == datetime.date(1974, 2, 11)
    assert (person.sex, person.postcode, person.practice_ods_code) == (
        "female",
        "NE2 2RR",
        "A99001",
    )
    assert "check them with the person" in lookup.message


def test_a_different_nhs_number_in_the_answer_is_a_superseded_number_and_nothing_else():
    lookup = read_answer(NUMBER, 200, body(patient(OTHER)))

    assert lookup.outcome == Outcome.SUPERSEDED
    assert lookup.current_nhs_number == OTHER
    assert lookup.person is None
    assert "999 010 0012" in lookup.message


@pytest.mark.parametrize("code", ["R", "V"])
def test_a_restricted_record_shows_nothing(code):
    lookup = read_answer(NUMBER, 200, body(patient(security=code)))

    assert lookup.outcome == Outcome.SENSITIVE
    assert lookup.person is None
    assert "restricted" in lookup.message


def test_not_found_and_invalidated_numbers_say_different_things():
    missing = read_answer(NUMBER, 404, body(operation_outcome("RESOURCE_NOT_FOUND", "Not found")))
    invalidated = read_answer(
        NUMBER, 404, body(operation_outcome("INVALIDATED_RESOURCE", "Resource Id is invalid"))
    )

    assert missing.outcome == invalidated.outcome == Outcome.NOT_FOUND
    assert "No one with this NHS number" in missing.message
    assert "no longer valid" in invalidated.message


def test_a_404_without_an_operation_outcome_is_still_not_found():
    assert read_answer(NUMBER, 404, b"Not Found").outcome == Outcome.NOT_FOUND


@pytest.mark.parametrize(
    ("status", "payload"),
    [
        (500, b"Internal Server Error"),
        (503, body(operation_outcome("SERVICE_UNAVAILABLE", "Unavailable"))),
        (401, body(operation_outcome("ACCESS_DENIED", "Access denied", "forbidden"))),
        (429, body(operation_outcome("TOO_MANY_REQUESTS", "Too many requests"))),
        (400, body(operation_outcome("MISSING_VALUE", "Required value is missing"))),
    ],
)
def test_other_answers_are_unavailable(status, payload):
    lookup = read_answer(NUMBER, status, payload)

    assert lookup.outcome == Outcome.UNAVAILABLE
    assert "could not be reached" in lookup.message


@pytest.mark.parametrize(
    "payload",
    [
        b"<html>gateway</html>",
        body({"resourceType": "Observation", "id": NUMBER}),
        body({**patient(), "birthDate": "1974-13-45"}),
        body({**patient(), "identifier": [], "id": "not-a-number"}),
    ],
    ids=["not json", "not a patient", "invalid date", "no nhs number"],
)
def test_an_answer_that_does_not_validate_is_unavailable(payload):
    lookup = read_answer(NUMBER, 200, payload)

    assert lookup.outcome == Outcome.UNAVAILABLE
    assert "could not be read" in lookup.message


def test_an_oversized_answer_is_not_read():
    lookup = read_answer(NUMBER, 200, b" " * (MAX_ANSWER_BYTES + 1))

    assert lookup.outcome == Outcome.UNAVAILABLE


def test_ended_addresses_and_registrations_are_not_used():
    ended = {"start": "2001-01-01", "end": "2020-12-31"}
    resource = patient()
    resource["address"][0]["period"] = ended
    resource["generalPractitioner"][0]["identifier"]["period"] = ended

    person = read_answer(NUMBER, 200, body(resource)).person

    assert (person.postcode, person.practice_ods_code) == ("", "")


def test_the_current_usual_name_is_preferred_to_an_old_one():
    resource = patient()
    old = {"use": "usual", "given": ["Old"], "family": "Name", "period": {"end": "2010"}}
    nickname = {"use": "nickname", "given": ["Rhi"], "family": "Reid"}
    resource["name"] = [old, nickname, *resource["name"]]

    person = read_answer(NUMBER, 200, body(resource)).person

    assert (person.given_name, person.family_name) == ("Rhiannon Mai", "Reid")


def test_a_partial_date_of_birth_and_missing_details_are_left_for_the_gp():
    resource = patient(birthDate="1974")
    del resource["gender"], resource["address"], resource["generalPractitioner"]

    person = read_answer(NUMBER, 200, body(resource)).person

    assert person.date_of_birth is None
    assert (person.sex, person.postcode, person.practice_ods_code) == ("", "", "")
    assert person.family_name == "Reid"
