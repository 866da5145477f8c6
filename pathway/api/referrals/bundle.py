"""A referral posted as a FHIR R4 Bundle, read into the referral's plain values.

`read_referral_bundle(data)` takes the parsed JSON of a transaction or message Bundle holding
a Patient, a ServiceRequest and a QuestionnaireResponse answering the published referral
Questionnaire, and returns a ReferralBundle: the ReferralAnswers the web form would have
built, with the codes of the practice and service for the endpoint to find. Anything it
cannot read raises BundleRefused, whose problems each point at the offending element.

It reads in two stages: first the shape (a Bundle; each entry a resource of a type a referral
takes, valid FHIR R4 by the fhir.resources R4B models; one of each of the three), then the
content (NHS number, dates, codes, answers). It never judges the answers: that is the rules'
work, in `record_referral`, exactly as for the web form.
"""

import uuid
from dataclasses import dataclass

import pydantic
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from pathway.api.referrals.entries import PostedBundle, text
from pathway.api.referrals.patient import read_patient
from pathway.api.referrals.problems import (
    INVALID,
    NOT_SUPPORTED,
    REQUIRED,
    STRUCTURE,
    BundleRefused,
    Places,
    Problem,
    entry_path,
    validation_problems,
)
from pathway.api.referrals.response import read_response
from pathway.api.referrals.service_request import read_service_request
from pathway.api.referrals.systems import CANONICAL_BASE
from pathway.clinical.referral_rules import priority
from pathway.referrals.answers import (
    URGENCY_FIELDS,
    PatientDetails,
    ReferralAnswers,
    with_answers,
)

THE_THREE = ("Patient", "ServiceRequest", "QuestionnaireResponse")
# Resources a referral's three may point at; read for their identifiers, never stored.
NAMED = ("PractitionerRole", "Practitioner", "Organization")
MESSAGE_HEADER = "MessageHeader"
MOST_ENTRIES = 20
# Submission keys are derived from the Bundle's identifier, so a replay finds the first.
SUBMISSION_KEYS = uuid.uuid5(uuid.NAMESPACE_URL, f"{CANONICAL_BASE}/referral-bundle")


@dataclass(frozen=True)
class ReferralBundle:
    """What a posted referral Bundle says.

    `answers` is complete but for two rows found by code in the database: the registered
    practice (`registered_practice_code`, ODS) and the chosen service (`service_code`);
    `answers_with` fills them in. `requester_practice_code` (ODS) and
    `requester_practitioner` ((system, value), ...) name who referred, for the endpoint to
    check against the client. `places` locates the resources for later problems."""

    answers: ReferralAnswers
    submission_key: uuid.UUID
    requester_practice_code: str
    requester_practitioner: tuple
    registered_practice_code: str | None
    service_code: str | None
    places: Places

    def answers_with(self, *, registered_practice, service):
        return with_answers(self.answers, registered_practice=registered_practice, service=service)


def submission_key(practice_code, system, value):
    """The referral's submission key for a Bundle identifier from a practice: the same Bundle
    posted again gets the same key (and so the first referral); another practice's Bundle
    with the same identifier gets another."""
    return uuid.uuid5(SUBMISSION_KEYS, f"{practice_code}|{system}|{value}")


def read_referral_bundle(data, *, today=None):
    """The ReferralBundle in `data` (parsed JSON), or BundleRefused saying what is wrong."""
    today = today or timezone.localdate()
    posted, places = _read_shape(data)
    problems = []
    patient, registered_practice = read_patient(posted, places.patient, problems, today=today)
    requested = read_service_request(posted, places.service_request, places.patient, problems)
    answered = read_response(posted, places.response, places.patient, problems)
    key = _submission_key(data, requested.practice_code, problems)
    if problems:
        raise BundleRefused(problems)
    answers = ReferralAnswers(
        patient=PatientDetails(**patient),
        submission_key=key,
        body_part=requested.body_part,
    )
    answers = with_answers(answers, **answered)
    answers = with_answers(answers, priority_override=_priority_override(answers, requested))
    return ReferralBundle(
        answers=answers,
        submission_key=key,
        requester_practice_code=requested.practice_code,
        requester_practitioner=requested.practitioner,
        registered_practice_code=registered_practice,
        service_code=requested.service_code,
        places=places,
    )


def _priority_override(answers, requested):
    """The ServiceRequest's priority where it differs from the one the urgency answers give
    (then the GP must say why, as on the web form); None where they agree or cannot yet be
    compared."""
    if requested.priority is None or len(answers.urgency) < len(URGENCY_FIELDS):
        return None
    return None if priority(dict(answers.urgency)) == requested.priority else requested.priority


def _submission_key(data, practice_code, problems):
    identifier = data.get("identifier")
    system = text(identifier.get("system")) if isinstance(identifier, dict) else ""
    value = text(identifier.get("value")) if isinstance(identifier, dict) else ""
    if not (system and value):
        problems.append(
            Problem(
                REQUIRED,
                "Give the Bundle an identifier with a system and a value, unique to this "
                "referral: posting the same Bundle again then returns the first result",
                "Bundle.identifier",
            )
        )
        return None
    return submission_key(practice_code, system, value) if practice_code else None


