"""A stand-in for the Personal Demographics Service, so that `make run` needs nothing but Python.

`GET /pds-stand-in/FHIR/R4/Patient/<NHS number>` answers in PDS's shape (pathway.patients.pds
describes it) for synthetic people only, all in the 999 test range: the few below, which the
database does not hold (one restricted record and one superseded number among them, for the
README's walk through), then the demo's people in the Patient table. Anyone else is "not
found". Served only while settings.PDS_STAND_IN is on; the settings refuse it with DEBUG off.
It asks for no credentials, as the real PDS would: it holds nothing but made-up people.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FHIRPatient

from pathway.clinical import InvalidAnswers
from pathway.clinical import nhs_number as nhs_numbers
from pathway.patients.models import Patient
from pathway.patients.pds import NHS_NUMBER_SYSTEM

ODS_SYSTEM = "https://digital.nhs.uk/services/organisation-data-service"
SECURITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
SPINE_ERRORS = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode"
FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class SyntheticPerson:
    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    sex: str
    postcode: str
    practice_ods_code: str
    restricted: bool = False


# The demo's practices are A99001 (Quayside) and A99002 (Eden Valley); B86001 is outside the area.
PEOPLE = {
    person.nhs_number: person
    for person in (
        SyntheticPerson(
            "9990100004", "Rhiannon", "Reid", datetime.date(1974, 2, 11), "female", "NE2 2RR",
            "A99001",
        ),
        SyntheticPerson(
            "9990100012", "Stan", "Sutton", datetime.date(1961, 9, 30), "male", "CA2 4SS",
            "A99002",
        ),
        SyntheticPerson(
            "9990100020", "Tess", "Turner", datetime.date(1983, 5, 17), "female", "LS1 4TT",
            "B86001",
        ),
        SyntheticPerson(
            "9990100039", "Una", "Unwin", datetime.date(1990, 1, 1), "female", "NE4 9UU",
            "A99001", restricted=True,
        ),
        SyntheticPerson(
            "9990100055", "Vera", "Vance", datetime.date(1969, 8, 8), "female", "NE3 6VV",
            "A99001",
        ),
    )
}  # fmt: skip
# An old number -> the number that replaced it: PDS answers with the current record.
SUPERSEDED = {"9990100047": "9990100055"}


def as_pds_patient(person):
    """A synthetic person as PDS's Patient resource: a restricted record loses its address and
    registered practice, and is labelled R."""
    resource = {
        "resourceType": "Patient",
        "id": person.nhs_number,
        "meta": {
            "versionId": "1",
            "security": [
                {"system": SECURITY_SYSTEM, "code": "R", "display": "restricted"}
                if person.restricted
                else {"system": SECURITY_SYSTEM, "code": "U", "display": "unrestricted"}
            ],
        },
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": person.nhs_number}],
        "name": [
            {"use": "usual", "given": [person.given_name], "family": person.family_name},
        ],
        "gender": person.sex,
        "birthDate": person.date_of_birth.isoformat(),
    }
    if not person.restricted:
        resource["address"] = [{"use": "home", "postalCode": person.postcode}]
        resource["generalPractitioner"] = [
            {
                "type": "Organization",
                "identifier": {"system": ODS_SYSTEM, "value": person.practice_ods_code},
            }
        ]
    return FHIRPatient.model_validate(resource)


def _from_database(number):
    patient = (
        Patient.objects.filter(nhs_number=number).select_related("registered_practice").first()
    )
    if patient is None:
        return None
    return SyntheticPerson(
        patient.nhs_number,
        patient.given_name,
        patient.family_name,
        patient.date_of_birth,
        patient.sex,
        patient.postcode,
        patient.registered_practice.ods_code,
    )


def _fhir_response(resource, status=200):
    return HttpResponse(
        resource.model_dump_json(exclude_none=True), status=status, content_type=FHIR_JSON
    )


def _error(status, code, display, issue_code):
    outcome = OperationOutcome.model_validate(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": issue_code,
                    "details": {
                        "coding": [
                            {
                                "system": SPINE_ERRORS,
                                "version": "1",
                                "code": code,
                                "display": display,
                            }
                        ]
                    },
                }
            ],
        }
    )
    return _fhir_response(outcome, status=status)


@require_GET
def patient(request, nhs_number):
    """PDS's "get patient details", for synthetic people only."""
    if not settings.PDS_STAND_IN:
        raise Http404
    try:
        number = nhs_numbers.normalise(nhs_number)
    except InvalidAnswers:
        return _error(400, "INVALID_RESOURCE_ID", "Resource Id is invalid", "value")
    current = SUPERSEDED.get(number, number)
    person = PEOPLE.get(current)
    if person is None and nhs_numbers.is_test_number(current):
        person = _from_database(current)
    if person is None:
        return _error(404, "RESOURCE_NOT_FOUND", "Resource not found", "not-found")
    return _fhir_response(as_pds_patient(person))


@require_GET
def search(request):
    """PDS's "search patients", exact matching only: a searchset Bundle of the synthetic people
    (above, then the demo's) with this usual name, date of birth and home postcode. A search
    without a date of birth matches nobody."""
    if not settings.PDS_STAND_IN:
        raise Http404
    query = request.GET
    try:
        born = datetime.date.fromisoformat(query.get("birthdate", "").removeprefix("eq"))
    except ValueError:
        born = None
    wanted = (
        query.get("family", ""),
        query.get("given", ""),
        born,
        query.get("address-postalcode", ""),
    )
    people = [*PEOPLE.values()]
    people += [
        _from_database(number)
        for number in Patient.objects.filter(
            family_name__iexact=wanted[0], date_of_birth=born
        ).values_list("nhs_number", flat=True)
        if number not in PEOPLE and nhs_numbers.is_test_number(number)
    ]
    matches = [person for person in people if _matches(person, wanted)]
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "entry": [
                {"search": {"score": 1}, "resource": as_pds_patient(person).model_dump()}
                for person in matches
            ],
        }
    )
    return _fhir_response(bundle)


def _matches(person, wanted):
    family, given, born, postcode = wanted

    def compact(text):
        return "".join(text.split()).upper()

    return (
        compact(person.family_name) == compact(family)
        and compact(person.given_name) == compact(given)
        and person.date_of_birth == born
        and not person.restricted
        and compact(person.postcode) == compact(postcode)
    )
