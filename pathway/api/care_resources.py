"""EpisodeOfCare, ServiceRequest and Appointment as FHIR R4: one person's care in a service,
the referral that opened it, and the appointments booked in it.

References to the patient and between these resources are literal (Patient/<id>), by the
opaque ids the API serves; organisations are logical references by ODS or service code,
because the service does not serve Organization resources.
"""

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.episodeofcare import EpisodeOfCare as FhirEpisodeOfCare
from fhir.resources.R4B.servicerequest import ServiceRequest as FhirServiceRequest

from pathway.api.referrals.service_request import BODY_PARTS, PRIORITIES
from pathway.api.referrals.systems import (
    CANONICAL_BASE,
    ODS_CODE,
    SERVICE_CODE,
    SNOMED_CT,
    uk_core_meta,
)
from pathway.care import lifecycle
from pathway.care.choices import AppointmentOutcome
from pathway.core.vocabulary import BodyPart
from pathway.referrals.models import ReferralOutcome

PREVIOUS_EPISODE = f"{CANONICAL_BASE}/StructureDefinition/previous-episode"
RETURN_KIND = f"{CANONICAL_BASE}/StructureDefinition/return-kind"
DISCHARGE_REASON = f"{CANONICAL_BASE}/StructureDefinition/discharge-reason"

# The episode's state as FHIR's EpisodeOfCare.status: waiting until first seen, then active.
EPISODE_STATUS = {
    lifecycle.AWAITING_TRIAGE: "waitlist",
    lifecycle.ASSESSMENT_BOOKED: "waitlist",
    lifecycle.IN_TREATMENT: "active",
    lifecycle.DISCHARGE_PROPOSED: "active",
    lifecycle.DISCHARGED: "finished",
}
FHIR_PRIORITY = {ours: fhir for fhir, ours in PRIORITIES.items()}
BODY_PART_CODING = {
    ours: {"system": SNOMED_CT, "code": code, "display": display}
    for code, ours, display in (
        ("279039007", BodyPart.BACK.value, "Low back pain"),
        ("81680005", BodyPart.NECK.value, "Neck pain"),
    )
}
assert set(BODY_PART_CODING) == set(BODY_PARTS.values())  # one coding per body part, both ways


def service_reference(service):
    return {
        "type": "Organization",
        "identifier": {"system": SERVICE_CODE, "value": service.code},
        "display": service.name,
    }


def practice_reference(practice):
    return {
        "type": "Organization",
        "identifier": {"system": ODS_CODE, "value": practice.ods_code},
        "display": practice.name,
    }


def patient_reference(patient):
    return {"reference": f"Patient/{patient.public_id}"}


def episode_resource(episode):
    """EpisodeOfCare of an Episode (patient, service, referral and previous episode selected)."""
    period = {"start": episode.referred_at.isoformat()}
    if episode.discharged_at:
        period["end"] = episode.discharged_at.isoformat()
    data = {
        "resourceType": "EpisodeOfCare",
        "id": str(episode.public_id),
        "meta": uk_core_meta("EpisodeOfCare", episode.updated_at),
        "status": EPISODE_STATUS[episode.state],
        "type": [{"coding": [BODY_PART_CODING[episode.body_part]]}],
        "patient": patient_reference(episode.patient),
        "managingOrganization": service_reference(episode.service),
        "period": period,
        "referralRequest": [{"reference": f"ServiceRequest/{episode.referral.public_id}"}],
        "extension": _episode_extensions(episode),
    }
    if episode.lead_clinician_id:
        data["careManager"] = {"display": episode.lead_clinician.get_full_name()}
    return FhirEpisodeOfCare.model_validate(data)


def _episode_extensions(episode):
    # A returner's earlier episode and why they came back: what the evaluation could not tell.
    extensions = []
    if episode.previous_episode_id:
        previous = f"EpisodeOfCare/{episode.previous_episode.public_id}"
        extensions.append({"url": PREVIOUS_EPISODE, "valueReference": {"reference": previous}})
        extensions.append({"url": RETURN_KIND, "valueCode": episode.return_kind or "unknown"})
    if episode.discharge_reason:
        extensions.append({"url": DISCHARGE_REASON, "valueCode": episode.discharge_reason})
    return extensions or None


# The referral as ServiceRequest.status: active while its episode is open, completed when it
# ended; a consultation that did not refer (red flags, not eligible, advice) was revoked.
def referral_status(referral):
    if referral.outcome != ReferralOutcome.REFERRED:
        return "revoked"
    return "completed" if referral.episode.discharged_at else "active"


