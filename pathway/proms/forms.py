"""Questionnaires a clinician records with the person, one section per instrument.

Fields are built from the instrument definitions (pathway.clinical.questionnaires), so every
option's value is exactly what the scorer accepts. The form only decides which questionnaires
were attempted; whether answers can be scored is the clinical core's decision, made when
record_questionnaire scores them.
"""

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from pathway.clinical import eq5d
from pathway.clinical.questionnaires import INSTRUMENTS

# Short names used in error messages, so the message says which question it is about.
SHORT_NAMES = {
    "pain_nrs": "Pain score",
    "odi": "ODI",
    "eq5d5l": "EQ-5D-5L",
    "gad7": "GAD-7",
    "phq9": "PHQ-9",
    "gsos": "Global Subjective Outcome Scale",
    "fft": "Friends and Family Test",
    "readiness": "Readiness to self-manage",
}
# The ODI may be scored with a section left blank; how many is the clinical core's rule, so
# the form lets record_questionnaire judge partly answered ODIs.
SCORED_WITH_GAPS = frozenset({"odi"})
# Short numeric scales read best in a row.
INLINE_INSTRUMENTS = frozenset({"pain_nrs", "odi", "eq5d5l", "readiness"})
NUMBERED_ITEMS = frozenset({"gad7", "phq9"})
NUMBER_ITEMS = frozenset({"eq_vas"})
EQ5D_DIMENSION_LABELS = {code: label for code, _term, label in eq5d.DIMENSIONS}


def item_name(instrument, number, item):
    """How an error message names one question, e.g. "ODI section 4" or "GAD-7 item 2"."""
    if instrument.code == "odi":
        return f"ODI section {number}"
    if instrument.code in NUMBERED_ITEMS:
        return f"{SHORT_NAMES[instrument.code]} item {number}"
    if item.code in EQ5D_DIMENSION_LABELS:
        return f"EQ-5D-5L {EQ5D_DIMENSION_LABELS[item.code]}"
    if item.code == "eq_vas":
        return "EQ VAS"
    return SHORT_NAMES.get(instrument.code, instrument.title)


def field_for(instrument, number, item):
    label = f"{number}. {item.text}" if instrument.code in NUMBERED_ITEMS else item.text
    name = item_name(instrument, number, item)
    if item.code in NUMBER_ITEMS:
        low, high = item.options[0].value, item.options[-1].value
        message = f"{name} must be a whole number from {low} to {high}"
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=low,
            max_value=high,
            help_text=f"A number from {low} to {high}",
            widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
            error_messages={"invalid": message, "min_value": message, "max_value": message},
        )
    if not item.options:
        return forms.CharField(
            label=label, required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
    coerce = int if isinstance(item.options[0].value, int) else str
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[(str(option.value), option.label) for option in item.options],
        coerce=coerce,
        empty_value=None,
        widget=forms.RadioSelect(attrs={"inline": instrument.code in INLINE_INSTRUMENTS}),
        error_messages={"invalid_choice": f"{name}: choose one of the answers shown"},
    )


@dataclass
class Section:
    """One instrument on the page: its fields, and the response if it is already recorded."""

    instrument: object
    field_names: list
    form: object
    recorded: object = None

    @property
    def fields(self):
        return [self.form[name] for name in self.field_names]

    @property
    def placeholder_wording(self):
        return self.instrument.licensed_wording and not self.instrument.wording_installed


