"""The questionnaire windows as this service configures them (pathway.clinical.prom_windows).

Settings: PROM_BASELINE_CLOSES_AT, PROM_WINDOW_BEFORE_DAYS and PROM_WINDOW_AFTER_DAYS. Unset
or partial day mappings take the defaults below, chosen in docs/architecture.md.
"""

from django.conf import settings
from django.utils import timezone

from pathway.clinical import prom_windows
from pathway.proms.models import Timepoint, TimepointState

# The invitation is sent when a window opens, so "before" days would send it early: the
# evaluation asked on the day (discharge, 6 and 12 months after it).
DEFAULT_BEFORE_DAYS = {"discharge": 0, "month_6": 0, "month_12": 0}
# Discharge: as long as a link has always worked (28 days). 6 and 12 months: the invitation
# and its two reminders (7 and 14 days) plus four weeks to answer the last one.
DEFAULT_AFTER_DAYS = {"discharge": 28, "month_6": 42, "month_12": 42}
TIMED = tuple(DEFAULT_AFTER_DAYS)


def _days(name, defaults):
    return {**defaults, **(getattr(settings, name, None) or {})}


def follow_up_window(timepoint, due_at):
    """(opens_at, closes_at) of a discharge, 6- or 12-month time point due at `due_at`."""
    return prom_windows.window_around(
        due_at,
        before_days=_days("PROM_WINDOW_BEFORE_DAYS", DEFAULT_BEFORE_DAYS)[timepoint],
        after_days=_days("PROM_WINDOW_AFTER_DAYS", DEFAULT_AFTER_DAYS)[timepoint],
    )


def contact_closes_baseline(*, is_first_assessment):
    return prom_windows.contact_closes_baseline(
        is_first_assessment=is_first_assessment, closes_at=settings.PROM_BASELINE_CLOSES_AT
    )


def accepts_answers(entry, now=None):
    """Answers given now belong to this time point: it is open and its window has not closed.

    Opening is the state's: the schedule or the sweep opens a time point once its window has
    opened. Closing is checked against the clock too, so an answer is refused from the moment
    the window ends, not only once the sweep has recorded it.
    """
    now = now or timezone.now()
    return entry.state == TimepointState.OPEN and (entry.closes_at is None or now < entry.closes_at)


def window_has_closed(entry, now=None):
    """Its window ended before it was completed: "not answered in time" (or about to be
    recorded so by the sweep)."""
    now = now or timezone.now()
    if entry.state == TimepointState.NOT_RESPONDED:
        return True
    return (
        entry.state in (TimepointState.SCHEDULED, TimepointState.OPEN)
        and entry.closes_at is not None
        and entry.closes_at <= now
    )


def not_open_reason(entry, timepoint, now=None):
    """Why answers cannot be recorded for this time point now, in a sentence for staff."""
    now = now or timezone.now()
    label = Timepoint(timepoint).label.lower()
    if entry is None:
        if timepoint == Timepoint.BASELINE:
            return "This episode has no baseline questionnaires to record."
        return f"The {label} questionnaires open when the person is discharged."
    if entry.state == TimepointState.CANCELLED:
        return f"The {label} questionnaires were cancelled when the episode was re-opened."
    if entry.state == TimepointState.COMPLETED:
        return f"Every {label} questionnaire is already recorded."
    if window_has_closed(entry, now):
        closed = timezone.localtime(entry.closes_at)
        return (
            f"The {label} questionnaires closed on {closed:%-d %B %Y}: answers given now would "
            f"not describe the person at this time point, so they cannot be recorded as {label}."
        )
    opens = timezone.localtime(entry.opens_at)
    return f"The {label} questionnaires open on {opens:%-d %B %Y}."


def settings_problems():
    """Why the window settings are unusable (sentences; empty when they are fine)."""
    problems = []
    if settings.PROM_BASELINE_CLOSES_AT not in prom_windows.BASELINE_CLOSERS:
        choices = " or ".join(prom_windows.BASELINE_CLOSERS)
        problems.append(f"PROM_BASELINE_CLOSES_AT must be {choices}")
    # A window must last at least a day after its due date, or it would close as it opens.
    for name, minimum in (("PROM_WINDOW_BEFORE_DAYS", 0), ("PROM_WINDOW_AFTER_DAYS", 1)):
        value = getattr(settings, name, None)
        if value is not None:
            problems += prom_windows.window_days_problems(
                value, name=name, timepoints=TIMED, minimum=minimum
            )
    return problems
