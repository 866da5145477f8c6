"""One episode of care, lived forward from the referral until it ends or reaches today.

Each step follows the lifecycle table (pathway.care.lifecycle) and writes the rows the TTP's
actions would have written: the transition, appointments with outcomes, the triage decision,
therapy sessions, CPPP, onward referral, discharge and its questionnaire schedule. A step whose
time is after now does not happen, which leaves recent episodes open in whatever state they
have reached: awaiting triage, appointment booked, in treatment or discharge proposed.

This module writes the rows and lives the episode up to the first assessment (booking, DNAs,
cancellations); treatment.py takes it on from the triage decision.
"""

import itertools
import math

from pathway.care import lifecycle
from pathway.care.models import Appointment, Episode, EpisodeTransition
from pathway.care.retention import retain_until_for
from pathway.clinical.did_not_attend import propose_discharge
from pathway.clinical.returners import PreviousEpisode
from pathway.demo.generator import distributions as d
from pathway.demo.generator.context import HOUR, LOCAL
from pathway.demo.generator.draws import pick
from pathway.demo.generator.names import uuid4
from pathway.demo.generator.proms import Questionnaires
from pathway.demo.generator.referrals import RULES, referral_to_service
from pathway.demo.generator.treatment import triage
from pathway.proms.windows import contact_closes_baseline

MODES = tuple(d.APPOINTMENT_MODES)
MODE_WEIGHTS = tuple(itertools.accumulate(d.APPOINTMENT_MODES.values()))
# The step that opens an episode, as care.actions.open_episode writes it.
OPENING = lifecycle.transition("refer", lifecycle.NOT_OPEN)


def refer_episode(ctx, person, when, *, group, service):
    """Referral, episode and everything after it. Returns when it was discharged, or None."""
    referral = referral_to_service(ctx, person, when, group=group, service=service)
    run = EpisodeRun(ctx, person, referral, group, service, when)
    run.live()
    run.write()
    ctx.episodes += 1
    discharged_on = run.discharged_at.astimezone(LOCAL).date() if run.discharged_at else None
    person.episodes.append(
        (
            run.id,
            PreviousEpisode(
                referred_on=when.astimezone(LOCAL).date(),
                discharged_on=discharged_on,
                body_part=referral["body_part"],
                outcome=run.discharge_reason or run.state,
            ),
        )
    )
    return run.discharged_at


