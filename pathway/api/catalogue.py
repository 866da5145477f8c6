"""The resource types served from the service's records, each a ResourceKind: the rows a
client's organisation sees (the one scoping rule, pathway.accounts.scoping), what each row
becomes, and its search parameters and includes.
"""

from django.db.models import Q

from pathway.api import (
    care_resources,
    documents,
    patients,
    questionnaire_responses,
    referral_answers,
    scores,
)
from pathway.api import search_parameters as parameters
from pathway.api.combined import CombinedKind
from pathway.api.kinds import Include, Parts, ResourceKind
from pathway.care.choices import CANCELLED_OUTCOMES, AppointmentOutcome
from pathway.care.letters.records import with_letters
from pathway.care.lifecycle import (
    ASSESSMENT_BOOKED,
    AWAITING_TRIAGE,
    DISCHARGE_PROPOSED,
    DISCHARGED,
    IN_TREATMENT,
)
from pathway.care.models import Appointment, Episode
from pathway.patients.models import Patient
from pathway.proms.models import QuestionnaireResponse
from pathway.referrals.models import Referral, ReferralOutcome

REFERRED = Q(outcome=ReferralOutcome.REFERRED)


def _patients(scope):
    return Patient.objects.visible_to_scope(scope).select_related("registered_practice")


def _episodes(scope):
    return Episode.objects.visible_to_scope(scope).select_related(
        "patient", "service", "referral", "previous_episode", "lead_clinician"
    )


def _referrals(scope):
    return Referral.objects.visible_to_scope(scope).select_related(
        "patient", "practice", "service", "episode", "referred_by"
    )


def _appointments(scope):
    return Appointment.objects.visible_to_scope(scope).select_related(
        "episode__patient", "episode__referral", "clinician"
    )


def _letters(scope):
    return with_letters(Episode.objects.visible_to_scope(scope)).select_related(
        "patient", "service", "referral", "referral__practice", "lead_clinician"
    )


def _responses(scope):
    return QuestionnaireResponse.objects.visible_to_scope(scope).select_related(
        "episode__patient", "episode__referral", "recorded_by"
    )


def _scored_responses(scope):
    # Only instruments with scores: the others stand for no Observation.
    return (
        QuestionnaireResponse.objects.visible_to_scope(scope)
        .filter(instrument__in=list(scores.SCORES))
        .select_related("episode__patient")
    )


def _scored_referrals(scope):
    # Consultations stopped before STarT Back was scored stand for no Observation.
    return (
        Referral.objects.visible_to_scope(scope)
        .exclude(startback_risk="")
        .select_related("patient")
    )


def _referral_answers(scope):
    return Referral.objects.visible_to_scope(scope).select_related(
        "patient", "practice", "referred_by"
    )


def _include_patient(patient_id_of):
    return Include(name="patient", target="Patient", target_id=patient_id_of)


PATIENT = ResourceKind(
    type="Patient",
    rows=_patients,
    resource=patients.patient_resource,
    patient=lambda patient: patient,
    search_parameters=patients.SEARCH_PARAMETERS,
)

EPISODE_OF_CARE = ResourceKind(
    type="EpisodeOfCare",
    rows=_episodes,
    resource=care_resources.episode_resource,
    patient=lambda episode: episode.patient,
    search_parameters=(
        parameters.patient(definition="clinical-patient", path="patient"),
        parameters.status(
            definition="EpisodeOfCare-status",
            codes={
                "waitlist": Q(state__in=[AWAITING_TRIAGE, ASSESSMENT_BOOKED]),
                "active": Q(state__in=[IN_TREATMENT, DISCHARGE_PROPOSED]),
                "finished": Q(state=DISCHARGED),
            },
        ),
        parameters.date(
            definition="clinical-date",
            field="referred_at",
            documentation="When the episode began (the referral), with a prefix such as ge.",
        ),
        parameters.last_updated("updated_at"),
    ),
    includes=(_include_patient(lambda episode: episode.patient_id),),
)

SERVICE_REQUEST = ResourceKind(
    type="ServiceRequest",
    rows=_referrals,
    resource=care_resources.referral_resource,
    patient=lambda referral: referral.patient,
    changed_field="created_at",
    search_parameters=(
        parameters.patient(definition="clinical-patient", path="patient"),
        parameters.status(
            definition="ServiceRequest-status",
            # As care_resources.referral_status says them.
            codes={
                "active": REFERRED & Q(episode__discharged_at__isnull=True),
                "completed": REFERRED & Q(episode__discharged_at__isnull=False),
                "revoked": ~REFERRED,
            },
        ),
        parameters.last_updated("created_at"),
    ),
    includes=(_include_patient(lambda referral: referral.patient_id),),
)

APPOINTMENT = ResourceKind(
    type="Appointment",
    rows=_appointments,
    resource=care_resources.appointment_resource,
    patient=lambda appointment: appointment.episode.patient,
    search_parameters=(
        parameters.patient(definition="clinical-patient", path="episode__patient"),
        parameters.status(
            definition="Appointment-status",
            codes={
                "booked": Q(outcome=""),
                "fulfilled": Q(outcome=AppointmentOutcome.ATTENDED),
                "noshow": Q(outcome=AppointmentOutcome.DID_NOT_ATTEND),
                "cancelled": Q(outcome__in=CANCELLED_OUTCOMES),
            },
        ),
        parameters.date(
            definition="Appointment-date",
            field="starts_at",
            documentation="When the appointment starts, with a prefix such as ge or lt.",
        ),
        parameters.last_updated("updated_at"),
    ),
    includes=(_include_patient(lambda appointment: appointment.episode.patient_id),),
)

