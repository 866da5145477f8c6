"""Questionnaire definitions as data: items, options, wording and copyright notices.

INSTRUMENTS holds every instrument the service uses, by code. ODI and EQ-5D-5L carry neutral
placeholder wording until a licensed service loads the real text (see licensed.py).
"""

from pathway.clinical.answers import describe
from pathway.clinical.errors import InvalidAnswers
from pathway.clinical.questionnaires.licensed import EQ5D5L, ODI, load_licensed_wording
from pathway.clinical.questionnaires.model import Instrument, Item, Option
from pathway.clinical.questionnaires.public import (
    FFT,
    GAD7,
    GSOS,
    PAIN_NRS,
    PHQ9,
    READINESS,
    STARTBACK,
)

__all__ = ["INSTRUMENTS", "Instrument", "Item", "Option", "get", "load_licensed_wording"]

INSTRUMENTS = {
    instrument.code: instrument
    for instrument in (STARTBACK, PHQ9, GAD7, PAIN_NRS, ODI, EQ5D5L, GSOS, FFT, READINESS)
}


def get(code: str) -> Instrument:
    """The instrument with this code, or InvalidAnswers naming the known codes."""
    if not isinstance(code, str) or code not in INSTRUMENTS:
        raise InvalidAnswers(
            f"Unknown questionnaire {describe(code)}; known: {', '.join(INSTRUMENTS)}"
        )
    return INSTRUMENTS[code]
