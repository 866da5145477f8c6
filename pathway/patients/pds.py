"""Who has this NHS number? Asked of a PDS-shaped FHIR R4 endpoint (settings.PDS_BASE_URL).

The Personal Demographics Service's "get patient details" is `GET {base}/Patient/{nhs number}`
(https://digital.nhs.uk/developer/api-catalogue/personal-demographics-service-fhir). Its
answers, and what the GP's form makes of them:

- 200 with a Patient: found; the name in use ("usual"), date of birth, gender, home postcode
  and the registered practice's ODS code (generalPractitioner[].identifier.value);
- 200 with a Patient whose NHS number is not the one asked for: the number was superseded, and
  PDS answers with the current record; only the current number is passed on;
- 200 with meta.security "R" or "V": a restricted (sensitive) record; nothing is passed on;
- 404: no such person (RESOURCE_NOT_FOUND), or a number invalidated and not replaced
  (INVALIDATED_RESOURCE);
- anything else, a timeout, a refused connection or an answer that does not validate:
  unavailable.

Every answer is validated with the `fhir.resources` R4B models, which take PDS's UK Core
extensions as they are: no tolerant parser is needed. Nothing here logs a number, a name or a
URL (which holds the number): only the kind of outcome, a status code or an exception's class.
"""

import datetime
import enum
import http.client
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient as FHIRPatient
from pydantic import ValidationError

from pathway.clinical import nhs_number as nhs_numbers
from pathway.patients import pds_access

logger = logging.getLogger(__name__)

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
# meta.security codes of a record whose location must not be shown (PDS: R restricted, V very
# restricted; REDACTED is never returned, but would mean the same here).
RESTRICTED_CODES = frozenset({"R", "V", "REDACTED"})
SEXES = frozenset({"female", "male", "other", "unknown"})
# A Patient is a few kilobytes; anything much larger is not an answer we asked for.
MAX_ANSWER_BYTES = 512 * 1024


