from crispy_forms.helper import FormHelper
from django import forms

from pathway.clinical import InvalidAnswers, nhs_number


class AuditSearchForm(forms.Form):
    # Posted, never in the query string: a patient identifier must not reach URLs or logs.
    nhs_number = forms.CharField(
        label="NHS number",
        help_text="10 digits, for example 999 123 4567",
        max_length=20,
        widget=forms.TextInput(
            attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={"required": "Enter the NHS number"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False

    def clean_nhs_number(self):
        try:
            return nhs_number.normalise(self.cleaned_data["nhs_number"])
        except InvalidAnswers as error:
            raise forms.ValidationError(str(error)) from None