# --- The shape: a Bundle of the right type, holding valid resources, one of each of three


def _read_shape(data):
    """(PostedBundle, Places), or BundleRefused when the shape is wrong."""
    if not isinstance(data, dict):
        _refuse(STRUCTURE, "Post a FHIR Bundle: a JSON object", "Bundle")
    kind = data.get("resourceType")
    if kind != "Bundle":
        named = f", not a {kind}" if _is_type_name(kind) else ""
        _refuse(INVALID, f"Post the referral as a Bundle of type transaction or message{named}")
    entries = data.get("entry")
    problems = _envelope_problems(data, entries)
    if problems:
        raise BundleRefused(problems)
    problems = [p for index, entry in enumerate(entries) for p in _entry_problems(index, entry)]
    if data.get("type") == "message":
        problems += _message_problems(entries)
    else:
        problems += [
            Problem(
                REQUIRED,
                "Each entry of a transaction says what to do with its resource (request)",
                f"Bundle.entry[{index}].request",
            )
            for index, entry in enumerate(entries)
            if not isinstance(entry.get("request"), dict)
        ]
    if problems:
        raise BundleRefused(problems)
    found = {}
    for index, entry in enumerate(entries):
        found.setdefault(entry["resource"]["resourceType"], []).append(index)
    problems = list(_one_of_each(found))
    if problems:
        raise BundleRefused(problems)
    posted = PostedBundle(entries)
    return posted, Places(*(found[kind][0] for kind in THE_THREE))


def _refuse(code, diagnostics, expression="Bundle"):
    raise BundleRefused([Problem(code, diagnostics, expression)])


def _is_type_name(value):
    return isinstance(value, str) and value.isascii() and value.isalpha() and len(value) < 60


def _envelope_problems(data, entries):
    """The Bundle itself, its entries' resources set aside (each is validated on its own)."""
    if not isinstance(entries, list) or not entries:
        return [Problem(REQUIRED, "The Bundle has no entries", "Bundle.entry")]
    if len(entries) > MOST_ENTRIES:
        return [Problem(INVALID, f"A referral Bundle has at most {MOST_ENTRIES} entries", "Bundle")]
    not_objects = [
        Problem(STRUCTURE, "Each entry is a JSON object", f"Bundle.entry[{index}]")
        for index, entry in enumerate(entries)
        if not isinstance(entry, dict)
    ]
    if not_objects:
        return not_objects
    envelope = {
        **data,
        "entry": [
            {name: value for name, value in entry.items() if name != "resource"}
            if isinstance(entry, dict)
            else entry
            for entry in entries
        ],
    }
    problems = _validation(Bundle, envelope, "Bundle")
    if problems:
        return problems
    if data.get("type") not in {"transaction", "message"}:
        return [
            Problem(
                NOT_SUPPORTED,
                "Post the referral as a Bundle of type transaction or message",
                "Bundle.type",
            )
        ]
    return []


def _entry_problems(index, entry):
    resource = entry.get("resource")
    where = entry_path(index)
    if not isinstance(resource, dict):
        return [Problem(REQUIRED, "Each entry holds a resource", where)]
    kind = resource.get("resourceType")
    if kind not in (*THE_THREE, *NAMED, MESSAGE_HEADER):
        named = f", not a {kind}" if _is_type_name(kind) else ""
        return [
            Problem(
                NOT_SUPPORTED,
                "A referral Bundle holds a Patient, a ServiceRequest and a "
                "QuestionnaireResponse, with the PractitionerRole, Practitioner and "
                f"Organization they name (and a message's MessageHeader){named}",
                where,
            )
        ]
    return _validation(get_fhir_model_class(kind), resource, where)


def _message_problems(entries):
    kinds = [entry["resource"]["resourceType"] for entry in entries]
    if kinds[0] != MESSAGE_HEADER:
        return [Problem(INVALID, "A message Bundle starts with its MessageHeader", entry_path(0))]
    return []


def _one_of_each(found):
    for kind in THE_THREE:
        indices = found.get(kind, [])
        if not indices:
            yield Problem(REQUIRED, f"A referral Bundle holds a {kind}", "Bundle.entry")
        for extra in indices[1:]:
            yield Problem(
                INVALID,
                f"A referral Bundle holds one {kind}; this is another (post one referral per "
                "Bundle)",
                entry_path(extra),
            )
    headers = found.get(MESSAGE_HEADER, [])
    for extra in headers[1:]:
        yield Problem(INVALID, "A message Bundle has one MessageHeader", entry_path(extra))


def _validation(model_class, data, expression):
    """The problems fhir.resources finds with `data` as a `model_class`, located."""
    try:
        model_class.model_validate(data)
    except pydantic.ValidationError as error:
        return validation_problems(error, model_class, expression)
    except Exception:  # noqa: BLE001 - the library can fail on odd input (a bad
        # contained resourceType raises KeyError): whatever it is, the resource is not valid.
        return [Problem(STRUCTURE, "Not valid FHIR R4", expression)]
    return []
