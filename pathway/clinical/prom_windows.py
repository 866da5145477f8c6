"""Which answers belong to which questionnaire time point: the time points' windows.

An answer describes the person at a time point only when it was given inside that time point's
window (docs/architecture.md, "Questionnaire windows"):

- baseline: from the referral until the person's care has started, that is until the first
  attended treatment session after the assessment (the evaluation took its baseline at the
  TTP's assessment, so the assessment itself is still baseline) or discharge, whichever comes
  first. A service can close it earlier, at the first attended assessment instead.
- discharge, 6 and 12 months: from a number of days before the due date until a number of days
  after it.

Plain values in, plain values out, so the schedule, the patient's link, the clinician's form,
the sweep and the data migration all apply the same rule.
"""

import datetime

# When the baseline window closes (besides discharge, which always closes it).
FIRST_TREATMENT_SESSION = "first_treatment_session"
FIRST_ASSESSMENT = "first_assessment"
BASELINE_CLOSERS = (FIRST_TREATMENT_SESSION, FIRST_ASSESSMENT)


def window_around(due_at, *, before_days, after_days):
    """(opens_at, closes_at) of a time point due at `due_at`: closes_at is not included."""
    return (
        due_at - datetime.timedelta(days=before_days),
        due_at + datetime.timedelta(days=after_days),
    )


def contact_closes_baseline(*, is_first_assessment, closes_at):
    """Whether an attended appointment closes the baseline window, under the setting
    `closes_at` (one of BASELINE_CLOSERS). The first attended contact is always the
    assessment, so under FIRST_ASSESSMENT any attended contact closes it."""
    if closes_at not in BASELINE_CLOSERS:
        raise ValueError(f"Unknown baseline closing event: {closes_at!r}")
    return closes_at == FIRST_ASSESSMENT or not is_first_assessment


def window_days_problems(days, *, name, timepoints, minimum=0):
    """Why a per-time-point mapping of days is unusable (a list of sentences, empty if fine)."""
    if not isinstance(days, dict):
        return [f"{name} must be a JSON object of time point to days"]
    problems = [
        f"{name} names an unknown time point: {key}" for key in days if key not in timepoints
    ]
    problems += [
        f"{name}[{key!r}] must be a whole number of days, {minimum} or more"
        for key, value in days.items()
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum
    ]
    return problems
