"""The discharge letter as a PDF, with fpdf2: an A4 letter laid out from the words of
pathway.care.letters.content. No Django here, only the DischargeLetter value.

The same letter gives the same bytes (the creation date is the discharge, the fonts are this
package's own, fpdf2 names the file from its content), so the API can give a letter's size
and hash in its DocumentReference and serve the very same bytes as its Binary.
"""

import base64
import functools
import hashlib
import logging
import unicodedata
from pathlib import Path

from fontTools.ttLib import TTFont  # installed with fpdf2, which reads fonts with it
from fpdf import FPDF
from fpdf.fonts import FontFace

from pathway.care.letters import content

# fontTools logs each font it subsets at INFO, lines for every letter; fpdf2's warnings can
# quote the text laid out, which is the person's details. Neither belongs in the logs.
logging.getLogger("fontTools").setLevel(logging.WARNING)
logging.getLogger("fpdf").setLevel(logging.ERROR)

FONTS = Path(__file__).parent / "fonts"
REGULAR, BOLD = FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"
FAMILY = "DejaVuSans"
MISSING = "\ufffd"  # what prints for a character the fonts do not have
MARGIN = 20  # millimetres on every side
LINE = 5.5  # millimetres a line of body text takes


@functools.cache
def _printable_characters():
    # The same characters are in both weights (fonts/README.md).
    return frozenset(chr(code) for code in TTFont(REGULAR).getBestCmap())


def printable(text):
    """`text` as the fonts can print it: composed (NFC, so an accent typed as its own
    character sits on its letter), control characters as spaces (a tab in a free-text reason)
    and anything the fonts lack as U+FFFD, rather than nothing. fpdf2 would otherwise log the
    missing characters, and those are the person's details, which must not reach the logs."""
    characters = _printable_characters()
    result = []
    for character in unicodedata.normalize("NFC", text):
        if character == "\n":
            result.append(character)
        elif unicodedata.category(character).startswith("C"):
            result.append(" ")
        else:
            result.append(character if character in characters else MISSING)
    return "".join(result)


class _Letter(FPDF):
    def __init__(self, letter):
        super().__init__(format="A4", unit="mm")
        self.letter = letter

    def footer(self):
        # Every page names the person, so a page that comes loose is still theirs.
        letter = self.letter
        self.set_y(-MARGIN + 4)
        self.set_font(FAMILY, "", 8)
        self.multi_cell(
            0,
            3.5,
            printable(
                f"{letter.patient_name}, NHS number {letter.nhs_number}. Discharge letter from "
                f"{letter.service_name}. Page {self.page_no()} of {{nb}}."
            ),
            align="L",
        )


def render_pdf(letter):
    """The PDF of a DischargeLetter, as bytes."""
    return _render(letter)


@functools.lru_cache(maxsize=64)
def _render(letter):
    # A search of letters and the download that follows ask for the same PDFs: rendering one
    # takes tens of milliseconds, so each process keeps its last few (keyed by the letter's
    # content, so a changed record is a different key, never a stale letter).
    pdf = _Letter(letter)
    pdf.set_creation_date(letter.written_at)
    pdf.set_title(content.title(letter))
    pdf.set_author(letter.service_name)
    pdf.set_lang("en-GB")
    # Not fpdf2's default, which names its version: an upgrade alone must not change the hash.
    pdf.set_producer("fpdf2")
    pdf.set_creator(letter.service_name)
    pdf.add_font(FAMILY, "", REGULAR)
    pdf.add_font(FAMILY, "B", BOLD)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN + 5)
    pdf.add_page()
    _heading(pdf, letter)
    _identity(pdf, letter)
    for paragraph in content.opening(letter):
        _paragraph(pdf, paragraph)
    _subheading(pdf, "Their care with us")
    for line in content.care_given(letter):
        _paragraph(pdf, line, space=1)
    _subheading(pdf, "Questionnaire scores")
    _paragraph(pdf, content.scores_introduction(letter))
    if letter.scores:
        _scores(pdf, letter.scores)
    for paragraph in content.closing(letter):
        _paragraph(pdf, paragraph)
    _paragraph(pdf, "Yours sincerely,", space=1)
    _paragraph(pdf, "\n".join(content.signature(letter)))
    return bytes(pdf.output())


def _text(pdf, text, *, size=11, bold=False, height=LINE, align="L"):
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, height, printable(text), align=align, new_x="LMARGIN", new_y="NEXT")


def _paragraph(pdf, text, *, space=3):
    _text(pdf, text)
    pdf.ln(space)


def _subheading(pdf, text):
    pdf.ln(2)
    _text(pdf, text, size=13, bold=True, height=7)
    pdf.ln(1)


def _heading(pdf, letter):
    # The sender at the top right, as NHS letters have it; then the addressee and the date.
    _text(pdf, letter.service_name, bold=True, align="R")
    if letter.service_phone:
        _text(pdf, f"Telephone: {letter.service_phone}", align="R")
    pdf.ln(6)
    _text(pdf, f"To: {content.addressee(letter)}")
    _text(pdf, content.dated(letter))
    pdf.ln(6)
    _text(pdf, content.title(letter), size=16, bold=True, height=8)
    pdf.ln(2)


def _identity(pdf, letter):
    pdf.set_font(FAMILY, "", 11)
    with pdf.table(
        col_widths=(40, 130),
        first_row_as_headings=False,
        text_align="LEFT",
        line_height=LINE + 1,
        borders_layout="NONE",
    ) as table:
        for label, value in content.identity_rows(letter):
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(printable(value))
    pdf.ln(4)
    _text(pdf, "Dear colleague,")
    pdf.ln(2)


def _scores(pdf, scores):
    pdf.set_font(FAMILY, "", 10)
    with pdf.table(
        col_widths=(50, 60, 60),
        text_align="LEFT",
        v_align="TOP",
        line_height=LINE,
        padding=1.5,
    ) as table:
        heading = table.row()
        for text in ("Questionnaire", "At the start", "At discharge"):
            heading.cell(text)
        for score in scores:
            row = table.row()
            for text in (score.questionnaire, score.at_start, score.at_discharge):
                row.cell(printable(text))
    pdf.ln(4)


def digest(pdf_bytes):
    """(size in bytes, SHA-1 in base64): Attachment.size and Attachment.hash, as FHIR says."""
    # SHA-1 because FHIR's Attachment.hash is SHA-1: a checksum of the download, not a seal.
    sha1 = hashlib.sha1(pdf_bytes, usedforsecurity=False)
    return len(pdf_bytes), base64.b64encode(sha1.digest()).decode("ascii")
