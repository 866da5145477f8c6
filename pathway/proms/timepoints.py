"""Which questionnaires each time point asks for: configuration, read from settings.

The defaults are the set the evaluation used (clinical reference section 4). A service changes
them with the PROM_INSTRUMENTS setting, a JSON object of time point -> instrument codes.
"""

from django.conf import settings

from pathway.clinical.questionnaires import INSTRUMENTS

DEFAULT_INSTRUMENTS = {
    "baseline": ["pain_nrs", "odi", "eq5d5l", "gad7", "phq9"],
    "discharge": ["pain_nrs", "odi", "eq5d5l", "gad7", "phq9", "gsos", "fft", "readiness"],
    "month_6": ["pain_nrs", "odi", "eq5d5l", "gad7", "phq9", "gsos", "fft"],
    "month_12": ["pain_nrs", "odi", "eq5d5l", "gad7", "phq9", "gsos", "fft"],
}


def instruments_for(timepoint):
    configured = getattr(settings, "PROM_INSTRUMENTS", None) or DEFAULT_INSTRUMENTS
    codes = configured[timepoint]
    unknown = [code for code in codes if code not in INSTRUMENTS]
    if unknown:
        raise ValueError(f"PROM_INSTRUMENTS names unknown questionnaires: {unknown}")
    return list(codes)
