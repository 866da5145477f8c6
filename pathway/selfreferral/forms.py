"""The self-referral's questions, in the words of the person answering them.

The questions are the referral's own (the codes of pathway.clinical's red flags, exclusions,
urgency criteria and STarT Back), worded for the person: the answers go through the same rules
as the GP's.
"""

from django import forms

from pathway.clinical import InvalidAnswers, postcode
from pathway.clinical.questionnaires import get as get_instrument
from pathway.clinical.red_flags import RED_FLAGS
from pathway.clinical.referral_rules import URGENCY_CRITERIA
from pathway.clinical.self_referral import (
    PATIENT_EXCLUSION_QUESTIONS,
    PATIENT_QUESTIONS,
    PATIENT_URGENCY_QUESTIONS,
)
from pathway.core.forms import NHSDateField, NHSNumberField
from pathway.core.vocabulary import SYMPTOM_DURATION_CHOICES
from pathway.referrals.answers import ASKED_EXCLUSIONS

YES_NO = [("yes", "Yes"), ("no", "No")]
NONE_OF_THESE = "none"
STARTBACK = get_instrument("startback")


def _radios(label, choices, message, *, inline=False):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect(attrs={"inline": inline}),
        error_messages={"required": message},
    )


def _yes_no(label):
    return _radios(label, YES_NO, "Select yes or no", inline=True)


