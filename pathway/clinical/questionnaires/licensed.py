"""ODI and EQ-5D-5L: structure only, with neutral placeholder wording.

Their wording is licensed (Mapi Research Trust for the ODI, EuroQol for the EQ-5D-5L), so the
code must not ship it. A licensed service keeps the text in a JSON file outside the repository
and loads it with load_licensed_wording(), which refuses a file whose structure does not match
the scoring (a missing section or option would silently change scores).
"""

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from pathway.clinical import eq5d, odi
from pathway.clinical.errors import LicensedWordingError
from pathway.clinical.questionnaires.model import Instrument, Item, Option, numbered_options

_NOT_INSTALLED = "(licensed wording not installed)"

ODI = Instrument(
    code="odi",
    title=f"Oswestry Disability Index v2.1a {_NOT_INSTALLED}",
    items=tuple(
        Item(
            f"odi_{number}",
            f"ODI section {number} {_NOT_INSTALLED}",
            tuple(Option(score, f"Level {score}") for score in range(odi.MAX_SECTION_SCORE + 1)),
        )
        for number in range(1, odi.SECTION_COUNT + 1)
    ),
    copyright_notice="Oswestry Disability Index: licensed by Mapi Research Trust.",
    licensed_wording=True,
    wording_installed=False,
)

EQ5D5L = Instrument(
    code="eq5d5l",
    title=f"EQ-5D-5L {_NOT_INSTALLED}",
    items=(
        *(
            Item(
                code,
                f"EQ-5D-5L {label} {_NOT_INSTALLED}",
                tuple(Option(level, f"Level {level}") for level in eq5d.LEVELS),
            )
            for code, _term, label in eq5d.DIMENSIONS
        ),
        # VAS answers are plain numbers, so only its question text is licensed.
        Item("eq_vas", f"EQ VAS {_NOT_INSTALLED}", numbered_options(0, 100)),
    ),
    copyright_notice="EQ-5D is a trade mark of the EuroQol Research Foundation. Use is licensed.",
    licensed_wording=True,
    wording_installed=False,
)

LICENSED = {ODI.code: ODI, EQ5D5L.code: EQ5D5L}
# Items whose option labels are numbers, not licensed text: the file gives no "options".
_NUMERIC_SCALE_ITEMS = frozenset({"eq_vas"})


def load_licensed_wording(instrument_code: str, path: str | Path) -> Instrument:
    """Return the instrument with the licensed text from a UTF-8 JSON file at `path`.

    The file looks like this (ODI shown; ten items, each with six option labels for scores 0-5;
    for "eq5d5l", six items: the five dimensions "mobility", "self_care", "usual_activities",
    "pain_discomfort", "anxiety_depression" with five labels each for levels 1-5, then "eq_vas"
    with "text" only):

        {
          "instrument": "odi",
          "title": "Oswestry Disability Index v2.1a",
          "copyright_notice": "...",
          "instructions": "...",                       (optional)
          "items": [
            {"code": "odi_1", "text": "Section 1 - Pain intensity",
             "options": ["label for 0", "...", "label for 5"]},
            ...
          ]
        }

    Items and options are in scoring order; codes must match the placeholders' codes.
    """
    if instrument_code not in LICENSED:
        raise LicensedWordingError(
            f"{instrument_code!r} has no licensed wording to load; only {', '.join(LICENSED)} do"
        )
    placeholder = LICENSED[instrument_code]
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise LicensedWordingError(f"Cannot read licensed wording from {path}: {error}") from error
    if not isinstance(data, dict):
        raise LicensedWordingError(f"{path}: the file must hold one JSON object")
    if data.get("instrument") != instrument_code:
        raise LicensedWordingError(
            f"{path}: the file is for {data.get('instrument')!r}, not {instrument_code!r}"
        )
    items = data.get("items")
    if not isinstance(items, list) or len(items) != len(placeholder.items):
        count = len(items) if isinstance(items, list) else "no"
        raise LicensedWordingError(
            f"{path}: {instrument_code} needs {len(placeholder.items)} items; the file has {count}"
        )
    return replace(
        placeholder,
        title=_text(data, "title", path),
        copyright_notice=_text(data, "copyright_notice", path),
        instructions=_text(data, "instructions", path, required=False),
        items=tuple(
            _licensed_item(expected, given, path)
            for expected, given in zip(placeholder.items, items, strict=True)
        ),
        wording_installed=True,
    )


def _licensed_item(expected: Item, given: Any, path: Any) -> Item:
    where = f"{path}: item {expected.code}"
    if not isinstance(given, dict) or given.get("code") != expected.code:
        found = given.get("code") if isinstance(given, dict) else given
        raise LicensedWordingError(f"{where} expected here, found {found!r}")
    text = _text(given, "text", where)
    if expected.code in _NUMERIC_SCALE_ITEMS:
        if "options" in given:
            raise LicensedWordingError(f"{where} is a number scale and takes no option labels")
        return replace(expected, text=text)
    labels = given.get("options")
    if not isinstance(labels, list) or len(labels) != len(expected.options):
        count = len(labels) if isinstance(labels, list) else "no"
        raise LicensedWordingError(
            f"{where} needs {len(expected.options)} option labels; the file has {count}"
        )
    options = tuple(
        Option(option.value, _text({"label": label}, "label", f"{where} option {position}"))
        for position, (option, label) in enumerate(zip(expected.options, labels, strict=True), 1)
    )
    return replace(expected, text=text, options=options)


def _text(data: dict, key: str, where: Any, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise LicensedWordingError(f"{where}: {key!r} must be non-empty text")
    return value.strip()
