"""Which dates are plausible: one definition for every form, action and report.

A person can type any date; the database can hold any date from year 1 to 9999. Neither is a
reason for a page to fail (issue 15: one appointment booked for 01/06/9999 once took down a
whole service's reports). So:

- what people type is checked here and refused with a message they can act on;
- what is already stored, however odd, is judged with `is_plausible`: calendar code (bank
  holidays, working days, targets) works only inside the plausible window, and reports show
  a stored date outside it as such instead of failing.
"""

from datetime import date, datetime, timedelta

from pathway.clinical.answers import require_date
from pathway.clinical.referral_rules import age_on

# Nobody referred to the pathway was born before this (the oldest living people were born
# in the 1900s), and no waiting-time calendar needs to look past the second bound.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)

# How far ahead an appointment may be booked unless the service says otherwise.
DEFAULT_BOOKING_HORIZON_DAYS = 365


def is_plausible(day: date) -> bool:
    """True for a stored date inside the window that calendar arithmetic can use."""
    if isinstance(day, datetime):
        day = day.date()
    return EARLIEST <= day <= LATEST


def clamp(day: date) -> date:
    """The nearest plausible date: for bounding calendar work, never for showing."""
    return min(max(day, EARLIEST), LATEST)


def _long(day: date) -> str:
    return f"{day:%-d %B %Y}"


def date_problem(day: date, *, label: str, earliest: date, latest: date) -> str | None:
    """Why `day` is not acceptable for a field whose plausible range is earliest..latest."""
    require_date(day, label)
    if day < earliest:
        return f"{label} must be on or after {_long(earliest)}"
    if day > latest:
        return f"{label} must be on or before {_long(latest)}"
    return None


def appointment_time_problem(
    starts_at: datetime,
    now: datetime,
    *,
    horizon_days: int = DEFAULT_BOOKING_HORIZON_DAYS,
    recording_past: bool = False,
    referred_at: datetime | None = None,
) -> str | None:
    """Why an appointment cannot be booked (or recorded) at `starts_at`, or None.

    A new booking is in the future, and at most `horizon_days` ahead. A contact that has
    already happened may be recorded only when the clinician says that is what they are
    doing (`recording_past`), and then no earlier than the referral or `horizon_days` ago,
    whichever is earlier (a referral entered after a first contact by telephone is common;
    a year typed as 0001 is not).
    """
    horizon = timedelta(days=horizon_days)
    if recording_past:
        if starts_at > now:
            return (
                "An appointment that has already happened must be in the past: "
                "untick 'recording a past appointment' to book a future one"
            )
        earliest = now - horizon if referred_at is None else min(now - horizon, referred_at)
        if starts_at < earliest:
            return (
                "A past appointment cannot be recorded before the referral or more than "
                f"{horizon_days} days ago (on or after {_long(earliest.date())})"
            )
        return None
    if starts_at < now:
        return (
            "The appointment date and time must be in the future. To record an appointment "
            "that has already happened, tick 'recording a past appointment'"
        )
    if starts_at > now + horizon:
        return (
            f"The appointment must be no more than {horizon_days} days ahead "
            f"(on or before {_long((now + horizon).date())})"
        )
    return None


def age_shown(date_of_birth: date, on: date) -> int | None:
    """Age in whole years on `on`, or None when a stored date of birth cannot give one
    (after `on`, or outside the plausible window): shown as not known, never a failure."""
    if not (is_plausible(date_of_birth) and date_of_birth <= on):
        return None
    return age_on(date_of_birth, on)
