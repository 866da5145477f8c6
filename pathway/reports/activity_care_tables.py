"""The activity report's tables of what the service did: triage decisions, appointments, the
CPPP, onward referrals, caseloads and questionnaire responses. From the plain rows of
pathway.reports.activity_queries; no database here.
"""

from collections import Counter

from pathway.care.choices import (
    AppointmentKind,
    CPPPDeclineReason,
    CPPPOutcome,
    EpisodeState,
    OnwardDestination,
    TriageOutcome,
)
from pathway.clinical.stats import proportion
from pathway.proms.models import Timepoint, TimepointState
from pathway.reports.activity_format import cells, interval, percent, share
from pathway.reports.tables import Table

OPEN_STATES = [state for state in EpisodeState.values if state != EpisodeState.DISCHARGED]
# The time points' states are the one definition of "answered in time": the proms actions
# set them from each time point's window (pathway.proms.windows), as the outcomes report's
# answers are chosen by the same windows.
TIMEPOINT_STATES = {
    "completed": TimepointState.COMPLETED,
    "not_responded": TimepointState.NOT_RESPONDED,
    "still_open": TimepointState.OPEN,
    "not_yet_due": TimepointState.SCHEDULED,
    "cancelled": TimepointState.CANCELLED,
}


def triage_outcomes(counts):
    """counts: {triage outcome (None: not yet triaged): episodes}."""
    counts = dict(counts)
    untriaged = counts.pop(None, 0)
    total = sum(counts.values())
    rows = [[outcome.label, *share(counts.get(outcome, 0), total)] for outcome in TriageOutcome]
    rows.append(["Total", str(total), percent(1 if total else None), ""])
    return Table(
        slug="triage-outcomes",
        title="Triage decisions at the first assessment",
        columns=["Decision", "People", "%", "95% CI"],
        rows=rows,
        note=(
            f"n = {total} episodes with a triage decision, of {total + untriaged} referred in "
            f"the range; {untriaged} not yet triaged (not yet assessed, or did not attend) are "
            "left out. 95% CI: Wilson score interval."
        ),
    )


def did_not_attend(counts):
    """counts: {appointment kind: {recorded, attended, dna, cancelled, pending}}."""
    rows, pending = [], 0
    for kind in AppointmentKind:
        row = counts.get(kind, {})
        recorded, dna = row.get("recorded", 0), row.get("dna", 0)
        result = proportion(dna, recorded)
        pending += row.get("pending", 0)
        attended, cancelled = row.get("attended", 0), row.get("cancelled", 0)
        rows.append(
            cells(kind.label, recorded, attended, dna, cancelled, percent(result.proportion))
            + [interval(result)]
        )
    return Table(
        slug="did-not-attend",
        title="Did not attend (DNA) rate",
        columns=["Appointment", "With an outcome", "Attended", "Did not attend", "Cancelled"]
        + ["DNA rate", "95% CI"],
        rows=rows,
        note=(
            "DNA rate = DNAs / appointments with a recorded outcome (attended, did not attend "
            "or cancelled), for episodes referred in the range. Therapy sessions are "
            f"follow-ups. {pending} appointments with no outcome yet (booked, or not yet "
            "recorded) are left out. 95% CI: Wilson score interval."
        ),
    )


# --- CPPP and onward referrals ---------------------------------------------------------------


def cppp(rows):
    """rows: [{outcome, decline_reason, n}] (activity_queries.cppp_rows)."""
    by_outcome = Counter()
    for row in rows:
        by_outcome[row["outcome"]] += row["n"]
    counts = {
        "invited": by_outcome.total(),
        "joined": by_outcome[CPPPOutcome.JOINED],
        "declined": by_outcome[CPPPOutcome.DECLINED],
        "pending": by_outcome[""],
    }
    decided = counts["joined"] + counts["declined"]
    return Table(
        slug="cppp",
        title="Combined Physical and Psychological Programme (CPPP)",
        columns=["Measure", "People", "%", "95% CI"],
        rows=[
            ["Invited", str(counts["invited"]), "", ""],
            ["Outcome not yet recorded", str(counts["pending"]), "", ""],
            ["Joined (uptake)", *share(counts["joined"], decided)],
            ["Declined", *share(counts["declined"], decided)],
        ],
        note=(
            f"n = {counts['invited']} invited. Uptake = joined / invited people whose outcome "
            f"is recorded (n = {decided}); the {counts['pending']} still to decide are left "
            "out. 95% CI: Wilson score interval. The evaluation: 100 of 136 invited joined."
        ),
    )


