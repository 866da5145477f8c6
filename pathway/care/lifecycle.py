"""The episode lifecycle: every allowed state change, declared once (docs/architecture.md).

Pure Python so that the table can be read, tested and drawn without a database.
"""

from dataclasses import dataclass

AWAITING_TRIAGE = "awaiting_triage"
ASSESSMENT_BOOKED = "assessment_booked"
IN_TREATMENT = "in_treatment"
DISCHARGE_PROPOSED = "discharge_proposed"
DISCHARGED = "discharged"

STATES = {
    AWAITING_TRIAGE: "Awaiting triage",
    ASSESSMENT_BOOKED: "Appointment booked",
    IN_TREATMENT: "In treatment",
    DISCHARGE_PROPOSED: "Discharge proposed",
    DISCHARGED: "Discharged",
}


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    label: str
    needs_reason: bool = False


# Before the first step an episode has no state: the referral opens it.
NOT_OPEN = ""

TRANSITIONS = (
    # Every episode's first transition (care.actions.open_episode).
    Transition("refer", NOT_OPEN, AWAITING_TRIAGE, "Open the episode on referral"),
    Transition(
        "book_first_assessment", AWAITING_TRIAGE, ASSESSMENT_BOOKED, "Book a first assessment"
    ),
    Transition(
        "first_appointment_missed",
        ASSESSMENT_BOOKED,
        AWAITING_TRIAGE,
        "First appointment missed or cancelled: contact and rebook",
    ),
    Transition(
        "start_treatment", ASSESSMENT_BOOKED, IN_TREATMENT, "Triage to core therapy or CPPP"
    ),
    Transition(
        "discharge_at_assessment",
        ASSESSMENT_BOOKED,
        DISCHARGED,
        "Same-day discharge or onward referral",
    ),
    Transition(
        "propose_discharge_before_treatment",
        ASSESSMENT_BOOKED,
        DISCHARGE_PROPOSED,
        "Second missed appointment: propose discharge",
    ),
    Transition(
        "decline_care", AWAITING_TRIAGE, DISCHARGED, "Patient declines care", needs_reason=True
    ),
    Transition(
        "propose_discharge_in_treatment",
        IN_TREATMENT,
        DISCHARGE_PROPOSED,
        "Missed appointment after treatment started: propose discharge",
    ),
    Transition("discharge", IN_TREATMENT, DISCHARGED, "Discharge"),
    Transition(
        "confirm_discharge", DISCHARGE_PROPOSED, DISCHARGED, "Confirm discharge and write to the GP"
    ),
    Transition(
        "exception_before_treatment",
        DISCHARGE_PROPOSED,
        AWAITING_TRIAGE,
        "Record an exception (vulnerable patient) and rebook",
        needs_reason=True,
    ),
    Transition(
        "exception_in_treatment",
        DISCHARGE_PROPOSED,
        IN_TREATMENT,
        "Record an exception (vulnerable patient) and continue",
        needs_reason=True,
    ),
    Transition("reopen", DISCHARGED, IN_TREATMENT, "Re-open the episode", needs_reason=True),
)
TRANSITIONS_BY_NAME = {transition.name: transition for transition in TRANSITIONS}


class IllegalTransition(ValueError):
    """A state change the lifecycle does not allow; the message is for the clinician."""


def transition(name, current_state):
    """The named transition if it is allowed from current_state, else IllegalTransition."""
    try:
        allowed = TRANSITIONS_BY_NAME[name]
    except KeyError:
        raise IllegalTransition(f"'{name}' is not a step in an episode of care.") from None
    if allowed.source != current_state:
        raise IllegalTransition(
            f"Cannot {allowed.label.lower()}: the episode is "
            f"{STATES.get(current_state, current_state).lower()}, and this step is only "
            f"possible when it is {STATES.get(allowed.source, 'not yet open').lower()}."
        )
    return allowed


def allowed_from(state):
    return tuple(t for t in TRANSITIONS if t.source == state)
