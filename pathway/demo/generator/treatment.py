"""After the first assessment: the triage decision, then the CPPP, core therapy or an onward
referral, and the discharge each ends in (care.EpisodeRun lives the episode up to here).

Each step is what the TTP's actions would have written (pathway.care.actions): the decision,
the start of treatment, sessions with their DNAs and exceptions, and the lifecycle's moves.
"""

import datetime
import itertools

from pathway.care.models import CPPPReferral, OnwardReferral, TherapySession, TriageDecision
from pathway.demo.generator import distributions as d
from pathway.demo.generator.context import HOUR, LOCAL
from pathway.demo.generator.draws import pick

CARE_CHOICES = ("cppp", "onward_referral", "core_therapy")
CARE_WEIGHTS = (d.CPPP_SHARE_OF_CARE, d.ONWARD_SHARE_OF_CARE)
CARE_WEIGHTS = tuple(itertools.accumulate((*CARE_WEIGHTS, 1 - sum(CARE_WEIGHTS))))
COMPONENTS = (
    ["education", "exercise"],
    ["education", "manual_therapy", "exercise"],
    ["exercise"],
    ["manual_therapy", "exercise"],
    ["education"],
)
ONWARD = tuple(d.ONWARD_WEIGHTS)
ONWARD_WEIGHTS = tuple(itertools.accumulate(d.ONWARD_WEIGHTS.values()))
ONWARD_REASONS = {
    "mri": "Persisting radicular pain with neurological signs: MRI to guide management.",
    "spinal_surgical_opinion": "Radicular pain not settling after conservative care.",
    "pain_management": "Long-standing pain with high impact: pain management programme.",
    "nerve_root_block": "Severe sciatica despite medication: consider a nerve root block.",
    "rheumatology": "Inflammatory features found at assessment.",
    "other": "Needs assessment by another specialty.",
}
DECLINE = tuple(d.CPPP_DECLINE_WEIGHTS)
DECLINE_WEIGHTS = tuple(itertools.accumulate(d.CPPP_DECLINE_WEIGHTS.values()))
SESSION_WEIGHTS = tuple(itertools.accumulate(d.PLANNED_SESSION_WEIGHTS))
NOTES = (
    "Mechanical low back pain, no neurological deficit. Advice on keeping active.",
    "Referred leg pain to the knee, neurology intact. Explained the likely course.",
    "Neck pain with stiffness, no arm symptoms. Posture and exercise advice.",
    "Long-standing pain with high distress; discussed a psychologically informed approach.",
)
EXCEPTION_REASON = "Vulnerable patient: carer unwell on the day, rebooked by phone."


def triage(run, seen_at):
    """The decision at the first assessment the person of `run` (a care.EpisodeRun) attended
    at `seen_at`, and the care that follows it."""
    ctx, rng = run.ctx, run.rng
    decided_at = seen_at + HOUR
    if run.group == "same_day":
        outcome = "same_day_discharge"
    elif run.group == "did_not_attend":
        outcome = "core_therapy"  # given a follow-up appointment, then did not attend it
    else:
        outcome = pick(rng, CARE_CHOICES, CARE_WEIGHTS)
    planned = None
    if outcome == "core_therapy":
        planned = rng.choices(range(1, 9), cum_weights=SESSION_WEIGHTS)[0]
    run.treatment = outcome
    ctx.add(
        TriageDecision,
        {
            "id": ctx.ids.take(TriageDecision),
            "episode_id": run.id,
            "appointment_id": run.attended_id,
            "outcome": outcome,
            "symptom_duration": run.referral["symptom_duration"],
            "assessment_notes": rng.choice(NOTES),
            "planned_sessions": planned,
            "decided_by_id": run.lead,
            "decided_at": decided_at,
        },
    )
    if outcome == "same_day_discharge":
        run.discharge("discharge_at_assessment", decided_at, "same_day")
    elif outcome == "onward_referral":
        destination = pick(rng, ONWARD, ONWARD_WEIGHTS)
        ctx.add(
            OnwardReferral,
            {
                "id": ctx.ids.take(OnwardReferral),
                "episode_id": run.id,
                "destination": destination,
                "reason": ONWARD_REASONS[destination],
                "sent_on": decided_at.astimezone(LOCAL).date(),
                "recorded_by_id": run.lead,
                "recorded_at": decided_at,
            },
        )
        run.discharge("discharge_at_assessment", decided_at, "referred_on")
    elif outcome == "cppp":
        run.move("start_treatment", decided_at, by=run.lead)
        _cppp(run, decided_at)
    else:
        run.move("start_treatment", decided_at, by=run.lead)
        _core_therapy(run, seen_at, planned)


