"""How long a record of care is kept: the retention rule, defined once.

The NHS Records Management Code of Practice keeps adult records of care for 8 years after
the end of care; the number of years is a setting (RETENTION_YEARS) passed in here, so this
module stays pure. Care ends at discharge from the service, or, for a referral that never
opened an episode, at the GP's consultation.
"""

from datetime import date

from pathway.clinical.answers import require_date, require_whole_number


def retain_until(end_of_care: date, *, years: int) -> date:
    """The last day the record must be kept: the same calendar day `years` after care ended.

    Care that ended on 29 February is kept until 1 March in a year without one: a day late is
    harmless, a day early would destroy a record its rule still protects.
    """
    require_date(end_of_care, "end_of_care")
    require_whole_number(years, 1, 100, "years")
    try:
        return end_of_care.replace(year=end_of_care.year + years)
    except ValueError:  # 29 February in a year without one
        return date(end_of_care.year + years, 3, 1)


def retention_has_passed(kept_until: date, *, today: date) -> bool:
    """True once `kept_until` is over: the record is kept through that whole day."""
    return kept_until < today
