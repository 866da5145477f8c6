"""Asking PDS over HTTP (pathway.patients.pds.find_person), against a fake PDS on loopback.

PDS is outside our control, so tests/pds_fake.py stands in for it: a real HTTP server that
answers like PDS's documented API (found, not found, restricted, superseded), and can be told
to answer slowly or fail.
"""

import logging
import time
import uuid

import pytest

from pathway.patients.pds import Outcome, find_person
from tests.conftest import UNREACHABLE_PDS
from tests.pds_fake import pds_patient, running_fake_pds

FOUND = "9990100004"
RESTRICTED = "9990100039"
OLD, CURRENT = "9990100047", "9990100055"
NOBODY = "9990100063"


@pytest.fixture
def fake_pds(settings):
    with running_fake_pds() as fake:
        fake.add(
            pds_patient(FOUND, "Rhiannon", "Reid", "1974-02-11", "female", "NE2 2RR", "A99001")
        )
        fake.add(
            pds_patient(
                RESTRICTED,
                "Una",
                "Unwin",
                "1990-01-01",
                "female",
                "NE4 9UU",
                "A99001",
                security="R",
            )
        )
        fake.add(pds_patient(CURRENT, "Vera", "Vance", "1969-08-08", "female", "NE3 6VV", "A99001"))
        fake.superseded[OLD] = CURRENT
        settings.PDS_BASE_URL = fake.base_url
        settings.PDS_TIMEOUT_SECONDS = 0.5
        yield fake


def test_a_found_person_is_asked_for_as_pds_requires(fake_pds):
    lookup = find_person(FOUND)

    assert lookup.outcome == Outcome.FOUND
    assert (lookup.person.given_name, lookup.person.postcode) == ("Rhiannon", "NE2 2RR")
    [(path, headers)] = fake_pds.requests
    assert path.endswith(f"/Patient/{FOUND}")
    assert uuid.UUID(headers["x-request-id"])
    assert headers["accept"] == "application/fhir+json"


@pytest.mark.parametrize(
    ("number", "outcome"),
    [(NOBODY, Outcome.NOT_FOUND), (RESTRICTED, Outcome.SENSITIVE), (OLD, Outcome.SUPERSEDED)],
)
def test_each_answer_of_pds_has_its_outcome(fake_pds, number, outcome):
    lookup = find_person(number)

    assert lookup.outcome == outcome
    assert lookup.person is None


def test_a_superseded_number_names_the_current_one(fake_pds):
    lookup = find_person(OLD)

    assert lookup.current_nhs_number == CURRENT
    assert "999 010 0055" in lookup.message


def test_an_invalidated_number_is_not_found(fake_pds):
    fake_pds.invalidated.add(NOBODY)

    lookup = find_person(NOBODY)

    assert (lookup.outcome, "no longer valid" in lookup.message) == (Outcome.NOT_FOUND, True)


def test_a_slow_answer_is_given_up_at_the_timeout(fake_pds):
    fake_pds.delay = 5

    started = time.monotonic()
    lookup = find_person(FOUND)

    assert lookup.outcome == Outcome.UNAVAILABLE
    assert time.monotonic() - started < 2


def test_a_server_error_is_unavailable(fake_pds):
    fake_pds.fail_next(500)

    assert find_person(FOUND).outcome == Outcome.UNAVAILABLE


def test_no_server_at_the_address_is_unavailable():
    assert find_person(FOUND, base_url=UNREACHABLE_PDS).outcome == Outcome.UNAVAILABLE


def test_the_lookup_logs_no_nhs_number(fake_pds, caplog):
    fake_pds.fail_next(503)
    caplog.set_level(logging.DEBUG)

    find_person(FOUND)
    find_person(FOUND, base_url=UNREACHABLE_PDS)

    assert caplog.records, "each failure is logged"
    assert not any(FOUND in record.getMessage() for record in caplog.records)