def _cppp(run, invited_at):
    ctx, rng = run.ctx, run.rng
    decided = ctx.later(invited_at, 7, 28)
    row = {
        "id": ctx.ids.take(CPPPReferral),
        "episode_id": run.id,
        "invited_by_id": run.lead,
        "invited_at": invited_at,
        "outcome": "",
        "decline_reason": "",
        "outcome_recorded_by_id": None,
        "outcome_recorded_at": None,
    }
    ctx.add(CPPPReferral, row)
    if not run.happened(decided):
        return
    joined = rng.random() < d.CPPP_UPTAKE
    row.update(
        outcome="joined" if joined else "declined",
        decline_reason="" if joined else pick(rng, DECLINE, DECLINE_WEIGHTS),
        outcome_recorded_by_id=run.lead,
        outcome_recorded_at=decided,
    )
    run.cppp_joined = joined
    # The programme lasts about three weeks after a wait for a place (invented).
    ends = ctx.later(decided, 35, 70) if joined else ctx.later(decided, 0, 14)
    if run.happened(ends):
        run.discharge("discharge", ends, "treatment_complete" if joined else "patient_choice")


def _core_therapy(run, seen_at, planned):
    ctx, rng = run.ctx, run.rng
    to_use = planned
    if planned > 1 and rng.random() < d.STOPS_EARLY_SHARE:
        to_use = rng.randint(1, planned - 1)
    used, last = 0, seen_at
    while used < to_use:
        booked_at = last + HOUR
        starts_at = ctx.working_time(last, rng.randint(*d.SESSION_INTERVAL_DAYS))
        if not run.happened(starts_at + HOUR):
            run.appointment("follow_up", starts_at, booked_at)
            return
        never_came = run.group == "did_not_attend"
        if never_came or rng.random() < d.FOLLOW_UP_DNA_RATE:
            if not never_came and rng.random() < d.FOLLOW_UP_DNA_EXCEPTION_SHARE:
                run.appointment(
                    "follow_up", starts_at, booked_at, "did_not_attend", EXCEPTION_REASON
                )
                last = starts_at
                continue
            run.appointment("follow_up", starts_at, booked_at, "did_not_attend")
            run.move("propose_discharge_in_treatment", starts_at + HOUR, by=run.lead)
            confirm = ctx.later(starts_at, *d.CONFIRM_DNA_DISCHARGE_DAYS)
            if run.happened(confirm):
                run.discharge("confirm_discharge", confirm, "did_not_attend")
            return
        appointment_id = run.appointment("follow_up", starts_at, booked_at, "attended")
        used += 1
        ctx.add(
            TherapySession,
            {
                "id": ctx.ids.take(TherapySession),
                "episode_id": run.id,
                "appointment_id": appointment_id,
                "number": used,
                "components": rng.choice(COMPONENTS),
                "notes": "",
                "recorded_by_id": run.lead,
                "recorded_at": starts_at + HOUR,
            },
        )
        last = starts_at
    ends = last + datetime.timedelta(hours=2)
    if run.happened(ends):
        ended_early = rng.random() < d.PATIENT_CHOICE_SHARE
        reason = "patient_choice" if ended_early else "treatment_complete"
        run.discharge("discharge", ends, reason)
