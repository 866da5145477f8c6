"""assess and decide take a ReferralAnswers and nothing else: no form, no request, and here
no database (an answer without an NHS number looks nobody up)."""

import dataclasses
import datetime

import pytest

from pathway.demo.referrals import complete_answers
from pathway.organisations.models import GPPractice, ProviderService
from pathway.patients.models import Patient
from pathway.referrals.answers import (
    EXCLUSION_FIELDS,
    RED_FLAG_FIELDS,
    ReferralAnswers,
    with_answers,
)
from pathway.referrals.assessment import assess
from pathway.referrals.decision import MISSING_DETAILS, decide, missing_answer
from pathway.referrals.models import ReferralOutcome

PRACTICE = GPPractice(pk=1, area_id=1, name="Quayside")
SERVICE = ProviderService(pk=1, area_id=1, name="Tyneside")


def _complete(**given):
    """A complete referral of someone new (no NHS number: no look-up)."""
    person = Patient(
        nhs_number="",
        given_name="Ruth",
        family_name="Referral",
        date_of_birth=datetime.date(1971, 3, 14),
        sex="female",
        postcode="NE1 4LP",
        email="ruth@example.com",
        registered_practice=PRACTICE,
    )
    return with_answers(complete_answers(person, service=SERVICE), **given)


def _decide(answers):
    return decide(answers, assess(answers, scope=None, services=[SERVICE]), [SERVICE])


def _decide_new_person(answers, number="9990000018"):
    """Decided as for a valid NHS number the service has never seen: assessed without it (so
    nothing is looked up), as the look-up would have found nobody."""
    assessment = assess(answers, scope=None, services=[SERVICE])
    assessment.nhs_number = number
    given = dataclasses.replace(
        answers, patient=dataclasses.replace(answers.patient, nhs_number=number)
    )
    return decide(given, assessment, [SERVICE])


def test_nothing_answered_names_every_missing_detail_and_question():
    problems = dict(_decide(ReferralAnswers()).problems)

    assert {name: problems[name] for name in MISSING_DETAILS} == MISSING_DETAILS
    assert all(problems[name] == missing_answer(name) for name in RED_FLAG_FIELDS)
    assert all(problems[name] == missing_answer(name) for name in EXCLUSION_FIELDS)


def test_complete_answers_without_an_nhs_number_ask_for_it_and_nothing_else():
    decision = _decide(_complete())

    assert decision.outcome is None
    assert decision.problems == (("nhs_number", "Enter the NHS number"),)


def test_an_invalid_nhs_number_is_named_with_what_is_wrong():
    answers = _complete(nhs_number="999 000 0019")

    problems = dict(_decide(answers).problems)

    assert "nhs_number" in problems and "NHS number" in problems["nhs_number"]


@pytest.mark.parametrize(
    ("given", "outcome"),
    [
        ({}, ReferralOutcome.REFERRED),
        ({"exclusion_housebound": True}, ReferralOutcome.EXCLUDED),
        ({"red_flag_bilateral_sciatica": True}, ReferralOutcome.REDIRECTED),
        ({"decision": "discharge_with_advice"}, ReferralOutcome.GP_DISCHARGED),
    ],
)
def test_outcomes_follow_from_the_answers_alone(given, outcome):
    decision = _decide_new_person(_complete(**given))

    assert (decision.outcome, decision.problems) == (outcome, ())


def test_consent_to_contact_needs_a_mobile_or_email():
    answers = _complete(email="", mobile="", consents_to_contact=True)

    problems = dict(_decide_new_person(answers).problems)

    assert problems["mobile"].startswith("Enter a mobile number or email address")


def test_a_low_risk_referral_needs_a_reason():
    answers = dataclasses.replace(_complete(), low_risk_referral_reason="")
    answers = with_answers(
        answers, startback_1=False, startback_2=False, startback_5=False, startback_6=False
    )

    problems = dict(_decide_new_person(answers).problems)

    assert problems["low_risk_referral_reason"].startswith("The STarT Back risk is low")


def test_answers_cannot_be_changed_once_given():
    answers = _complete()

    with pytest.raises(dataclasses.FrozenInstanceError):
        answers.body_part = "neck"
    with pytest.raises(TypeError):
        answers.red_flags["bilateral_sciatica"] = True


def test_a_yes_no_question_takes_only_yes_or_no():
    with pytest.raises(ValueError, match="True or False"):
        _complete(red_flag_bilateral_sciatica="yes")
    with pytest.raises(ValueError, match="not a question"):
        _complete(favourite_colour="blue")
