"""The discharge letter's words and its PDF, from plain values: no database (pathway.care.letters
content and pdf import no Django, which .importlinter keeps so)."""

import dataclasses
import datetime
import io
import logging

from pypdf import PdfReader

from pathway.care.letters import content
from pathway.care.letters.content import DischargeLetter, OnwardReferral, Score
from pathway.care.letters.pdf import MISSING, digest, printable, render_pdf

LETTER = DischargeLetter(
    service_name="Tyneside MSK service",
    service_phone="0191 000 0000",
    practice_name="Quayside Medical Practice",
    practice_ods_code="A99001",
    patient_name="Alice Armstrong",
    nhs_number="999 000 0018",
    date_of_birth=datetime.date(1971, 3, 14),
    body_part="Back",
    referred_on=datetime.date(2026, 3, 3),
    startback_risk="medium",
    first_seen_on=datetime.date(2026, 3, 10),
    discharged_on=datetime.date(2026, 5, 1),
    discharge_reason="Treatment complete",
    did_not_attend=False,
    triage_outcome="Core therapy",
    sessions_attended=3,
    sessions_planned=4,
    cppp="",
    onward_referrals=(),
    scores=(Score("Pain", "6 out of 10", "3 out of 10"),),
    lead_clinician="Sam Taylor",
    written_at=datetime.datetime(2026, 5, 1, 10, 0, tzinfo=datetime.UTC),
)


def letter(**changes):
    return dataclasses.replace(LETTER, **changes)


def words(pdf):
    pages = PdfReader(io.BytesIO(pdf)).pages
    return [" ".join(page.extract_text().split()) for page in pages]


def test_the_opening_says_when_and_why_the_person_was_discharged():
    assert content.opening(LETTER) == [
        "We discharged Alice Armstrong from Tyneside MSK service on 1 May 2026. "
        "Reason: Treatment complete."
    ]


def test_a_discharge_for_not_attending_hands_the_person_back_to_the_gp():
    opening = content.opening(letter(discharge_reason="Did not attend", did_not_attend=True))

    assert opening[1] == (
        "Alice Armstrong did not attend their appointments, so we have discharged them back "
        "to your care. You can refer them again if they need it."
    )


def test_the_care_given_is_told_step_by_step():
    onward = OnwardReferral("MRI scan", datetime.date(2026, 4, 2), "Leg pain getting worse.")

    lines = content.care_given(letter(onward_referrals=(onward,), cppp="joined"))

    assert lines == [
        "Referred on 3 March 2026 with back pain. Their STarT Back risk at referral was medium.",
        "First seen on 10 March 2026.",
        "Assessment outcome: Core therapy.",
        "Therapy sessions attended: 3 of 4 planned.",
        "Combined Physical and Psychological Programme (CPPP): joined.",
        "Onward referral: MRI scan, sent 2 April 2026. Reason: Leg pain getting worse.",
    ]


def test_a_person_never_seen_has_no_assessment_or_sessions():
    lines = content.care_given(
        letter(first_seen_on=None, triage_outcome="", sessions_attended=0, sessions_planned=None)
    )

    assert lines[1:] == ["Not seen by the service."]


def test_the_date_line_says_when_later_answers_changed_the_letter():
    assert content.dated(LETTER) == "Date: 1 May 2026"
    assert content.dated(letter(updated_on=datetime.date(2026, 5, 9))) == (
        "Date: 1 May 2026 (updated 9 May 2026 with later questionnaire answers)"
    )


def test_no_questionnaires_and_no_phone_are_said_plainly():
    unanswered = letter(scores=(), service_phone="", lead_clinician="")

    assert content.scores_introduction(unanswered) == (
        "Alice Armstrong did not complete any questionnaires at the start of their care or at "
        "discharge."
    )
    assert content.closing(unanswered) == [
        "If you have any questions about this letter, contact Tyneside MSK service."
    ]
    assert content.signature(unanswered) == ("Tyneside MSK service",)


def test_printable_keeps_what_the_fonts_have_and_marks_what_they_do_not():
    assert printable("Łucja Wiśniewska, Nguyễn, Ζωή, Юлия") == "Łucja Wiśniewska, Nguyễn, Ζωή, Юлия"
    # An accent typed as its own character is joined to its letter (NFC).
    assert printable("Zoe\u0308") == "Zoë"
    assert printable("Wang 王\tLi") == f"Wang {MISSING} Li"


def test_the_pdf_says_what_the_letter_says_and_names_the_person_on_every_page():
    many_scores = tuple(Score(f"Questionnaire {n}", "1\n2\n3", "4\n5\n6") for n in range(30))

    pages = words(render_pdf(letter(scores=many_scores)))

    assert len(pages) > 1
    assert "To: Quayside Medical Practice (A99001)" in pages[0]
    assert "Reason: Treatment complete." in pages[0]
    for number, page in enumerate(pages, 1):
        assert "Alice Armstrong, NHS number 999 000 0018." in page
        assert f"Page {number} of {len(pages)}." in page


def test_the_pdf_is_the_same_bytes_for_the_same_letter_and_dated_at_the_discharge():
    from pathway.care.letters.pdf import _render

    first = render_pdf(LETTER)
    _render.cache_clear()
    again = render_pdf(LETTER)

    assert first == again
    assert digest(first) == digest(again)
    assert first != render_pdf(letter(discharge_reason="Patient choice"))
    metadata = PdfReader(io.BytesIO(first)).metadata
    assert metadata["/CreationDate"].startswith("D:20260501100000")
    assert metadata["/Title"] == "Discharge from Tyneside MSK service"


def test_rendering_logs_nothing_not_even_the_characters_it_could_not_print(caplog):
    caplog.set_level(logging.DEBUG)

    render_pdf(letter(patient_name="Wang 王 Li"))

    assert [record.getMessage() for record in caplog.records] == []
