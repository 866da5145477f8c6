"""The GP form's checklists: red flags, eligibility and urgency each as one block, "None of
these" or tick what applies, each question still recorded yes or no
(pathway.clinical.answers.checklist_answers decides what the block means)."""

from django import forms

from pathway.referrals.answers import CHECKLISTS

YES_NO = [("yes", "Yes"), ("no", "No")]


class TickBox(forms.CheckboxInput):
    """One question of a checklist: ticked posts "yes". Another door may post "no" (the
    integration tests and older pages did): it is kept as an explicit no."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value == "yes")

    def format_value(self, value):
        return "yes"

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")


def ticked(question):
    return forms.ChoiceField(label=question, choices=YES_NO, required=False, widget=TickBox)


# The "None of these" box of each checklist, and what to say when the checklist is left alone.
NONE_LABELS = {
    "red_flags": "None of these red flags",
    "exclusions": "None of these apply",
    "urgency": "None of these apply",
}
CHECKLIST_MISSING = {
    "red_flags": "Red flags: tick each red flag the person has, or tick \u201cNone of these red "
    "flags\u201d",
    "exclusions": "Eligibility: tick each that applies, or tick \u201cNone of these apply\u201d",
    "urgency": "Urgency: tick each that applies, or tick \u201cNone of these apply\u201d",
}
CHECKLIST_CONTRADICTED = {
    "red_flags": "You ticked \u201cNone of these red flags\u201d and a red flag: untick one",
    "exclusions": "You ticked \u201cNone of these apply\u201d and an exclusion: untick one",
    "urgency": "You ticked \u201cNone of these apply\u201d and an urgency criterion: untick one",
}
CHECKLIST_OF = {name: section for section, fields in CHECKLISTS.items() for name in fields}


def given_answers(cleaned, fields):
    """{question code: True for yes, False for no} as given one by one; the rest left out."""
    return {
        question.code: cleaned[name] == "yes"
        for name, question in fields.items()
        if cleaned.get(name) in {"yes", "no"}
    }