def cppp_decline_reasons(rows):
    """rows: [{outcome, decline_reason, n}] (activity_queries.cppp_rows)."""
    counts = Counter()
    for row in rows:
        if row["outcome"] == CPPPOutcome.DECLINED:
            counts[row["decline_reason"]] += row["n"]
    total = sum(counts.values())
    return Table(
        slug="cppp-decline-reasons",
        title="Why people declined the CPPP",
        columns=["Reason", "People", "% of those who declined"],
        rows=[
            [reason.label, *share(counts[reason], total)[:2]]
            for reason in sorted(
                (reason for reason in CPPPDeclineReason if counts.get(reason)),
                key=lambda reason: -counts[reason],
            )
        ],
        note=f"n = {total} declined; a reason is required, so none is missing.",
    )


def onward_referrals(counts):
    """counts: {destination: onward referrals}."""
    total = sum(counts.values())
    return Table(
        slug="onward-referrals",
        title="Onward referrals by destination",
        columns=["Destination", "Referrals", "%"],
        rows=[
            [destination.label, *share(counts.get(destination, 0), total)[:2]]
            for destination in OnwardDestination
        ],
        note=(
            f"n = {total} onward referrals, for episodes referred in the range (one person can "
            "be referred to more than one place). Destination, reason and date are required, "
            "so none is missing."
        ),
    )


# --- Caseload and questionnaires -------------------------------------------------------------


def caseload(rows):
    """rows: activity_queries.caseload_rows, one per lead clinician (None: nobody yet)."""
    named = sorted(
        (row for row in rows if row["lead_clinician_id"]),
        key=lambda row: (row["lead_clinician__last_name"], row["lead_clinician__first_name"]),
    )
    unassigned = [row for row in rows if not row["lead_clinician_id"]]
    table_rows = []
    for row in [*named, *unassigned]:
        if row["lead_clinician_id"]:
            who = f"{row['lead_clinician__first_name']} {row['lead_clinician__last_name']}"
        else:
            who = "No lead clinician yet (no appointment booked)"
        table_rows.append([who, str(row["open"]), *(str(row[state]) for state in OPEN_STATES)])
    total = sum(row["open"] for row in rows)
    return Table(
        slug="caseload",
        title="Caseload per Triage and Treat Practitioner: open episodes now",
        columns=[
            "Lead clinician",
            "Open episodes",
            *(EpisodeState(state).label for state in OPEN_STATES),
        ],
        rows=table_rows,
        note=(
            f"n = {total} open episodes today, whatever their referral date (the date range "
            "does not apply to a caseload). The lead clinician is set at the first booking; "
            f"{sum(row['open'] for row in unassigned)} open episodes have none yet."
        ),
    )


def questionnaire_responses(counts):
    """counts: {time point: {completed, not_responded, still_open, not_yet_due, cancelled}}."""
    rows = []
    for timepoint in Timepoint:
        row = counts.get(timepoint, dict.fromkeys(TIMEPOINT_STATES, 0))
        result = proportion(row["completed"], row["completed"] + row["not_responded"])
        rate = [percent(result.proportion), interval(result)]
        rows.append(
            cells(timepoint.label, row["completed"], row["not_responded"], *rate)
            + cells(row["still_open"], row["not_yet_due"], row["cancelled"])
        )
    return Table(
        slug="questionnaire-responses",
        title="Questionnaire response rates by time point",
        columns=["Time point", "Completed", "Not answered in time", "Response rate", "95% CI"]
        + ["Still open", "Not yet due", "Cancelled"],
        rows=rows,
        note=(
            "Response rate = completed / (completed + not answered in time), for episodes "
            "referred in the range. Completed means every questionnaire was answered inside the "
            "time point's window (the baseline before care started; the others within days of "
            "their date); answers given later are not counted anywhere. Time points still open, "
            "not yet due, or cancelled (episode re-opened) are left out of the rate. 95% CI: "
            "Wilson score interval."
        ),
    )
