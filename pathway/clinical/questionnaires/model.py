"""The shape of a questionnaire, shared by forms, PROM invitations and reports."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    # The value the instrument's scoring function takes (True/False, an int or a code).
    value: Any
    label: str


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    # No options means an optional free-text answer (the Friends and Family Test follow-up).
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Instrument:
    code: str
    title: str
    items: tuple[Item, ...]
    copyright_notice: str
    # True when the owner licenses the wording (ODI, EQ-5D-5L): the code ships only neutral
    # placeholders and a licensed service loads the real text with load_licensed_wording().
    licensed_wording: bool
    instructions: str = ""
    # False while an instrument with licensed wording still has its placeholders, so a form
    # can refuse to show "ODI section 1 (licensed wording not installed)" to a patient.
    wording_installed: bool = True


def numbered_options(low: int, high: int, anchors: dict[int, str] | None = None) -> tuple:
    """Options low..high labelled with the number, plus a word at the anchored ends."""
    anchors = anchors or {}
    return tuple(
        Option(value, f"{value} - {anchors[value]}" if value in anchors else str(value))
        for value in range(low, high + 1)
    )
