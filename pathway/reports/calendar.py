"""England's bank holidays, from the maintained `holidays` package, for working-day targets."""

from functools import lru_cache

import holidays

from pathway.clinical.dates import clamp


@lru_cache(maxsize=32)
def _for_year(year):
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def england_bank_holidays(start, end):
    """Every England bank holiday from start to end (dates), as a set for pathway.clinical.

    Only inside the plausible window (pathway.clinical.dates): a stored date in year 1 or
    9999 must not make a page compute ten thousand years of holidays, or overflow."""
    days = set()
    for year in range(clamp(start).year, clamp(end).year + 1):
        days |= _for_year(year)
    return days