def referrer_reference(referral):
    """Who referred: the member of staff by name, the practitioner a GP system named, or the
    person themselves (a self-referral); None when none is known."""
    if referral.is_self_referral:
        return patient_reference(referral.patient)
    if referral.referred_by_id:
        return {"display": referral.referred_by.get_full_name()}
    if referral.referrer:
        system, _, value = referral.referrer.rpartition("|")
        return {"type": "Practitioner", "identifier": {"system": system, "value": value}}
    return None


def referral_resource(referral):
    """ServiceRequest of a Referral (patient, practice, service, episode, GP selected)."""
    requester = referrer_reference(referral) or practice_reference(referral.practice)
    data = {
        "resourceType": "ServiceRequest",
        "id": str(referral.public_id),
        "meta": uk_core_meta("ServiceRequest", referral.created_at),
        "status": referral_status(referral),
        "intent": "order",
        "code": {"coding": [BODY_PART_CODING[referral.body_part]]},
        "subject": patient_reference(referral.patient),
        "authoredOn": referral.created_at.isoformat(),
        "requester": requester,
        "note": [{"text": referral.get_outcome_display()}],
    }
    if referral.priority:
        data["priority"] = FHIR_PRIORITY[referral.priority]
    if referral.service_id:
        data["performer"] = [service_reference(referral.service)]
    if referral.startback_risk:
        data["reasonCode"] = [{"text": f"STarT Back risk: {referral.startback_risk}"}]
    return FhirServiceRequest.model_validate(data)


# An appointment's outcome as FHIR's Appointment.status; one without an outcome is booked.
APPOINTMENT_STATUS = {
    "": "booked",
    AppointmentOutcome.ATTENDED: "fulfilled",
    AppointmentOutcome.DID_NOT_ATTEND: "noshow",
    AppointmentOutcome.CANCELLED_BY_PATIENT: "cancelled",
    AppointmentOutcome.CANCELLED_BY_SERVICE: "cancelled",
}
APPOINTMENT_TYPES = f"{CANONICAL_BASE}/CodeSystem/appointment-kind"
# UK Core binds appointmentType (extensibly) to HL7 v2 table 0276: a first assessment is a
# routine appointment, a follow-up a follow-up.
V2_APPOINTMENT_REASON = "http://terminology.hl7.org/CodeSystem/v2-0276"
V2_REASON_OF_KIND = {"first_assessment": "ROUTINE", "follow_up": "FOLLOWUP"}
APPOINTMENT_MODES = f"{CANONICAL_BASE}/CodeSystem/appointment-mode"


def appointment_resource(appointment):
    """Appointment of an Appointment (episode with its patient and referral, clinician)."""
    episode = appointment.episode
    data = {
        "resourceType": "Appointment",
        "id": str(appointment.public_id),
        "meta": uk_core_meta("Appointment", appointment.updated_at),
        "status": APPOINTMENT_STATUS[appointment.outcome],
        "appointmentType": {
            "coding": [
                {"system": V2_APPOINTMENT_REASON, "code": V2_REASON_OF_KIND[appointment.kind]},
                {
                    "system": APPOINTMENT_TYPES,
                    "code": appointment.kind,
                    "display": appointment.get_kind_display(),
                },
            ]
        },
        "serviceType": [
            {
                "coding": [
                    {
                        "system": APPOINTMENT_MODES,
                        "code": appointment.mode,
                        "display": appointment.get_mode_display(),
                    }
                ]
            }
        ],
        "start": appointment.starts_at.isoformat(),
        "end": appointment.ends_at.isoformat(),
        "minutesDuration": appointment.length_minutes,
        "created": appointment.booked_at.isoformat(),
        "basedOn": [{"reference": f"ServiceRequest/{episode.referral.public_id}"}],
        "supportingInformation": [{"reference": f"EpisodeOfCare/{episode.public_id}"}],
        "participant": [
            {"actor": patient_reference(episode.patient), "status": "accepted"},
            {
                "actor": {"display": appointment.clinician.get_full_name()},
                "status": "accepted",
            },
        ],
    }
    if appointment.outcome in (
        AppointmentOutcome.CANCELLED_BY_PATIENT,
        AppointmentOutcome.CANCELLED_BY_SERVICE,
    ):
        data["cancelationReason"] = {"text": appointment.get_outcome_display()}
    if appointment.location:
        data["description"] = appointment.location
    return FhirAppointment.model_validate(data)