class Outcome(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    SENSITIVE = "sensitive"
    SUPERSEDED = "superseded"
    UNAVAILABLE = "unavailable"


MESSAGES = {
    Outcome.FOUND: "Details from the national record (PDS). They are filled in below: check "
    "them with the person before you go on.",
    Outcome.NOT_FOUND: "No one with this NHS number was found on the national record (PDS). "
    "Check the number with the person, or type their details below.",
    Outcome.SENSITIVE: "This person's national record is restricted. Their details are not "
    "shown here: type them from your own records, following your practice's process for "
    "restricted records.",
    Outcome.UNAVAILABLE: "The national record (PDS) could not be reached just now. Type the "
    "person's details below, or try again in a few minutes.",
}
HEADINGS = {
    Outcome.FOUND: "Found on the national record",
    Outcome.NOT_FOUND: "Not found on the national record",
    Outcome.SENSITIVE: "Restricted record",
    Outcome.SUPERSEDED: "NHS number replaced",
    Outcome.UNAVAILABLE: "National record unavailable",
}
INVALIDATED_MESSAGE = (
    "This NHS number is no longer valid on the national record (PDS) and was not replaced. "
    "Check the number with the person, or type their details below."
)
UNREADABLE_MESSAGE = (
    "The national record (PDS) gave an answer that could not be read. Type the person's "
    "details below, or try again in a few minutes."
)


def superseded_message(current_nhs_number):
    return (
        f"This NHS number has been replaced. The person's current NHS number is "
        f"{nhs_numbers.format(current_nhs_number)}: use that number here (choose Find this "
        f"person again), and update your clinical system."
    )


@dataclass(frozen=True)
class Person:
    """What the national record says, as the referral form takes it. A field PDS left out is
    empty (or None for the date of birth), so the GP fills it in."""

    nhs_number: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: datetime.date | None = None
    sex: str = ""
    postcode: str = ""
    practice_ods_code: str = ""


@dataclass(frozen=True)
class Lookup:
    """The answer for one NHS number: its outcome, the message for the GP, and the person only
    when found (never for a restricted record)."""

    nhs_number: str
    outcome: Outcome
    message: str
    person: Person | None = None
    current_nhs_number: str = ""

    @property
    def found(self):
        return self.outcome == Outcome.FOUND

    @property
    def heading(self):
        return HEADINGS[self.outcome]

    @property
    def pk(self):
        # The audit trail names what was looked at by its pk: a lookup, by the number asked.
        return self.nhs_number


def _lookup(number, outcome, message=None, **kwargs):
    return Lookup(
        nhs_number=number, outcome=outcome, message=message or MESSAGES[outcome], **kwargs
    )


def find_person(number, *, base_url=None, timeout=None):
    """Ask PDS for the person with this (valid, normalised) NHS number."""
    base_url = (base_url if base_url is not None else settings.PDS_BASE_URL).rstrip("/")
    timeout = timeout if timeout is not None else settings.PDS_TIMEOUT_SECONDS
    try:
        status, body = _get(f"{base_url}/Patient/{number}", timeout)
    except (OSError, http.client.HTTPException) as error:
        # URLError, timeouts, refused and reset connections. The class only: a message may
        # hold the address, and the address holds the number.
        logger.warning("PDS lookup unavailable: %s", type(error).__name__)
        return _lookup(number, Outcome.UNAVAILABLE)
    lookup = read_answer(number, status, body)
    if lookup.outcome == Outcome.UNAVAILABLE:
        logger.warning("PDS lookup unavailable: HTTP %s", status)
    return lookup


def search_person(*, given_name, family_name, date_of_birth, postcode, timeout=None):
    """Ask PDS for the one person with exactly this name, date of birth and postcode (PDS's
    "search patients", `GET {base}/Patient?family=...`). A Lookup that is found only when PDS
    answers with exactly one unrestricted record; any other answer is not found (or
    unavailable), so a search reveals nobody it cannot pin down. Nothing is logged but the
    outcome's kind: the address holds the name."""
    base_url = settings.PDS_BASE_URL.rstrip("/")
    timeout = timeout if timeout is not None else settings.PDS_TIMEOUT_SECONDS
    query = urllib.parse.urlencode(
        {
            "family": family_name,
            "given": given_name,
            "birthdate": f"eq{date_of_birth.isoformat()}",
            "address-postalcode": postcode,
        }
    )
    try:
        status, body = _get(f"{base_url}/Patient?{query}", timeout)
    except (OSError, http.client.HTTPException) as error:
        logger.warning("PDS search unavailable: %s", type(error).__name__)
        return _lookup("", Outcome.UNAVAILABLE)
    if status != 200 or len(body) > MAX_ANSWER_BYTES:
        logger.warning("PDS search unavailable: HTTP %s", status)
        return _lookup("", Outcome.UNAVAILABLE if status >= 500 else Outcome.NOT_FOUND)
    try:
        bundle = Bundle.model_validate_json(body)
    except ValidationError:
        return _lookup("", Outcome.UNAVAILABLE, UNREADABLE_MESSAGE)
    entries = [
        e for e in bundle.entry or [] if e.resource and e.resource.get_resource_type() == "Patient"
    ]
    if len(entries) != 1:
        return _lookup("", Outcome.NOT_FOUND)
    patient = entries[0].resource
    number = _nhs_number(patient)
    if not number:
        return _lookup("", Outcome.UNAVAILABLE, UNREADABLE_MESSAGE)
    if _is_restricted(patient):
        return _lookup(number, Outcome.SENSITIVE)
    return _lookup(number, Outcome.FOUND, person=_person(number, patient))


def _get(url, timeout):
    """(status, body) of a GET, whatever the status; signed in when PDS asks for it (a 401 on
    a kept token: sign in again, once)."""
    status, body = _get_once(url, timeout)
    if status == 401 and pds_access.signs_in():
        pds_access.forget_token()
        status, body = _get_once(url, timeout)
    return status, body


def _get_once(url, timeout):
    """(status, body) of one GET. X-Request-ID is required by PDS."""
    if not url.startswith(("https://", "http://")):
        raise urllib.error.URLError("PDS_BASE_URL is not an http(s) address")
    headers = {"Accept": "application/fhir+json", "X-Request-ID": str(uuid.uuid4())}
    headers |= pds_access.authorisation_header(timeout)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            return response.status, response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read(MAX_ANSWER_BYTES + 1)


def read_answer(number, status, body):
    """The Lookup for PDS's answer (status and body) to a request for this NHS number."""
    if len(body) > MAX_ANSWER_BYTES:
        return _lookup(number, Outcome.UNAVAILABLE, UNREADABLE_MESSAGE)
    if status == 200:
        return read_patient(number, body)
    if status in (400, 404):
        code = _error_code(body)
        if code == "INVALIDATED_RESOURCE":
            return _lookup(number, Outcome.NOT_FOUND, INVALIDATED_MESSAGE)
        if status == 404 or code == "INVALID_RESOURCE_ID":
            return _lookup(number, Outcome.NOT_FOUND)
    return _lookup(number, Outcome.UNAVAILABLE)


def _error_code(body):
    """The Spine error code of an OperationOutcome (RESOURCE_NOT_FOUND, ...), or None."""
    try:
        outcome = OperationOutcome.model_validate_json(body)
    except ValidationError:
        return None
    for issue in outcome.issue:
        for coding in (issue.details.coding or []) if issue.details else []:
            if coding.code:
                return coding.code
    return None


def read_patient(number, body):
    """The Lookup for a Patient resource PDS returned for this NHS number."""
    try:
        patient = FHIRPatient.model_validate_json(body)
    except ValidationError:
        return _lookup(number, Outcome.UNAVAILABLE, UNREADABLE_MESSAGE)
    returned = _nhs_number(patient)
    if not returned:
        return _lookup(number, Outcome.UNAVAILABLE, UNREADABLE_MESSAGE)
    if returned != number:
        # Superseded: PDS answered with the current record. Only its number is passed on.
        return _lookup(
            number,
            Outcome.SUPERSEDED,
            superseded_message(returned),
            current_nhs_number=returned,
        )
    if _is_restricted(patient):
        return _lookup(number, Outcome.SENSITIVE)
    return _lookup(number, Outcome.FOUND, person=_person(number, patient))


def _nhs_number(patient):
    """The record's NHS number: its NHS number identifier (else its id), if valid."""
    values = [i.value for i in patient.identifier or [] if i.system == NHS_NUMBER_SYSTEM]
    candidate = values[0] if values else patient.id
    try:
        return nhs_numbers.normalise(candidate or "")
    except ValueError:
        return None


def _is_restricted(patient):
    security = (patient.meta.security or []) if patient.meta else []
    return any(label.code in RESTRICTED_CODES for label in security)


def _current(items, today):
    """Those of `items` whose period (theirs, or their identifier's) has not ended."""
    kept = []
    for item in items:
        period = getattr(item, "period", None) or getattr(
            getattr(item, "identifier", None), "period", None
        )
        end = period.end if period else None
        if end is None or not _has_ended(end, today):
            kept.append(item)
    return kept


def _has_ended(end, today):
    if isinstance(end, datetime.datetime):
        end = end.date()
    if isinstance(end, datetime.date):
        return end < today
    # A partial date ("2021", "2021-12"): ended when that year (or month) is over.
    return str(end) < today.isoformat()[: len(str(end))]


def _first(items, use=None):
    for item in items:
        if use is None or item.use == use:
            return item
    return None


def _person(number, patient):
    today = timezone.localdate()
    names = _current(patient.name or [], today) or list(patient.name or [])
    name = _first(names, "usual") or _first(names)
    addresses = _current(patient.address or [], today)
    address = _first(addresses, "home")
    practices = _current(patient.generalPractitioner or [], today)
    practice = practices[0].identifier if practices and practices[0].identifier else None
    born = patient.birthDate
    return Person(
        nhs_number=number,
        given_name=" ".join(name.given or []) if name else "",
        family_name=(name.family or "") if name else "",
        # A partial date (a year, or a year and month) is left for the GP to type.
        date_of_birth=born if isinstance(born, datetime.date) else None,
        sex=patient.gender if patient.gender in SEXES else "",
        postcode=(address.postalCode or "") if address else "",
        practice_ods_code=(practice.value or "").upper() if practice else "",
    )
