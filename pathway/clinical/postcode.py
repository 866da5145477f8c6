"""UK postcode format check (clinical reference section 5).

Accepts the six formats A9 9AA, A99 9AA, AA9 9AA, AA99 9AA, A9A 9AA and AA9A 9AA, typed in any
case, with or without spaces. A format check cannot prove a postcode exists; it only catches
typing mistakes before they reach a letter or a deprivation lookup.
"""

import re
from typing import Any

from pathway.clinical.answers import describe
from pathway.clinical.errors import InvalidAnswers

# Outward code: one or two letters, a digit, then an optional digit or letter; this is exactly
# the six published formats. ASCII classes only, so look-alike Unicode characters are refused.
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][A-Z]{2}"
# The inward code is always three characters, so once spaces are removed the split is certain.
_POSTCODE = re.compile(rf"(?P<outward>{_OUTWARD})(?P<inward>{_INWARD})")


def normalise(text: Any) -> str:
    """Return the postcode in upper case with a single space before the inward code."""
    if not isinstance(text, str):
        raise InvalidAnswers(f"Postcode must be typed as text, not {describe(text)}")
    compact = "".join(text.split())
    if not compact:
        raise InvalidAnswers("Postcode is missing")
    # Checked before upper-casing: "ß".upper() is "SS", which would invent a real postcode.
    match = _POSTCODE.fullmatch(compact.upper()) if compact.isascii() else None
    if match is None:
        raise InvalidAnswers(
            f"{text.strip()!r} is not a UK postcode: it should look like NE1 4LP, "
            "with the part after the space being a digit and two letters"
        )
    return f"{match['outward']} {match['inward']}"


def is_valid(text: Any) -> bool:
    """True when `text` has a UK postcode format; never raises."""
    try:
        normalise(text)
    except InvalidAnswers:
        return False
    return True
