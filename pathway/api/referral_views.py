"""Referrals in: a GP practice's system posts a referral as a transaction or message Bundle
(POST /fhir/R4/), and it goes through record_referral and the same rules as the web form.

- referred (or discharged by the GP with advice): 201, a transaction-response Bundle;
- red flags or not eligible: recorded as the web form records them, 422 with an
  OperationOutcome saying where to send the person, or why they are not eligible;
- refused by the rules, or a Bundle that cannot be read: 4xx, nothing saved;
- a replay (the same Bundle.identifier, or If-None-Exist naming it): the first result, 200.
"""

import json

from pathway.api.acting import api_context, client_actor
from pathway.api.referral_results import not_referred_outcome, transaction_response
from pathway.api.referrals.bundle import read_referral_bundle, submission_key
from pathway.api.referrals.outcome import refused_outcome
from pathway.api.referrals.problems import BUSINESS_RULE, STRUCTURE, BundleRefused
from pathway.api.referrals.systems import ODS_CODE
from pathway.api.responses import FhirError, fhir_response
from pathway.organisations.models import GPPractice, ProviderService
from pathway.referrals.actions import ReferralRefused, record_referral
from pathway.referrals.models import Referral

# Refusals about the Bundle as a whole, not its content: 400 Bad Request, as FHIR has it.
ENVELOPE = ("Bundle", "Bundle.type", "Bundle.entry")


def post_referral(request, client):
    practice = _referring_practice(client)
    data = _posted_json(request)
    try:
        posted = read_referral_bundle(data)
    except BundleRefused as refused:
        return fhir_response(refused.outcome(), status=_status_of(refused.problems))
    _check_requester(posted, practice)
    first = _first_result(request, posted, practice)
    if first is not None:
        return _answer(first, data, posted, created=False)
    answers, services = _answers_and_services(posted, practice)
    try:
        referral = record_referral(
            answers=answers,
            services=services,
            by=client_actor(client),
            context=api_context(request),
            referring_practice=practice,
            referrer=_referrer(posted),
        )
    except ReferralRefused as refused:
        outcome = refused_outcome(refused.problems, answers, posted.places)
        return fhir_response(outcome, status=422)
    # As recorded: its patient and (opening it set the reverse relation) its episode are at
    # hand, so the answer reads nothing again.
    return _answer(referral, data, posted, created=True)


def _answer(referral, data, posted, *, created):
    outcome = not_referred_outcome(referral, posted.places)
    if outcome is not None:
        return fhir_response(outcome, status=422)
    bundle = transaction_response(
        referral, entry_count=len(data["entry"]), places=posted.places, created=created
    )
    return fhir_response(bundle, status=201 if created else 200)


def _referring_practice(client):
    if client.practice_id is None:
        raise FhirError(
            403,
            "forbidden",
            "Only a GP practice's client posts referrals: this client is not a practice's.",
        )
    return client.practice


def _posted_json(request):
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise FhirError(
            400,
            "structure",
            "Post a FHIR Bundle as JSON (application/fhir+json).",
            expression=["Bundle"],
        ) from None


def _status_of(problems):
    if any(p.code == STRUCTURE or p.expression in ENVELOPE for p in problems):
        return 400
    return 422


def _check_requester(posted, practice):
    if posted.requester_practice_code != practice.ods_code:
        raise FhirError(
            403,
            "forbidden",
            "The requester is another practice: a client posts its own practice's referrals.",
            expression=[posted.places.in_service_request("requester")],
        )


def _first_result(request, posted, practice):
    """The referral this Bundle (or the one If-None-Exist names) already recorded, if any."""
    keys = [posted.submission_key]
    named = request.headers.get("If-None-Exist", "")
    if named:
        keys.append(_named_key(named, practice))
    # With the patient's and the episode's ids, for the answer.
    return (
        Referral.objects.select_related("patient", "episode")
        .filter(submission_key__in=keys)
        .first()
    )


def _named_key(header, practice):
    name, _, value = header.partition("=")
    system, bar, code = value.partition("|")
    if name.strip() != "identifier" or not (bar and system and code):
        raise FhirError(
            400,
            "invalid",
            "If-None-Exist names the Bundle identifier: identifier=<system>|<value>.",
        )
    return submission_key(practice.ods_code, system, code)


def _answers_and_services(posted, practice):
    """The answers with the registered practice and the service filled in: the service among
    those the web form offers this practice (its area's), the practice any known by ODS."""
    services = list(
        ProviderService.objects.filter(area__practices=practice.pk).select_related("area")
    )
    if not services:
        _refuse_content(
            "No back pain service takes referrals from this practice's area yet",
            posted.places.in_service_request("performer"),
        )
    service = None
    if posted.service_code:
        service = next((s for s in services if s.code == posted.service_code), None)
        if service is None:
            _refuse_content(
                "This service is not one this practice refers to",
                posted.places.in_service_request("performer"),
            )
    registered = None
    if posted.registered_practice_code == practice.ods_code:
        registered = practice  # the usual case: the practice refers its own patient
    elif posted.registered_practice_code:
        registered = GPPractice.objects.filter(ods_code=posted.registered_practice_code).first()
        if registered is None:
            _refuse_content(
                "The registered GP practice is not one this service knows by its ODS code",
                posted.places.in_patient("generalPractitioner"),
            )
    return posted.answers_with(registered_practice=registered, service=service), services


def _refuse_content(diagnostics, expression):
    raise FhirError(422, BUSINESS_RULE, diagnostics, expression=[expression])


def _referrer(posted):
    """The requester practitioner as "system|value"; the practice itself when the requester
    named no practitioner (an Organization alone)."""
    for system, value in posted.requester_practitioner:
        return f"{system}|{value}"
    return f"{ODS_CODE}|{posted.requester_practice_code}"
