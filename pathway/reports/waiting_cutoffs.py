"""Waiting-list targets turned into date cutoffs, so the database can count breaches.

For a fixed "as of" date, a later clock start never has an earlier target date (working days
and calendar days both only move forward), so the clock starts in breach on that date are
exactly those up to one latest date: the cutoff. Each cutoff is found here with the one
definition of the rules, pathway.clinical.waiting (`breach` and
`referral_to_treatment_deadline`), and the SQL then compares `clock_started_on <= cutoff`:
no working-day or bank-holiday logic is written twice.

A page needs one cutoff per service, priority and distinct "as of" date (today, and each
booked first-assessment date), not one per person, and the cutoffs are cached in-process, so
the cost does not grow with the list.
"""

import datetime
from functools import lru_cache

from pathway.clinical.service_rules import ServiceRules
from pathway.clinical.waiting import breach, referral_to_treatment_deadline

_DAY = datetime.timedelta(days=1)


def _first_guess(as_of, priority, rules):
    # Only a starting point for the search below, which checks every answer with `breach`:
    # a wrong guess costs a few more steps, never a wrong cutoff. Five working days in seven,
    # plus slack for bank holidays, for urgent; the calendar target for standard.
    if priority == "urgent":
        return as_of - datetime.timedelta(days=rules.urgent_target_working_days * 7 // 5 + 2)
    return as_of - datetime.timedelta(days=rules.standard_target_days + 1)


@lru_cache(maxsize=8192)
def latest_breaching_clock_start(
    as_of: datetime.date, priority: str, rules: ServiceRules, holidays: frozenset
) -> datetime.date:
    """The latest clock start whose first-assessment target is breached on `as_of`."""
    day = _first_guess(as_of, priority, rules)
    while not breach(day, priority, as_of, rules=rules, bank_holidays=holidays):
        day -= _DAY
    while breach(day + _DAY, priority, as_of, rules=rules, bank_holidays=holidays):
        day += _DAY
    return day


@lru_cache(maxsize=1024)
def latest_rtt_breaching_clock_start(on: datetime.date, rules: ServiceRules) -> datetime.date:
    """The latest clock start past its referral-to-treatment ceiling on `on`."""
    day = on - datetime.timedelta(weeks=rules.referral_to_treatment_weeks) - _DAY
    while not on > referral_to_treatment_deadline(day, rules):
        day -= _DAY
    while on > referral_to_treatment_deadline(day + _DAY, rules):
        day += _DAY
    return day
