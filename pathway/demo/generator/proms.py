"""An episode's questionnaires: time points, the outbox, links, answers and safety alerts.

Mirrors pathway.proms.schedule: a baseline at referral; discharge, 6 and 12 months at
discharge; an invitation and two reminders per time point on the person's first consented
channel, cancelled once they answer or the window closes; one link per message sent. Whoever
answers, answers every questionnaire of the time point, scored by the clinical core, and only
inside the time point's window (pathway.proms.windows): the baseline closes at the first
treatment contact or discharge, the others some days after their due date.
"""

import datetime
import itertools

from pathway.demo.generator import distributions as d
from pathway.demo.generator.answers import clip, questionnaire
from pathway.demo.generator.names import uuid4
from pathway.messaging.models import OutboundMessage
from pathway.proms.models import PatientLink, PromTimepoint, QuestionnaireResponse, SafetyAlert
from pathway.proms.schedule import AFTER_DISCHARGE
from pathway.proms.timepoints import instruments_for
from pathway.proms.windows import follow_up_window

RANGES = {"pain": (0, 10), "odi": (0, 100), "vas": (0, 100), "gad7": (0, 21), "phq9": (0, 27)}
ACKNOWLEDGEMENTS = (
    "Phoned the person: no current plans to harm themselves; GP informed.",
    "Spoke to the person and agreed a safety plan; crisis line details given.",
    "No answer by phone; letter sent and GP asked to follow up today.",
)
GSOS_CPPP = {key: tuple(itertools.accumulate(w)) for key, w in d.GSOS_CPPP.items()}
GSOS_BY_DURATION = {key: tuple(itertools.accumulate(w)) for key, w in d.GSOS_BY_DURATION.items()}
SECOND = datetime.timedelta(seconds=1)
MINUTE = datetime.timedelta(minutes=1)


