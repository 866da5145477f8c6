"""Patient as FHIR R4 in the shape of UK Core: the NHS number, name, gender, birth date,
postcode, the registered GP practice by ODS code, and contact details only with consent."""

from django.db.models import Q
from fhir.resources.R4B.patient import Patient as FhirPatient

from pathway.api.referrals.systems import uk_core_meta
from pathway.api.search import SearchParameter, token_values
from pathway.api.search_parameters import last_updated

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"


def patient_resource(patient):
    """The FHIR Patient of a pathway.patients Patient (its registered practice selected)."""
    practice = patient.registered_practice
    data = {
        "resourceType": "Patient",
        # The opaque public id, as in the web app's addresses: never the NHS number.
        "id": str(patient.public_id),
        "meta": uk_core_meta("Patient", patient.updated_at),
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}],
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        # The service's sex choices are FHIR's administrative gender codes.
        "gender": patient.sex,
        "birthDate": patient.date_of_birth.isoformat(),
        "address": [{"use": "home", "postalCode": patient.postcode}],
        # A logical reference: the service does not serve Organization resources.
        "generalPractitioner": [
            {
                "type": "Organization",
                "identifier": {"system": ODS_CODE_SYSTEM, "value": practice.ods_code},
                "display": practice.name,
            }
        ],
    }
    if patient.deceased:
        data["deceasedBoolean"] = True
    telecom = _telecom(patient)
    if telecom:
        data["telecom"] = telecom
    return FhirPatient.model_validate(data)


def _telecom(patient):
    # The person agreed to be contacted about their care by the service, and no further: their
    # details go out only with that consent.
    if not patient.consents_to_contact:
        return []
    telecom = []
    if patient.mobile:
        telecom.append({"system": "phone", "value": patient.mobile, "use": "mobile"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email, "use": "home"})
    return telecom


def _by_identifier(patients, text, _modifier):
    wanted = Q(pk__in=[])  # nothing, until a value matches
    for system, code in token_values(text):
        if system not in (None, NHS_NUMBER_SYSTEM):
            continue  # no other identifier system is held, and "no system" is never used
        if not code:
            return patients  # system| alone: anyone with an NHS number, which is everyone
        wanted |= Q(nhs_number=code)
    return patients.filter(wanted)


SEARCH_PARAMETERS = (
    SearchParameter(
        name="identifier",
        type="token",
        definition="http://hl7.org/fhir/SearchParameter/Patient-identifier",
        documentation=f"The NHS number: {NHS_NUMBER_SYSTEM}|9990000018 (or the number alone).",
        apply=_by_identifier,
    ),
    last_updated("updated_at"),
)