# A discharged episode's letter to the GP (pathway.api.documents). Its last change is the
# letter's, not the episode's: questionnaires answered after the discharge change the letter.
DOCUMENT_REFERENCE = ResourceKind(
    type="DocumentReference",
    rows=_letters,
    resource=documents.document_reference_resource,
    patient=lambda episode: episode.patient,
    changed_field="letter_changed_at",
    audit_object_type="discharge letter",
    search_parameters=(
        parameters.patient(definition="clinical-patient", path="patient"),
        parameters.status(
            definition="DocumentReference-status",
            # Every letter served is current: none is replaced or withdrawn.
            codes={
                "current": Q(state=DISCHARGED),
                "superseded": Q(pk__in=[]),
                "entered-in-error": Q(pk__in=[]),
            },
        ),
        parameters.date(
            definition="DocumentReference-date",
            field="discharged_at",
            documentation="When the letter was written (the discharge), with a prefix such as ge.",
        ),
        parameters.last_updated("letter_changed_at"),
    ),
    includes=(_include_patient(lambda episode: episode.patient_id),),
)

# Responses never change once made: completed_at is when they last changed.
OUTCOME_RESPONSES = ResourceKind(
    type="QuestionnaireResponse",
    rows=_responses,
    resource=questionnaire_responses.questionnaire_response_resource,
    patient=lambda response: response.episode.patient,
    changed_field="completed_at",
    search_parameters=(
        parameters.patient(definition="QuestionnaireResponse-patient", path="episode__patient"),
        questionnaire_responses.QUESTIONNAIRE,
        parameters.date(
            definition="QuestionnaireResponse-authored",
            field="completed_at",
            documentation="When it was completed (or the referral made), with a prefix such as ge.",
            name="authored",
        ),
        parameters.last_updated("completed_at"),
    ),
    includes=(_include_patient(lambda response: response.episode.patient_id),),
)

# The referral's answers (pathway.api.referral_answers): a referral never changes once made.
REFERRAL_RESPONSES = ResourceKind(
    type="QuestionnaireResponse",
    rows=_referral_answers,
    resource=referral_answers.referral_response_resource,
    patient=lambda referral: referral.patient,
    changed_field="created_at",
    search_parameters=(
        parameters.patient(definition="QuestionnaireResponse-patient", path="patient"),
        questionnaire_responses.REFERRAL_QUESTIONNAIRE,
        parameters.date(
            definition="QuestionnaireResponse-authored",
            field="created_at",
            documentation="",
            name="authored",
        ),
        parameters.last_updated("created_at"),
    ),
    includes=(_include_patient(lambda referral: referral.patient_id),),
)

QUESTIONNAIRE_RESPONSE = CombinedKind(
    type="QuestionnaireResponse", sources=(OUTCOME_RESPONSES, REFERRAL_RESPONSES)
)

OUTCOME_SCORES = ResourceKind(
    type="Observation",
    rows=_scored_responses,
    resource=None,
    parts=Parts(field="instrument", names=scores.part_names, resource=scores.observation_resource),
    patient=lambda response: response.episode.patient,
    changed_field="completed_at",
    search_parameters=(
        parameters.patient(definition="clinical-patient", path="episode__patient"),
        scores.CODE,
        parameters.date(
            definition="clinical-date",
            field="completed_at",
            documentation="When the questionnaire was completed, or the referral made "
            "(effectiveDateTime), with a prefix such as ge.",
        ),
        parameters.last_updated("completed_at"),
    ),
    includes=(_include_patient(lambda response: response.episode.patient_id),),
)

STARTBACK_SCORES = ResourceKind(
    type="Observation",
    rows=_scored_referrals,
    resource=None,
    parts=Parts(
        field="startback_risk",
        names=scores.startback_part_names,
        resource=scores.startback_observation_resource,
    ),
    patient=lambda referral: referral.patient,
    changed_field="created_at",
    search_parameters=(
        parameters.patient(definition="clinical-patient", path="patient"),
        scores.STARTBACK_CODE,
        parameters.date(definition="clinical-date", field="created_at", documentation=""),
        parameters.last_updated("created_at"),
    ),
    includes=(_include_patient(lambda referral: referral.patient_id),),
)

OBSERVATION = CombinedKind(type="Observation", sources=(OUTCOME_SCORES, STARTBACK_SCORES))

# The kinds a bulk $export writes too (pathway.api.bulk_export), and what _include can reach.
# Not the discharge letters: rendering a PDF for each (about 150 ms) would make an export of
# thousands run for many minutes, and an analyst has the episodes themselves.
KINDS = (
    PATIENT,
    EPISODE_OF_CARE,
    SERVICE_REQUEST,
    APPOINTMENT,
    QUESTIONNAIRE_RESPONSE,
    OBSERVATION,
)
KINDS_BY_TYPE = {kind.type: kind for kind in KINDS}
