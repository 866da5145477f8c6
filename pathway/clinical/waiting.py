"""Waiting-time clock (clinical reference section 7; targets are local policy in ServiceRules).

Urgent referrals are measured in working days (Monday to Friday, not bank holidays); standard
referrals and the referral-to-treatment ceiling in calendar days. Bank holidays are passed in
so this module stays pure; the Django side reads England's from the `holidays` package.
"""

from collections.abc import Collection, Iterable
from datetime import date, timedelta

from pathway.clinical.answers import describe, require_date, require_whole_number
from pathway.clinical.errors import InvalidAnswers
from pathway.clinical.service_rules import ServiceRules

PRIORITIES = ("urgent", "standard")
_SATURDAY = 5


def is_working_day(day: date, bank_holidays: Collection[date]) -> bool:
    return day.weekday() < _SATURDAY and day not in bank_holidays


def working_days_between(start: date, end: date, bank_holidays: Collection[date]) -> int:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`.

    The start day is not counted, as with "seen within 5 working days" of a referral.
    """
    _check_dates(start=start, end=end)
    holidays = _holiday_set(bank_holidays)
    # Whole weeks hold five weekdays each, so only the remainder is walked day by day; the
    # holidays in range that fall on weekdays are then taken off.
    total_days = (end - start).days
    if total_days <= 0:
        return 0
    weeks, remainder = divmod(total_days, 7)
    count = weeks * 5
    for offset in range(1, remainder + 1):
        if (start + timedelta(days=offset)).weekday() < _SATURDAY:
            count += 1
    count -= sum(1 for day in holidays if start < day <= end and day.weekday() < _SATURDAY)
    return count


def add_working_days(start: date, days: int, bank_holidays: Collection[date]) -> date:
    """The date that is `days` working days after `start` (the start day not counted)."""
    _check_dates(start=start)
    require_whole_number(days, 0, 10_000, "Number of working days")
    holidays = _holiday_set(bank_holidays)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            counted += 1
    return day


def target_date(
    clock_start: date, priority: str, *, rules: ServiceRules, bank_holidays: Collection[date]
) -> date:
    """The last date on which the first appointment still meets the target."""
    _check_dates(clock_start=clock_start)
    if priority == "urgent":
        return add_working_days(clock_start, rules.urgent_target_working_days, bank_holidays)
    if priority == "standard":
        return clock_start + timedelta(days=rules.standard_target_days)
    raise InvalidAnswers(f"Priority must be {' or '.join(PRIORITIES)}, not {describe(priority)}")


def breach(
    clock_start: date,
    priority: str,
    as_of: date,
    *,
    rules: ServiceRules,
    bank_holidays: Collection[date],
) -> bool:
    """True when `as_of` is after the target date.

    Pass the first appointment's date once it is booked or seen, or today's date while the
    person is still waiting.
    """
    _check_dates(as_of=as_of)
    return as_of > target_date(clock_start, priority, rules=rules, bank_holidays=bank_holidays)


def referral_to_treatment_deadline(clock_start: date, rules: ServiceRules) -> date:
    """The last day of the referral-to-treatment ceiling (18 weeks by default)."""
    _check_dates(clock_start=clock_start)
    return clock_start + timedelta(weeks=rules.referral_to_treatment_weeks)


def clock_start(referral_date: date, first_appointment_dna_dates: Iterable[date]) -> date:
    """When the waiting clock started: a first-appointment DNA restarts it, so the latest such
    DNA if there is one, otherwise the referral date."""
    _check_dates(referral_date=referral_date)
    dna_dates = tuple(first_appointment_dna_dates)
    for dna_date in dna_dates:
        _check_dates(dna_date=dna_date)
        if dna_date < referral_date:
            raise InvalidAnswers(
                f"A did-not-attend date ({dna_date:%d %B %Y}) is before the referral "
                f"({referral_date:%d %B %Y}): please check the dates"
            )
    return max(dna_dates, default=referral_date)


def _check_dates(**values: object) -> None:
    for name, value in values.items():
        require_date(value, name.replace("_", " ").capitalize())


def _holiday_set(bank_holidays: Collection[date]) -> frozenset[date]:
    if isinstance(bank_holidays, str | bytes) or not isinstance(bank_holidays, Iterable):
        raise InvalidAnswers(f"Bank holidays must be a collection of dates, not {bank_holidays!r}")
    holidays = frozenset(bank_holidays)
    for day in holidays:
        require_date(day, "Each bank holiday")
    return holidays
