"""What the discharge letter says, as plain values and plain-language sentences. No Django and
no database here (pathway.care.letters.records fills a DischargeLetter from the record), so the
wording is tested on its own and the PDF (pathway.care.letters.pdf) only lays it out.

The wording follows NHS guidance on letters: short sentences, the person's name rather than
"the patient", dates written out, and what the GP needs to do (if anything) said plainly.
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """One questionnaire's scores: the words shown for each time point, "" when not answered."""

    questionnaire: str
    at_start: str
    at_discharge: str


@dataclass(frozen=True)
class OnwardReferral:
    destination: str
    sent_on: datetime.date
    reason: str


@dataclass(frozen=True)
class DischargeLetter:
    """Everything the letter says, already in words (choices as their labels). Frozen and made
    of tuples, so equal letters are equal values: the PDF of one is rendered once (pdf.py)."""

    service_name: str
    service_phone: str
    practice_name: str
    practice_ods_code: str
    patient_name: str
    nhs_number: str  # in the 3-3-4 layout
    date_of_birth: datetime.date
    body_part: str  # "Back" or "Neck"
    referred_on: datetime.date
    startback_risk: str  # "low", "medium", "high", or "" when not scored
    first_seen_on: datetime.date | None  # the first appointment attended
    discharged_on: datetime.date
    discharge_reason: str
    did_not_attend: bool
    triage_outcome: str  # "" when no triage decision was recorded
    sessions_attended: int
    sessions_planned: int | None
    cppp: str  # "" when not invited to the CPPP
    onward_referrals: tuple[OnwardReferral, ...]
    scores: tuple[Score, ...]
    lead_clinician: str
    # When it was written (the discharge): the PDF's creation date, so the bytes do not
    # depend on when it is downloaded.
    written_at: datetime.datetime
    # The day it last changed, when that is after the discharge (answers given later).
    updated_on: datetime.date | None = None


def long_date(day):
    """3 March 2026: the NHS style, the same on every platform (no %-d)."""
    return f"{day.day} {day:%B %Y}"


def title(letter):
    return f"Discharge from {letter.service_name}"


def addressee(letter):
    return f"{letter.practice_name} ({letter.practice_ods_code})"


def identity_rows(letter):
    """(label, value) naming the person, as the top of every NHS letter does."""
    return (
        ("Name", letter.patient_name),
        ("NHS number", letter.nhs_number),
        ("Date of birth", long_date(letter.date_of_birth)),
    )


def dated(letter):
    text = f"Date: {long_date(letter.discharged_on)}"
    if letter.updated_on and letter.updated_on > letter.discharged_on:
        text += f" (updated {long_date(letter.updated_on)} with later questionnaire answers)"
    return text


def opening(letter):
    """The first paragraphs: what happened and what, if anything, the GP needs to do."""
    paragraphs = [
        f"We discharged {letter.patient_name} from {letter.service_name} on "
        f"{long_date(letter.discharged_on)}. Reason: {letter.discharge_reason}."
    ]
    if letter.did_not_attend:
        paragraphs.append(
            f"{letter.patient_name} did not attend their appointments, so we have discharged "
            "them back to your care. You can refer them again if they need it."
        )
    return paragraphs


def care_given(letter):
    """One sentence for each step of the person's care, in the order it happened."""
    risk = (
        f" Their STarT Back risk at referral was {letter.startback_risk}."
        if letter.startback_risk
        else " Their STarT Back risk was not scored."
    )
    lines = [f"Referred on {long_date(letter.referred_on)} with {letter.body_part.lower()} pain."]
    lines[0] += risk
    lines.append(
        f"First seen on {long_date(letter.first_seen_on)}."
        if letter.first_seen_on
        else "Not seen by the service."
    )
    if letter.triage_outcome:
        lines.append(f"Assessment outcome: {letter.triage_outcome}.")
    if letter.sessions_planned:
        lines.append(
            f"Therapy sessions attended: {letter.sessions_attended} of "
            f"{letter.sessions_planned} planned."
        )
    elif letter.sessions_attended:
        lines.append(f"Therapy sessions attended: {letter.sessions_attended}.")
    if letter.cppp:
        lines.append(f"Combined Physical and Psychological Programme (CPPP): {letter.cppp}.")
    for onward in letter.onward_referrals:
        lines.append(
            f"Onward referral: {onward.destination}, sent {long_date(onward.sent_on)}. "
            f"Reason: {onward.reason}"
        )
    return lines


def scores_introduction(letter):
    if not letter.scores:
        return (
            f"{letter.patient_name} did not complete any questionnaires at the start of their "
            "care or at discharge."
        )
    return (
        "The questionnaires they completed at the start of their care and at discharge. "
        "A blank means they did not answer that one."
    )


def closing(letter):
    contact = f"If you have any questions about this letter, contact {letter.service_name}"
    contact += f" on {letter.service_phone}." if letter.service_phone else "."
    return [contact]


def signature(letter):
    """Who the letter is from: the lead clinician, if the person had one, and the service."""
    return tuple(name for name in (letter.lead_clinician, letter.service_name) if name)
