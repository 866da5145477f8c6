from crispy_forms.helper import FormHelper
from django import forms

from pathway.core.forms import NHSNumberField


class AuditSearchForm(forms.Form):
    # Posted, never in the query string: a patient identifier must not reach URLs or logs.
    nhs_number = NHSNumberField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