class Questionnaires:
    def __init__(self, ctx, run):
        self.ctx = ctx
        self.rng = ctx.rng
        self.run = run
        self.instruments = {tp: instruments_for(tp) for tp in ("baseline", *_FOLLOW_UPS)}
        self.baseline_due = None
        self._baseline_values = None

    # --- What the person would answer --------------------------------------------------------

    def baseline_values(self):
        if self._baseline_values is None:
            targets = d.BASELINE[self.run.group]
            self._baseline_values = {
                name: clip(self.rng.gauss(mean, sd), *RANGES[name])
                for name, (mean, sd) in targets.items()
            }
        return self._baseline_values

    def values_at(self, timepoint):
        base = self.baseline_values()
        if timepoint == "baseline":
            return base
        run, factor = self.run, 1.0
        if run.treatment == "cppp" and run.cppp_joined:
            changes = d.CHANGE_CPPP[timepoint]
        else:
            changes = d.CHANGE_CARE[timepoint]
            if run.treatment not in ("core_therapy", "onward_referral", "cppp"):
                factor = d.CHANGE_FACTOR_OTHER
        return {
            name: clip(
                base[name] + changes[name] * factor + self.rng.gauss(0, d.CHANGE_SD[name]),
                *RANGES[name],
            )
            for name in base
        }

    # --- Rows -------------------------------------------------------------------------------

    def baseline(self, due):
        self.baseline_due = due

    def write_baseline(self):
        # Written last: whether the clinician recorded it depends on the assessment.
        self._timepoint("baseline", self.baseline_due, d.RESPONSE_RATE["baseline"])

    def after_discharge(self, discharged_at):
        rate_factor = d.DNA_RESPONSE_FACTOR if self.run.group == "did_not_attend" else 1.0
        self._timepoint("discharge", discharged_at, d.RESPONSE_RATE["discharge"] * rate_factor)
        for timepoint, days in AFTER_DISCHARGE.items():
            due = discharged_at + datetime.timedelta(days=days)
            self._timepoint(str(timepoint), due, d.RESPONSE_RATE[str(timepoint)] * rate_factor)

    def appointment_notice(self, appointment_id, booked_at):
        channel = self.run.person.channel
        if channel is None:
            return
        self._message(
            f"appointment:{appointment_id}:booked", "appointment_booked", channel, booked_at, None
        )

    def _window(self, timepoint, due):
        """(opens_at, closes_at): the baseline's closes at its closing event (None: not yet)."""
        if timepoint != "baseline":
            return follow_up_window(timepoint, due)
        events = [t for t in (self.run.baseline_closed_at, self.run.discharged_at) if t]
        closes = min(events) if events else None
        return due, closes if closes is not None and closes <= self.ctx.now else None

    def _timepoint(self, timepoint, due, rate):
        ctx, rng, run = self.ctx, self.rng, self.run
        now = ctx.now
        timepoint_id = ctx.ids.take(PromTimepoint)
        # Who answers and when is drawn as it was before windows existed, and every draw is
        # made whether or not its answers are kept, so a seed still gives the same people.
        expires = due + ctx.link_expiry
        channel = run.person.channel
        completed_at, source = None, "patient"
        if rng.random() < rate:
            seen = run.attended_at if timepoint == "baseline" else None
            if (
                seen is not None
                and seen < expires
                and (channel is None or rng.random() < d.CLINICIAN_RECORDED_SHARE)
            ):
                completed_at, source = seen + 20 * MINUTE, "clinician"
            elif channel is not None:
                # Most answer within days of the invitation; the reminders bring the rest.
                days = min(int(rng.expovariate(1 / 3)), d.RESPONSE_DELAY_DAYS[1])
                completed_at = due + datetime.timedelta(days=days, minutes=rng.randint(10, 600))
            if completed_at is not None and (completed_at >= expires or completed_at > now):
                completed_at = None
        instruments = self.instruments[timepoint]
        drawn = None  # when the last answer would have come, had its window not closed
        if completed_at is not None:
            drawn = completed_at + (len(instruments) - 1) * 2 * MINUTE
            if drawn > now:
                completed_at = drawn = None
        # Answers are taken only inside the window (pathway.proms.windows).
        opens, closes = self._window(timepoint, due)
        finished = drawn if drawn is not None and (closes is None or drawn < closes) else None
        if finished is not None:
            state = "completed"
        elif opens > now:
            state = "scheduled"
        elif closes is not None and closes <= now:
            state = "not_responded"
        else:
            state = "open"
        ctx.add(
            PromTimepoint,
            {
                "id": timepoint_id,
                "episode_id": run.id,
                "timepoint": timepoint,
                "due_at": due,
                "opens_at": opens,
                "closes_at": closes,
                "state": state,
                "completed_at": finished,
                "date_of_birth_failures": 0,
                "created_at": due,
            },
        )
        if channel is not None and not (source == "clinician" and timepoint != "baseline"):
            attempts = [("invitation", 0)] + [
                (f"reminder_{number}", days) for number, days in enumerate(ctx.reminder_days, 1)
            ]
            for attempt, days in attempts:
                message_due = due + datetime.timedelta(days=days)
                kind = "prom_invitation" if days == 0 else "prom_reminder"
                sent = self._message(
                    f"prom:{timepoint_id}:{attempt}:{channel}",
                    kind,
                    channel,
                    message_due,
                    timepoint_id,
                    completed_at=finished,
                    closed_at=closes,
                )
                # The hash of a token nobody holds: these links cannot be opened.
                token_hash = None
                if message_due <= now and (drawn is None or message_due < drawn):
                    token_hash = f"{rng.getrandbits(256):064x}"
                if sent:
                    ctx.add(
                        PatientLink,
                        {
                            "id": ctx.ids.take(PatientLink),
                            "timepoint_id": timepoint_id,
                            "token_hash": token_hash,
                            "created_at": sent,
                            "expires_at": min(
                                t for t in (sent + ctx.link_expiry, closes) if t is not None
                            ),
                        },
                    )
        if drawn is not None:
            self._responses(timepoint, completed_at, source, instruments, keep=finished is not None)

    def _message(self, key, kind, channel, due, timepoint_id, completed_at=None, closed_at=None):
        """Writes the message; returns when it was sent, or None."""
        ctx = self.ctx
        if completed_at is not None and due >= completed_at:
            state, sent = "cancelled", None
        elif closed_at is not None and due >= closed_at:
            state, sent = "cancelled", None  # the baseline closed when care started
        elif due <= ctx.now:
            state, sent = "sent", due + 5 * SECOND
        else:
            state, sent = "pending", None
        ctx.add(
            OutboundMessage,
            {
                "id": ctx.ids.take(OutboundMessage),
                "key": key,
                "patient_id": self.run.person.id,
                "episode_id": self.run.id,
                "kind": kind,
                "channel": channel,
                "due_at": due,
                "state": state,
                "prom_timepoint_id": timepoint_id,
                "attempts": 1 if sent else 0,
                "queued_at": due if sent else None,
                "claimed_at": due + SECOND if sent else None,
                "last_error": ("Completed" if completed_at else "The time point closed")
                if state == "cancelled"
                else "",
                "sent_at": sent,
                "created_at": min(due, ctx.now),
            },
        )
        return sent

    def _responses(self, timepoint, completed_at, source, instruments, *, keep=True):
        """The answers, scored; `keep` False draws them without writing them (given after the
        time point's window closed, they would not have been taken)."""
        ctx, rng, run = self.ctx, self.rng, self.run
        values = self.values_at(timepoint)
        duration = run.referral["symptom_duration"]
        if run.treatment == "cppp" and run.cppp_joined and timepoint != "baseline":
            gsos = GSOS_CPPP[timepoint]
        else:
            gsos = GSOS_BY_DURATION[duration]
        for number, instrument in enumerate(instruments):
            answers, key = questionnaire(
                rng,
                instrument,
                values,
                gsos_cumulative=gsos,
                readiness_mean=d.READINESS_BY_DURATION[duration],
            )
            scores, headline = ctx.scorer.score(instrument, key, answers)
            when = completed_at + number * 2 * MINUTE
            response_id = None
            if keep:
                response_id = ctx.ids.take(QuestionnaireResponse)
                ctx.add(
                    QuestionnaireResponse,
                    {
                        "id": response_id,
                        "public_id": uuid4(rng),
                        "episode_id": run.id,
                        "timepoint": timepoint,
                        "instrument": instrument,
                        "answers": answers,
                        "scores": scores,
                        "score": headline,
                        "completed_at": when,
                        "source": source,
                        "recorded_by_id": run.lead if source == "clinician" else None,
                    },
                )
            if scores.get("self_harm_flag"):
                self._alert(response_id, when)

    def _alert(self, response_id, raised_at):
        """An alert for the response (none, but the same draws, for answers not kept)."""
        ctx, rng = self.ctx, self.rng
        acknowledged = raised_at + datetime.timedelta(hours=rng.randint(1, 6))
        done = acknowledged < ctx.now - datetime.timedelta(days=1)
        note = rng.choice(ACKNOWLEDGEMENTS) if done else ""
        if response_id is None:
            return
        ctx.add(
            SafetyAlert,
            {
                "id": ctx.ids.take(SafetyAlert),
                "episode_id": self.run.id,
                "response_id": response_id,
                "raised_at": raised_at,
                "duty_emailed_at": raised_at + MINUTE,
                "acknowledged_by_id": self.run.lead if done else None,
                "acknowledged_at": acknowledged if done else None,
                "acknowledgement_note": note,
            },
        )


_FOLLOW_UPS = ("discharge", "month_6", "month_12")
