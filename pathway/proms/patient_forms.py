"""Forms a person fills in from their questionnaire link: their date of birth, then one
questionnaire per page.

Question fields come from the clinician's form builder (pathway.proms.forms), so a patient's
answers have exactly the values the scorer accepts.
"""

from django import forms

from pathway.core.forms import NHSDateField
from pathway.proms.forms import NUMBER_ITEMS, SCORED_WITH_GAPS, answers_shape, field_for


class DateOfBirthForm(forms.Form):
    date_of_birth = NHSDateField(
        label="Date of birth",
        past_only=True,
        help_text="For example, 15 3 1984",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].widget.attrs["autocomplete"] = "bday"


class PatientQuestionnaireForm(forms.Form):
    """One questionnaire. Every scored question must be answered, except in the ODI, where
    the clinical core decides how many sections may be left blank."""

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, item in enumerate(instrument.items, 1):
            field = field_for(instrument, number, item)
            # Stacked radios give each answer a full-width touch target on a phone.
            field.widget.attrs["inline"] = False
            if item.options and instrument.code not in SCORED_WITH_GAPS:
                field.required = True
                field.error_messages["required"] = _required_message(instrument, number, item)
            self.fields[item.code] = field

    @property
    def placeholder_wording(self):
        return self.instrument.licensed_wording and not self.instrument.wording_installed

    def answers(self):
        """The answers in the shape pathway.proms.scoring expects. Call after is_valid()."""
        values = [self.cleaned_data.get(item.code) for item in self.instrument.items]
        return answers_shape(self.instrument.code, values)

    def add_answers_error(self, message):
        """Show the clinical core's refusal by the first unanswered question (or the first
        question when every one was answered)."""
        scored = [item.code for item in self.instrument.items if item.options]
        unanswered = [name for name in scored if self.cleaned_data.get(name) is None]
        self.add_error((unanswered or scored)[0], message)


def _required_message(instrument, number, item):
    if item.code in NUMBER_ITEMS:
        low, high = item.options[0].value, item.options[-1].value
        return f"Enter a number from {low} to {high}"
    if len(instrument.items) == 1 or not instrument.items[1].options:
        return "Choose an answer"
    return f"Choose an answer to question {number}"