class IdentityForm(forms.Form):
    nhs_number = NHSNumberField(
        label="Your NHS number",
        error_messages={"required": "Enter your NHS number"},
    )
    date_of_birth = NHSDateField(
        label="Your date of birth",
        past_only=True,
        help_text="For example, 15 3 1984",
        error_messages={"required": "Enter your date of birth"},
    )
    postcode = forms.CharField(
        label="Your postcode",
        max_length=10,
        widget=forms.TextInput(
            attrs={"class": "nhsuk-input--width-10", "autocomplete": "postal-code"}
        ),
        error_messages={"required": "Enter your postcode"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].widget.attrs["autocomplete"] = "bday"

    def clean_postcode(self):
        try:
            return postcode.normalise(self.cleaned_data["postcode"])
        except InvalidAnswers:
            raise forms.ValidationError("Enter a real postcode, like NE1 4LP") from None


class IdentityByNameForm(forms.Form):
    """For someone who does not know their NHS number: found on the national record by name,
    date of birth and postcode together."""

    given_name = forms.CharField(
        label="First name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "spellcheck": "false"}),
        error_messages={"required": "Enter your first name"},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
        error_messages={"required": "Enter your last name"},
    )
    date_of_birth = IdentityForm.base_fields["date_of_birth"]
    postcode = IdentityForm.base_fields["postcode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_of_birth"].widget.attrs["autocomplete"] = "bday"

    clean_postcode = IdentityForm.clean_postcode


class AboutPainForm(forms.Form):
    body_part = _radios(
        "Where is your pain?",
        [("back", "Back"), ("neck", "Neck")],
        "Select back or neck",
    )
    limb_symptoms = _radios(
        "Does the pain, numbness or tingling spread into an arm or a leg?",
        YES_NO,
        "Select yes or no",
        inline=True,
    )
    symptom_duration = _radios(
        "How long have you had this pain?", SYMPTOM_DURATION_CHOICES, "Select how long"
    )
    recurrence = _radios(
        "Have you had this problem before?",
        [("no", "No, this is the first time"), ("yes", "Yes, I have had it before")],
        "Select whether you have had this problem before",
    )

    def answers(self):
        data = self.cleaned_data
        return {
            "body_part": data["body_part"],
            "limb_symptoms": data["limb_symptoms"] == "yes",
            "symptom_duration": data["symptom_duration"],
            "recurrence": data["recurrence"] == "yes",
        }


class RedFlagsForm(forms.Form):
    """Every red flag on one screen, with "None of these" as an answer of its own."""

    symptoms = forms.MultipleChoiceField(
        label="Do you have any of these?",
        choices=[(flag.code, PATIENT_QUESTIONS[flag.code]) for flag in RED_FLAGS]
        + [(NONE_OF_THESE, "None of these")],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select any you have, or select \u2018None of these\u2019"},
    )

    def clean_symptoms(self):
        chosen = self.cleaned_data["symptoms"]
        if NONE_OF_THESE in chosen and len(chosen) > 1:
            raise forms.ValidationError(
                "Select the ones you have, or \u2018None of these\u2019, not both"
            )
        return chosen

    def answers(self):
        chosen = set(self.cleaned_data["symptoms"])
        return {flag.code: flag.code in chosen for flag in RED_FLAGS}


class EligibilityForm(forms.Form):
    def __init__(self, *args, sex, **kwargs):
        super().__init__(*args, **kwargs)
        self.told = {}
        for exclusion in ASKED_EXCLUSIONS:
            if exclusion.code == "pregnant_over_35_weeks" and sex == "male":
                # Not asked of someone the national record says is male.
                self.told[exclusion.code] = False
                continue
            self.fields[exclusion.code] = _yes_no(PATIENT_EXCLUSION_QUESTIONS[exclusion.code])

    def answers(self):
        asked = {name: value == "yes" for name, value in self.cleaned_data.items()}
        return {**self.told, **asked}


class QuestionsForm(forms.Form):
    """How the pain affects you: the urgency questions, then STarT Back as the person reads it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in URGENCY_CRITERIA:
            self.fields[f"urgency_{criterion.code}"] = _yes_no(
                PATIENT_URGENCY_QUESTIONS[criterion.code]
            )
        for number, item in enumerate(STARTBACK.items, 1):
            choices = [(str(option.value), option.label) for option in item.options]
            self.fields[item.code] = _radios(
                f"{number}. {item.text}", choices, f"Choose an answer to statement {number}"
            )

    copyright_notice = STARTBACK.copyright_notice

    @property
    def urgency_fields(self):
        return [self[name] for name in self.fields if name.startswith("urgency_")]

    @property
    def startback_fields(self):
        return [self[name] for name in self.fields if name.startswith("startback_")]

    def answers(self):
        data = self.cleaned_data
        urgency = {c.code: data[f"urgency_{c.code}"] == "yes" for c in URGENCY_CRITERIA}
        startback = [
            {"True": True, "False": False}.get(data[item.code], data[item.code])
            for item in STARTBACK.items
        ]
        return {"urgency": urgency, "startback": startback}


class ContactForm(forms.Form):
    consents_to_contact = _radios(
        "Can the service contact you by text message or email about your appointments and "
        "questionnaires?",
        YES_NO,
        "Select yes or no",
        inline=True,
    )
    preferred_channel = _radios(
        "How would you like to be contacted?",
        [("sms", "Text message"), ("email", "Email")],
        "Select text message or email",
    )
    mobile = forms.CharField(
        label="Mobile phone number",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "class": "nhsuk-input--width-20"}),
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_channel"].required = False

    def clean(self):
        data = super().clean()
        if data.get("consents_to_contact") != "yes":
            return data
        channel = data.get("preferred_channel")
        if not channel:
            self.add_error("preferred_channel", "Select text message or email")
        mobile = "".join((data.get("mobile") or "").split())
        if channel == "sms" and not mobile:
            self.add_error("mobile", "Enter your mobile phone number")
        elif mobile and not (mobile.startswith(("07", "+447")) and mobile.lstrip("+").isdigit()):
            self.add_error("mobile", "Enter a UK mobile number, like 07700 900 982")
        if channel == "email" and not data.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter your email address")
        data["mobile"] = mobile
        return data

    def contact(self):
        data = self.cleaned_data
        if data["consents_to_contact"] != "yes":
            return {"consents_to_contact": False}
        return {
            "consents_to_contact": True,
            "preferred_channel": data["preferred_channel"],
            "mobile": data.get("mobile", ""),
            "email": data.get("email", ""),
        }
