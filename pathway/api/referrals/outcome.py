"""What the rules made of a posted referral, as OperationOutcomes that point into the Bundle.

- `refused_outcome`: the problems of ReferralRefused, ((question name, message), ...), each
  pointing at the QuestionnaireResponse item of that linkId, or at the Patient or
  ServiceRequest element that holds the detail;
- `red_flag_outcome`: not referred, and where to send the person, in the web form's words
  (pathway.clinical.red_flags.DESTINATIONS, under the summary page's heading);
- `not_eligible_outcome`: not eligible, and why, as the summary page says it.

The messages are the rules' own, word for word: the web form shows the same beside its fields.
"""

from pathway.api.referrals.patient import NHS_NUMBER_ELEMENT
from pathway.api.referrals.problems import (
    BUSINESS_RULE,
    REQUIRED,
    Problem,
    operation_outcome,
)
from pathway.api.referrals.questionnaire import QUESTIONS
from pathway.clinical.red_flags import DESTINATIONS, GROUP_DESTINATIONS
from pathway.clinical.referral_rules import EXCLUSIONS_BY_CODE
from pathway.referrals.answers import (
    EXCLUSION_FIELDS,
    PATIENT_DETAILS,
    RED_FLAG_FIELDS,
    SECTIONS,
    STARTBACK_FIELDS,
)

# The headings the referral summary page shows above the same words.
RED_FLAGS_HEADING = "Red flags: not referred to the pathway"
NOT_ELIGIBLE_HEADING = "Not eligible for the pathway"

# Where each detail that is not a Questionnaire item is, in the Patient or the ServiceRequest.
PATIENT_ELEMENTS = {
    "nhs_number": NHS_NUMBER_ELEMENT,
    "given_name": "name.given",
    "family_name": "name.family",
    "date_of_birth": "birthDate",
    "sex": "gender",
    "postcode": "address.postalCode",
    "mobile": "telecom",
    "email": "telecom",
    "registered_practice": "generalPractitioner",
}
SERVICE_REQUEST_ELEMENTS = {
    "body_part": "code",
    # Not a question: who refers, for the endpoint's "another organisation's practice".
    "requester": "requester",
    "service": "performer",
    "priority_override": "priority",
}
# Exclusions worked out rather than asked: from the date of birth, from the practice.
WORKED_OUT_EXCLUSIONS = {
    "under_minimum_age": "birthDate",
    "not_registered_locally": "generalPractitioner",
}


def expression_for(name, places):
    """Where the answer to the question `name` (a question name of referrals.answers, or None
    for the referral as a whole) is in the posted Bundle."""
    if name is None:
        return places.in_service_request()
    if name == "mobile":
        # "Enter a mobile number or email address, or untick the agreement to be contacted".
        return (places.in_patient("telecom"), places.item("consents_to_contact"))
    if name == "priority_override_reason":
        # The ServiceRequest's priority differs from the one the urgency answers give.
        return (places.item(name), places.in_service_request("priority"))
    if name in QUESTIONS:
        return places.item(name)
    if name in PATIENT_ELEMENTS:
        return places.in_patient(PATIENT_ELEMENTS[name])
    if name in SERVICE_REQUEST_ELEMENTS:
        return places.in_service_request(SERVICE_REQUEST_ELEMENTS[name])
    return "Bundle"


def refused_outcome(problems, answers, places):
    """The OperationOutcome for ReferralRefused.problems about `answers` (those the endpoint
    passed to record_referral) read from a Bundle whose resources are at `places`."""
    return operation_outcome(
        Problem(
            REQUIRED if _unanswered(name, answers) else BUSINESS_RULE,
            message,
            expression_for(name, places),
        )
        for name, message in problems
    )


def _unanswered(name, answers):
    if name is None:
        return False
    if name in STARTBACK_FIELDS or any(name in questions for _, questions in SECTIONS):
        return not answers.answered(name)
    holder = answers.patient if name in PATIENT_DETAILS else answers
    return getattr(holder, name, None) in (None, "")


def red_flag_outcome(*, destinations, flags, places):
    """Not referred: where to send the person (`destinations`, codes of DESTINATIONS, most
    urgent first: Referral.red_flag_destinations), each pointing at the flags found
    (`flags`, red flag codes: Referral.red_flags_found) that lead there."""
    return operation_outcome(
        Problem(
            BUSINESS_RULE,
            DESTINATIONS[destination],
            _flag_items(destination, flags, places),
            details=RED_FLAGS_HEADING,
        )
        for destination in destinations
    )


def _flag_items(destination, flags, places):
    names = [
        name
        for name, flag in RED_FLAG_FIELDS.items()
        if flag.code in flags and GROUP_DESTINATIONS[flag.group] == destination
    ]
    return tuple(places.item(name) for name in names) or places.in_service_request()


def not_eligible_outcome(*, exclusions, places):
    """Not eligible: why, for each exclusion found (codes: Referral.exclusions_found)."""
    fields = {exclusion.code: name for name, exclusion in EXCLUSION_FIELDS.items()}
    return operation_outcome(
        Problem(
            BUSINESS_RULE,
            EXCLUSIONS_BY_CODE[code].reason,
            places.item(fields[code])
            if code in fields
            else places.in_patient(WORKED_OUT_EXCLUSIONS.get(code, "")),
            details=NOT_ELIGIBLE_HEADING,
        )
        for code in exclusions
    )
