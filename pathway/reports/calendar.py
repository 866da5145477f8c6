"""England's bank holidays, from the maintained `holidays` package, for working-day targets."""

from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _for_year(year):
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def england_bank_holidays(start, end):
    """Every England bank holiday from start to end (dates), as a set for pathway.clinical."""
    days = set()
    for year in range(start.year, end.year + 1):
        days |= _for_year(year)
    return days
