"""What the care app's fields can hold: episode states, priorities, appointment kinds and
outcomes, triage and CPPP outcomes, onward destinations.

Kept apart from the models so that querysets (querysets.py), forms and actions can name them
without loading the models module; pathway.care.models imports every one it uses.
"""

from django.db import models

from pathway.care import lifecycle


class EpisodeState(models.TextChoices):
    AWAITING_TRIAGE = lifecycle.AWAITING_TRIAGE, lifecycle.STATES[lifecycle.AWAITING_TRIAGE]
    ASSESSMENT_BOOKED = lifecycle.ASSESSMENT_BOOKED, lifecycle.STATES[lifecycle.ASSESSMENT_BOOKED]
    IN_TREATMENT = lifecycle.IN_TREATMENT, lifecycle.STATES[lifecycle.IN_TREATMENT]
    DISCHARGE_PROPOSED = (
        lifecycle.DISCHARGE_PROPOSED,
        lifecycle.STATES[lifecycle.DISCHARGE_PROPOSED],
    )
    DISCHARGED = lifecycle.DISCHARGED, lifecycle.STATES[lifecycle.DISCHARGED]


class DischargeReason(models.TextChoices):
    TREATMENT_COMPLETE = "treatment_complete", "Treatment complete"
    SAME_DAY = "same_day", "Same-day discharge with advice"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    REFERRED_ON = "referred_on", "Referred on"
    PATIENT_CHOICE = "patient_choice", "Patient choice"


class AppointmentKind(models.TextChoices):
    FIRST_ASSESSMENT = "first_assessment", "First assessment"
    FOLLOW_UP = "follow_up", "Follow-up"


class AppointmentMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEPHONE = "telephone", "Telephone"
    VIDEO = "video", "Video"


class AppointmentOutcome(models.TextChoices):
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    CANCELLED_BY_PATIENT = "cancelled_by_patient", "Cancelled by the patient"
    CANCELLED_BY_SERVICE = "cancelled_by_service", "Cancelled by the service"


CANCELLED_OUTCOMES = (
    AppointmentOutcome.CANCELLED_BY_PATIENT,
    AppointmentOutcome.CANCELLED_BY_SERVICE,
)
# How long an appointment may last: the booking action, the clash query and the database's
# check constraint all use these.
SHORTEST_APPOINTMENT_MINUTES = 5
LONGEST_APPOINTMENT_MINUTES = 8 * 60


class TriageOutcome(models.TextChoices):
    SAME_DAY_DISCHARGE = "same_day_discharge", "Same-day discharge with advice and self-management"
    CORE_THERAPY = "core_therapy", "Core therapy"
    CPPP = "cppp", "Combined Physical and Psychological Programme (CPPP)"
    ONWARD_REFERRAL = "onward_referral", "Onward referral"


class TherapyComponent(models.TextChoices):
    EDUCATION = "education", "Education"
    MANUAL_THERAPY = "manual_therapy", "Manual therapy"
    EXERCISE = "exercise", "Exercise"


class CPPPDeclineReason(models.TextChoices):
    # The reasons the evaluation recorded (clinical reference section 1).
    NOT_CONTACTABLE = "not_contactable", "Could not be contacted"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    WORK = "work", "Work commitments"
    CHILD_CARE = "child_care", "Child care"
    SELF_MANAGE = "self_manage", "Content to self-manage"
    FAMILY = "family", "Family issues"
    HEALTH = "health", "Health"
    TIME = "time", "Time"
    WASTE_OF_TIME = "waste_of_time", "Thought it a waste of time"
    AWAITING_SCAN = "awaiting_scan", "Awaiting a scan"
    TRIALLING_INJECTION = "trialling_injection", "Trialling an injection"
    OUT_OF_AREA = "out_of_area", "Out of area or funding declined"


class CPPPOutcome(models.TextChoices):
    JOINED = "joined", "Joined"
    DECLINED = "declined", "Declined"


class OnwardDestination(models.TextChoices):
    SPINAL_SURGICAL_OPINION = "spinal_surgical_opinion", "Spinal surgical opinion"
    PAIN_MANAGEMENT = "pain_management", "Pain management"
    MRI = "mri", "MRI scan"
    NERVE_ROOT_BLOCK = "nerve_root_block", "Nerve root block (injection)"
    RHEUMATOLOGY = "rheumatology", "Rheumatology"
    OTHER = "other", "Other"
