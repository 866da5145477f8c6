"""What the API answers about a recorded referral: the transaction-response Bundle, or the
OperationOutcome saying why the person was not referred.

A referral (or a GP's discharge with advice) is answered with a transaction-response Bundle:
one entry for each entry posted, in the same order, as FHIR asks. The Patient's and the
ServiceRequest's entries give their locations. The ServiceRequest's entry carries, in its
`response.outcome`, an OperationOutcome of information issues with what the rules computed:
the STarT Back risk, the priority and the episode of care opened (EpisodeOfCare/<id>), each
coded in the service's own code system so a GP system can read them without parsing words.
The episode is a reference in that outcome, not a location: no posted entry created it.
"""

from fhir.resources.R4B.bundle import Bundle

from pathway.api.referrals.outcome import not_eligible_outcome, red_flag_outcome
from pathway.api.referrals.systems import code_system
from pathway.referrals.models import ReferralOutcome

# The codes of what a referral's outcome reports: risk, priority, the episode.
RESULT_SYSTEM = code_system("referral-result")
# The codes of RESULT_SYSTEM (published at CodeSystem/referral-result).
RESULT_CODES = (
    ("outcome", "What the referral came to"),
    ("startback-risk", "The STarT Back risk group"),
    ("priority", "The priority of the referral"),
    ("episode", "The episode of care the referral opened"),
)


def not_referred_outcome(referral, places):
    """The OperationOutcome for a recorded consultation that was not referred on: where to
    send the person (red flags), or why they are not eligible; None for a referral."""
    if referral.outcome == ReferralOutcome.REDIRECTED:
        return red_flag_outcome(
            destinations=referral.red_flag_destinations,
            flags=referral.red_flags_found,
            places=places,
        )
    if referral.outcome == ReferralOutcome.EXCLUDED:
        return not_eligible_outcome(exclusions=referral.exclusions_found, places=places)
    return None


def transaction_response(referral, *, entry_count, places, created):
    """The transaction-response Bundle for `referral` (select_related patient and episode),
    recorded from a Bundle of `entry_count` entries; `created` is False for a
    replay, whose entries say 200 OK."""
    status = "201 Created" if created else "200 OK"
    entries = []
    for index in range(entry_count):
        response = {"status": status}
        if index == places.patient:
            response["location"] = f"Patient/{referral.patient.public_id}"
        elif index == places.service_request:
            response["location"] = f"ServiceRequest/{referral.public_id}"
            response["outcome"] = _result_outcome(referral)
        elif index != places.response:
            # Named for who refers (a PractitionerRole, a MessageHeader): read, not stored.
            response["status"] = "200 OK"
        entries.append({"response": response})
    return Bundle.model_validate(
        {"resourceType": "Bundle", "type": "transaction-response", "entry": entries}
    )


def _result_outcome(referral):
    issues = [
        _information(RESULT_SYSTEM, "outcome", referral.get_outcome_display(), referral.outcome)
    ]
    if referral.startback_risk:
        issues.append(
            _information(
                RESULT_SYSTEM,
                "startback-risk",
                f"STarT Back risk: {referral.startback_risk}",
                referral.startback_risk,
            )
        )
    if referral.priority:
        issues.append(
            _information(
                RESULT_SYSTEM,
                "priority",
                f"Priority: {referral.get_priority_display().lower()}",
                referral.priority,
            )
        )
    episode = getattr(referral, "episode", None)
    if episode is not None:
        issues.append(
            _information(
                RESULT_SYSTEM,
                "episode",
                f"Episode of care opened, awaiting triage: EpisodeOfCare/{episode.public_id}",
                f"EpisodeOfCare/{episode.public_id}",
            )
        )
    return {"resourceType": "OperationOutcome", "issue": issues}


def _information(system, code, diagnostics, value):
    """An information issue: `code` in `system` says what it reports, `details.text` the
    value (a risk level, a priority code, an EpisodeOfCare reference)."""
    return {
        "severity": "information",
        "code": "informational",
        "details": {"coding": [{"system": system, "code": code}], "text": value},
        "diagnostics": diagnostics,
    }