class EpisodeRun:
    def __init__(self, ctx, person, referral, group, service, when):
        self.ctx = ctx
        self.rng = ctx.rng
        self.person = person
        self.referral = referral
        self.group = group
        self.service = service
        self.referred_at = when
        self.updated_at = when
        self.id = ctx.ids.take(Episode)
        self.state = OPENING.target
        self.clock_started_on = when.astimezone(LOCAL).date()
        self.lead = self.rng.choice(service.ttp_ids)
        self.lead_clinician = None
        self.discharged_at = None
        self.discharge_reason = ""
        self.treatment = None  # the triage outcome, once decided
        self.cppp_joined = False
        self.attended_at = None
        self.attended_id = None
        # When the first attended contact that closes the baseline window started.
        self.baseline_closed_at = None
        self.proms = Questionnaires(ctx, self)

    # --- Writing ---------------------------------------------------------------------------

    def happened(self, when):
        return when <= self.ctx.now

    def move(self, name, when, *, by, reason=""):
        step = lifecycle.transition(name, self.state)
        self.updated_at = when
        self.ctx.add(
            EpisodeTransition,
            {
                "id": self.ctx.ids.take(EpisodeTransition),
                "episode_id": self.id,
                "name": step.name,
                "from_state": self.state,
                "to_state": step.target,
                "by_id": by,
                "at": when,
                "reason": reason,
            },
        )
        self.state = step.target

    def appointment(self, kind, starts_at, booked_at, outcome="", exception=""):
        appointment_id = self.ctx.ids.take(Appointment)
        mode = pick(self.rng, MODES, MODE_WEIGHTS)
        recorded = outcome != ""
        self.ctx.add(
            Appointment,
            {
                "id": appointment_id,
                "public_id": uuid4(self.rng),
                "episode_id": self.id,
                "kind": kind,
                "starts_at": starts_at,
                "clinician_id": self.lead,
                "mode": mode,
                "location": self.rng.choice(self.service.clinics) if mode == "in_person" else "",
                "booked_by_id": self.lead,
                "booked_at": booked_at,
                "outcome": outcome,
                "outcome_recorded_by_id": self.lead if recorded else None,
                "outcome_recorded_at": starts_at + HOUR if recorded else None,
                "dna_exception_reason": exception,
                "updated_at": starts_at + HOUR if recorded else booked_at,
            },
        )
        self.proms.appointment_notice(appointment_id, booked_at)
        if (
            outcome == "attended"
            and self.baseline_closed_at is None
            and contact_closes_baseline(is_first_assessment=kind == "first_assessment")
        ):
            self.baseline_closed_at = starts_at
        return appointment_id

    def discharge(self, name, when, reason):
        self.move(name, when, by=self.lead)
        self.discharged_at = when
        self.discharge_reason = reason
        self.proms.after_discharge(when)

    def write(self):
        self.proms.write_baseline()
        self.ctx.add(
            Episode,
            {
                "id": self.id,
                "public_id": uuid4(self.rng),
                "patient_id": self.person.id,
                "service_id": self.service.id,
                "referral_id": self.referral["id"],
                "body_part": self.referral["body_part"],
                "priority": self.referral["priority"],
                "state": self.state,
                "referred_at": self.referred_at,
                "clock_started_on": self.clock_started_on,
                "previous_episode_id": self.referral["previous_episode_id"],
                "return_kind": self.referral["return_kind"],
                "discharged_at": self.discharged_at,
                "discharge_reason": self.discharge_reason,
                "lead_clinician_id": self.lead_clinician,
                "updated_at": self.updated_at,
                "retain_until": retain_until_for(self.discharged_at)
                if self.discharged_at
                else None,
            },
        )

    # --- The story -------------------------------------------------------------------------

    def live(self):
        ctx, rng = self.ctx, self.rng
        gp = self.referral["referred_by_id"]
        ctx.add(
            EpisodeTransition,
            {
                "id": ctx.ids.take(EpisodeTransition),
                "episode_id": self.id,
                "name": OPENING.name,
                "from_state": OPENING.source,
                "to_state": OPENING.target,
                "by_id": gp,
                "at": self.referred_at,
                "reason": "",
            },
        )
        self.proms.baseline(self.referred_at)
        if rng.random() < d.DECLINES_BEFORE_ASSESSMENT:
            when = ctx.later(self.referred_at, 1, 10)
            if self.happened(when):
                self.move("decline_care", when, by=self.lead, reason="The person declined care")
                self.discharged_at, self.discharge_reason = when, "patient_choice"
                self.proms.after_discharge(when)
            return
        attended = self.first_assessment()
        if attended is None:
            return
        triage(self, attended)

    def first_assessment(self):
        """Book, and rebook after a DNA or cancellation, until the person is seen. Returns the
        time of the attended assessment, or None if the story stops before it."""
        ctx, rng = self.ctx, self.rng
        dnas_to_come = 0
        if rng.random() < d.FIRST_APPOINTMENT_DNA:
            dnas_to_come = 2 if rng.random() < d.FIRST_APPOINTMENT_DNA_AGAIN else 1
        cancel = rng.random() < d.CANCELLED_FIRST_APPOINTMENT
        missed, since = 0, self.referred_at
        while True:
            booked_at = ctx.later(since, *d.BOOKING_LAG_DAYS)
            if not self.happened(booked_at):
                return None
            starts_at = ctx.working_time(since, self.wait_days())
            if starts_at <= booked_at:
                starts_at = ctx.working_time(booked_at, 1)
            self.move("book_first_assessment", booked_at, by=self.lead)
            self.lead_clinician = self.lead
            if not self.happened(starts_at + HOUR):
                self.appointment("first_assessment", starts_at, booked_at)
                return None
            if cancel:
                cancel = False
                who = rng.choice(("cancelled_by_patient", "cancelled_by_service"))
                self.appointment("first_assessment", starts_at, booked_at, who)
                label = {
                    "cancelled_by_patient": "Cancelled by the patient",
                    "cancelled_by_service": "Cancelled by the service",
                }[who]
                self.move("first_appointment_missed", starts_at + HOUR, by=self.lead, reason=label)
                since = starts_at
                continue
            if dnas_to_come:
                dnas_to_come -= 1
                missed += 1
                self.appointment("first_assessment", starts_at, booked_at, "did_not_attend")
                if propose_discharge(
                    first_appointment_dnas=missed, dnas_after_treatment_started=0, rules=RULES
                ):
                    self.move("propose_discharge_before_treatment", starts_at + HOUR, by=self.lead)
                    confirm = ctx.later(starts_at, *d.CONFIRM_DNA_DISCHARGE_DAYS)
                    if self.happened(confirm):
                        self.discharge("confirm_discharge", confirm, "did_not_attend")
                    return None
                self.clock_started_on = starts_at.astimezone(LOCAL).date()
                self.move(
                    "first_appointment_missed",
                    starts_at + HOUR,
                    by=self.lead,
                    reason="Did not attend: rebook",
                )
                since = starts_at
                continue
            self.attended_id = self.appointment(
                "first_assessment", starts_at, booked_at, "attended"
            )
            self.attended_at = starts_at
            return starts_at

    def wait_days(self):
        rng = self.rng
        if self.referral["priority"] == "urgent":
            return rng.randint(*d.URGENT_WAIT_DAYS)
        median = math.log(d.STANDARD_WAIT_MEDIAN_DAYS)
        return max(1, int(rng.lognormvariate(median, d.STANDARD_WAIT_SIGMA)))
