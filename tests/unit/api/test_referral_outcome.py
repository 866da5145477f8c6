"""The rules' problems, a red flag and an exclusion as OperationOutcomes: the rules' own words,
each pointing at the element of the posted Bundle it is about. No database."""

import datetime
import pathlib

import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome

from pathway.api.referrals.bundle import read_referral_bundle
from pathway.api.referrals.outcome import (
    NOT_ELIGIBLE_HEADING,
    RED_FLAGS_HEADING,
    expression_for,
    not_eligible_outcome,
    red_flag_outcome,
    refused_outcome,
)
from pathway.api.referrals.problems import Places
from pathway.clinical.red_flags import DESTINATIONS
from pathway.clinical.referral_rules import EXCLUSIONS_BY_CODE
from pathway.referrals.answers import (
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    STARTBACK_FIELDS,
    URGENCY_FIELDS,
    PatientDetails,
    ReferralAnswers,
)
from pathway.referrals.decision import MISSING_DETAILS, MISSING_PRESENTATION
from tests.fhir_referrals import example_bundle, without_items

PLACES = Places(patient=0, service_request=1, response=2)
QR = "Bundle.entry[2].resource"
TEMPLATES = pathlib.Path(__file__).resolve().parents[3] / "templates" / "referrals"
CONTAINERS = {"patient", "submission_key", "red_flags", "exclusions", "urgency", "startback"}
# Which door the answers came through, never a question (a GP system never refers for itself).
NOT_ASKED = {"self_referral"}
EVERY_QUESTION = sorted(
    {*ReferralAnswers.__dataclass_fields__, *PatientDetails.__dataclass_fields__}
    - CONTAINERS
    - NOT_ASKED
    | {*RED_FLAG_FIELDS, *EXCLUSION_FIELDS, *URGENCY_FIELDS, *STARTBACK_FIELDS}
    | {*MISSING_DETAILS, *MISSING_PRESENTATION}
)


def _valid(outcome):
    """The outcome as a client reads it: JSON parsed again by the R4B models."""
    return OperationOutcome.model_validate_json(outcome.model_dump_json())


@pytest.mark.parametrize("name", EVERY_QUESTION)
def test_every_question_the_rules_can_name_is_somewhere_in_the_bundle(name):
    expression = expression_for(name, PLACES)

    assert expression != "Bundle"


def test_a_problem_with_the_whole_referral_points_at_the_service_request():
    assert expression_for(None, PLACES) == "Bundle.entry[1].resource"


def test_the_rules_problems_point_at_their_items_in_the_rules_words():
    answers = read_referral_bundle(
        without_items(example_bundle(), "startback_3"), today=datetime.date(2025, 1, 15)
    ).answers
    problems = (
        ("startback_3", "STarT Back: answer question 3"),
        ("date_of_birth", "This date of birth does not match our record for this NHS number"),
        ("service", "Select the service the person chooses"),
        (None, "This person already has an open episode of care for this body part"),
    )

    issues = _valid(refused_outcome(problems, answers, PLACES)).issue

    assert [(i.code, i.expression, i.diagnostics) for i in issues] == [
        ("required", [f"{QR}.item.where(linkId='startback_3')"], problems[0][1]),
        ("business-rule", ["Bundle.entry[0].resource.birthDate"], problems[1][1]),
        ("required", ["Bundle.entry[1].resource.performer"], problems[2][1]),
        ("business-rule", ["Bundle.entry[1].resource"], problems[3][1]),
    ]


def test_no_contact_details_points_at_the_telecoms_and_the_agreement():
    expression = expression_for("mobile", PLACES)

    assert expression == (
        "Bundle.entry[0].resource.telecom",
        f"{QR}.item.where(linkId='consents_to_contact')",
    )


def test_cauda_equina_says_where_to_send_the_person_in_the_web_forms_words():
    outcome = red_flag_outcome(
        destinations=["emergency_same_day"],
        flags=["saddle_anaesthesia", "bilateral_sciatica"],
        places=PLACES,
    )

    (issue,) = _valid(outcome).issue
    assert issue.diagnostics == DESTINATIONS["emergency_same_day"]
    assert issue.details.text == RED_FLAGS_HEADING
    assert issue.expression == [
        f"{QR}.item.where(linkId='red_flag_saddle_anaesthesia')",
        f"{QR}.item.where(linkId='red_flag_bilateral_sciatica')",
    ]


def test_suspected_pathology_names_each_destination_with_the_flags_that_lead_there():
    outcome = red_flag_outcome(
        destinations=["urgent_secondary_care", "suspected_cancer_pathway"],
        flags=["history_of_cancer", "fever", "immunosuppression"],
        places=PLACES,
    )

    issues = _valid(outcome).issue
    assert [issue.diagnostics for issue in issues] == [
        DESTINATIONS["urgent_secondary_care"],
        DESTINATIONS["suspected_cancer_pathway"],
    ]
    assert issues[0].expression == [
        f"{QR}.item.where(linkId='red_flag_fever')",
        f"{QR}.item.where(linkId='red_flag_immunosuppression')",
    ]
    assert issues[1].expression == [f"{QR}.item.where(linkId='red_flag_history_of_cancer')"]


def test_the_headings_are_the_referral_summarys():
    summary = (TEMPLATES / "referral_detail.html").read_text()
    form = (TEMPLATES / "refer.html").read_text()

    assert RED_FLAGS_HEADING in summary
    assert NOT_ELIGIBLE_HEADING in form


def test_an_exclusion_says_why_at_its_question_or_at_what_it_was_worked_out_from():
    outcome = not_eligible_outcome(exclusions=["housebound", "under_minimum_age"], places=PLACES)

    issues = _valid(outcome).issue
    assert [issue.diagnostics for issue in issues] == [
        EXCLUSIONS_BY_CODE["housebound"].reason,
        EXCLUSIONS_BY_CODE["under_minimum_age"].reason,
    ]
    assert [issue.expression for issue in issues] == [
        [f"{QR}.item.where(linkId='exclusion_housebound')"],
        ["Bundle.entry[0].resource.birthDate"],
    ]