class QuestionnaireForm(forms.Form):
    """Every questionnaire of a time point. Each is optional as a whole; a partly answered one
    is an error next to the unanswered questions."""

    def __init__(self, *args, instruments, recorded, timepoint_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.timepoint_label = timepoint_label
        self.sections = []
        self._items = {}
        for code in instruments:
            instrument = INSTRUMENTS[code]
            names = []
            for number, item in enumerate(instrument.items, 1):
                if item.code in self.fields:
                    raise ValueError(f"Two questionnaires share the question code {item.code!r}")
                self.fields[item.code] = field_for(instrument, number, item)
                self._items[item.code] = (instrument, number, item)
                names.append(item.code)
            self.sections.append(Section(instrument, names, self, recorded.get(code)))

    def refresh_recorded(self, recorded):
        for section in self.sections:
            section.recorded = recorded.get(section.instrument.code)

    @staticmethod
    def short_name(code):
        return SHORT_NAMES.get(code, INSTRUMENTS[code].title)

    def _given(self, name):
        """True when something was typed or chosen for this question, valid or not."""
        value = self.data.get(self.add_prefix(name), "")
        return bool(str(value).strip())

    def _scored_names(self, section):
        # The free-text follow-up (FFT comment) is never needed for a score.
        return [name for name in section.field_names if self._items[name][2].options]

    def clean(self):
        cleaned = super().clean()
        attempted = 0
        for section in self.sections:
            if not any(self._given(name) for name in section.field_names):
                continue
            attempted += 1
            if section.recorded is not None:
                self.add_error(
                    None,
                    f"{section.instrument.title} was already recorded for the "
                    f"{self.timepoint_label.lower()} questionnaires on "
                    f"{_day(section.recorded.completed_at)}: it cannot be recorded twice",
                )
                continue
            if section.instrument.code in SCORED_WITH_GAPS:
                continue
            for name in self._scored_names(section):
                if self._given(name):
                    continue
                instrument, number, item = self._items[name]
                action = "enter a number" if item.code in NUMBER_ITEMS else "choose an answer"
                self.add_error(
                    name,
                    f"{item_name(instrument, number, item)}: {action}, "
                    "or leave the whole questionnaire blank",
                )
        if not attempted:
            raise forms.ValidationError(
                "Every questionnaire is blank: record at least one the person has completed"
            )
        return cleaned

    def completed_answers(self):
        """{instrument code: answers} for each attempted questionnaire, in the shape
        pathway.proms.scoring expects. Call after is_valid()."""
        answers = {}
        for section in self.sections:
            if section.recorded is not None or not any(
                self._given(name) for name in section.field_names
            ):
                continue
            values = [self.cleaned_data.get(name) for name in section.field_names]
            answers[section.instrument.code] = answers_shape(section.instrument.code, values)
        return answers

    def add_instrument_error(self, code, message):
        """Show the clinical core's refusal next to the first unanswered question of the
        instrument (or its first question when all were answered)."""
        section = next(section for section in self.sections if section.instrument.code == code)
        names = self._scored_names(section)
        name = next((name for name in names if not self._given(name)), names[0])
        self.add_error(name, message)


def _day(moment):
    return date_format(timezone.localtime(moment), "j F Y")


def answers_shape(code, values):
    if code == "pain_nrs":
        return {"pain": values[0]}
    if code == "odi":
        return {"sections": values}
    if code == "eq5d5l":
        return {"state": values[:-1], "vas": values[-1]}
    if code in {"gad7", "phq9"}:
        return {"items": values}
    if code == "gsos":
        return {"answer": values[0]}
    if code == "fft":
        return {"answer": values[0], "comment": values[1] or ""}
    if code == "readiness":
        return {"score": values[0]}
    raise ValueError(f"No answer shape for questionnaire {code!r}")


def answers_by_item(code, answers):
    """The stored `answers` (as answers_shape made them) as one value for each of the
    instrument's items, in order; None for a question left unanswered."""
    if code == "pain_nrs":
        return [answers.get("pain")]
    if code == "odi":
        return list(answers.get("sections") or [])
    if code == "eq5d5l":
        # A state may have been given as five digits ("21341") or five levels.
        return [int(level) for level in answers.get("state") or ()] + [answers.get("vas")]
    if code in {"gad7", "phq9"}:
        return list(answers.get("items") or [])
    if code == "gsos":
        return [answers.get("answer")]
    if code == "fft":
        return [answers.get("answer"), answers.get("comment") or None]
    if code == "readiness":
        return [answers.get("score")]
    raise ValueError(f"No answer shape for questionnaire {code!r}")
