"""Published resources, read without a token: they say nothing about anyone.

- Questionnaire/back-pain-referral, the referral template a GP system answers, and one
  Questionnaire for each outcome questionnaire (Questionnaire/phq9, .../odi: ODI and EQ-5D-5L
  as structure only), which the QuestionnaireResponses served name;
- CodeSystem/<name>, the service's own code systems those resources use.
"""

from pathway.api.code_systems import CODE_SYSTEMS
from pathway.api.referrals.instruments import BY_QUESTIONNAIRE_ID, instrument_questionnaire
from pathway.api.referrals.questionnaire import referral_questionnaire
from pathway.api.responses import FhirError, fhir_response

REFERRAL_TEMPLATE = "back-pain-referral"


def read_questionnaire(request, public_id):
    if public_id == REFERRAL_TEMPLATE:
        return fhir_response(referral_questionnaire())
    if public_id in BY_QUESTIONNAIRE_ID:
        return fhir_response(instrument_questionnaire(BY_QUESTIONNAIRE_ID[public_id]))
    raise FhirError(404, "not-found", "There is no such Questionnaire.")


def read_code_system(request, public_id):
    if public_id not in CODE_SYSTEMS:
        raise FhirError(404, "not-found", "There is no such CodeSystem.")
    return fhir_response(CODE_SYSTEMS[public_id]())
