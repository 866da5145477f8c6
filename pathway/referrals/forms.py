"""The GP's STarT Back referral template.

The questions come from pathway.clinical (red flags, exclusions, urgency, STarT Back), so the
form never restates a rule: it collects answers and asks the clinical core what they mean.
Validation is staged like the consultation: a cauda equina flag, or serious pathology the GP
suspects, needs only the patient and the red-flag answers to be recorded; an exclusion needs
the eligibility answers too; a referral needs all.
"""

import re

from crispy_forms.helper import FormHelper
from django import forms
from django.forms.utils import ErrorDict

from pathway.care.models import BodyPart, Priority, ReturnKind
from pathway.clinical import InvalidAnswers, postcode
from pathway.clinical.questionnaires import get as get_instrument
from pathway.clinical.red_flags import RED_FLAGS
from pathway.clinical.referral_rules import EXCLUSIONS, URGENCY_CRITERIA
from pathway.core.forms import NHSDateField, NHSNumberField
from pathway.patients.models import Sex
from pathway.referrals.models import RED_FLAG_JUDGEMENT_CHOICES, SYMPTOM_DURATION_CHOICES

YES_NO = [("yes", "Yes"), ("no", "No")]
AGREE_DISAGREE = [("agree", "Agree"), ("disagree", "Disagree")]

# Exclusions the GP is asked; the others are worked out (age from the date of birth, local
# registration from the practice and the service's area).
ASKED_EXCLUSIONS = tuple(
    e for e in EXCLUSIONS if e.code not in {"under_minimum_age", "not_registered_locally"}
)

DECISION_REFER = "refer"
DECISION_DISCHARGE = "discharge_with_advice"

RED_FLAG_FIELDS = {f"red_flag_{flag.code}": flag for flag in RED_FLAGS}
EXCLUSION_FIELDS = {f"exclusion_{e.code}": e for e in ASKED_EXCLUSIONS}
URGENCY_FIELDS = {f"urgency_{c.code}": c for c in URGENCY_CRITERIA}
STARTBACK = get_instrument("startback")
STARTBACK_FIELDS = {f"startback_{number}": item for number, item in enumerate(STARTBACK.items, 1)}

UK_MOBILE = re.compile(r"^(?:\+44|0)7\d{9}$")


def yes_no(label, *, section, required=True):
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": f"{section}: select yes or no for \u201c{label}\u201d"},
    )


class LoadedFirstChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that looks among rows the view has already loaded before asking the
    database, and remembers what it asked, so checking a choice twice costs one query at most.

    The view holds the GP's own practice and the area's services anyway; only rows that are
    also in the field's queryset may be passed to `remember`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loaded = {}

    def __deepcopy__(self, memo):
        # Each form gets its own copy of the field: never share rows between requests.
        result = super().__deepcopy__(memo)
        result.loaded = {}
        return result

    def remember(self, rows):
        self.loaded.update({str(row.pk): row for row in rows})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = str(getattr(value, "pk", value))
        if key not in self.loaded:
            self.loaded[key] = super().to_python(value)
        return self.loaded[key]


class ReferralForm(forms.Form):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    # --- Patient
    nhs_number = NHSNumberField()
    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the first name"}
    )
    family_name = forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter the last name"}
    )
    date_of_birth = NHSDateField(label="Date of birth", past_only=True)
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": "Select the sex recorded on the GP record"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": "Enter the postcode"},
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}),
    )
    mobile = forms.CharField(
        label="Mobile phone number (optional)",
        required=False,
        max_length=20,
        help_text="For text messages about questionnaires and appointments",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "type": "tel"}),
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    preferred_channel = forms.ChoiceField(
        label="How would they prefer to be contacted?",
        choices=[("email", "Email"), ("sms", "Text message")],
        widget=forms.RadioSelect(attrs={"inline": True}),
        required=False,
    )
    consents_to_contact = forms.BooleanField(
        label="The person agrees to be contacted by text or email about questionnaires and "
        "appointments",
        required=False,
    )
    registered_practice = LoadedFirstChoiceField(
        label="Registered GP practice",
        queryset=None,
        empty_label=None,
        error_messages={"required": "Select the registered GP practice"},
    )

    # --- Presentation
    body_part = forms.ChoiceField(
        label="Where is the main pain?",
        choices=BodyPart.choices,
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": "Select back or neck"},
    )
    limb_symptoms = yes_no("Are there referred symptoms in an arm or leg?", section="Presentation")
    symptom_duration = forms.ChoiceField(
        label="How long has the person had these symptoms?",
        choices=SYMPTOM_DURATION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how long the person has had these symptoms"},
    )
    recurrence = forms.ChoiceField(
        label="Is this the first episode?",
        choices=[("first", "First episode"), ("recurrence", "A recurrence")],
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": "Select first episode or recurrence"},
    )

    # --- Red flags other than cauda equina: asked only when one is found (referrals/refer.html)
    red_flag_judgement = forms.ChoiceField(
        label="Is serious pathology suspected?",
        choices=RED_FLAG_JUDGEMENT_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    red_flag_judgement_reason = forms.CharField(
        label="Your reason",
        help_text="Needed when you do not suspect serious pathology, and when your answer "
        "differs from the recommendation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    # --- Decision
    priority_override = forms.ChoiceField(
        label="Change the priority (optional)",
        choices=[("", "Keep the priority worked out from the answers"), *Priority.choices],
        required=False,
    )
    priority_override_reason = forms.CharField(
        label="Why are you changing the priority?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    service = LoadedFirstChoiceField(
        label="Which service does the person choose?",
        queryset=None,
        required=False,
        widget=forms.RadioSelect,
    )
    return_kind = forms.ChoiceField(
        label="Are these new symptoms, or the same problem persisting since discharge?",
        choices=ReturnKind.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    return_justification = forms.CharField(
        label="Why does care need to re-open within 12 months?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            (DECISION_REFER, "Refer to the Triage and Treat service"),
            (DECISION_DISCHARGE, "Discharge with advice and self-management"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    low_risk_referral_reason = forms.CharField(
        label="Why refer a person at low risk?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args, practices, services, loaded_practices=(), loaded_services=(), **kwargs
    ):
        """`loaded_practices` and `loaded_services`: rows of `practices` and `services` that the
        caller already holds, so validating them needs no query."""
        super().__init__(*args, **kwargs)
        self.fields["registered_practice"].queryset = practices
        self.fields["registered_practice"].remember(loaded_practices)
        self.fields["service"].queryset = services
        self.fields["service"].remember(loaded_services)
        self.fields["service"].label_from_instance = lambda service: service.name
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        for name, flag in RED_FLAG_FIELDS.items():
            self.fields[name] = yes_no(flag.question, section="Red flags")
        for name, exclusion in EXCLUSION_FIELDS.items():
            self.fields[name] = yes_no(exclusion.question, section="Eligibility", required=False)
        for name, criterion in URGENCY_FIELDS.items():
            self.fields[name] = yes_no(criterion.question, section="Urgency", required=False)
        for number, (name, item) in enumerate(STARTBACK_FIELDS.items(), 1):
            choices = (
                AGREE_DISAGREE
                if number < 9
                else [(option.value, option.label) for option in item.options]
            )
            self.fields[name] = forms.ChoiceField(
                label=f"{number}. {item.text}",
                choices=choices,
                widget=forms.RadioSelect(attrs={"inline": number < 9}),
                required=False,
            )

    def registered_practice_or_none(self):
        """The practice chosen so far, or None while none (or none of the offered) is chosen."""
        try:
            return self.fields["registered_practice"].clean(self.data.get("registered_practice"))
        except forms.ValidationError:
            return None

    def without_errors(self):
        """Show what was typed without judging it yet (working out scores, filling details)."""
        self._errors = ErrorDict()
        return self

    # --- Groups of bound fields, in page order, for the template.
    def section(self, names):
        return [self[name] for name in names]

    @property
    def red_flag_fields(self):
        return self.section(RED_FLAG_FIELDS)

    @property
    def exclusion_fields(self):
        return self.section(EXCLUSION_FIELDS)

    @property
    def urgency_fields(self):
        return self.section(URGENCY_FIELDS)

    @property
    def startback_fields(self):
        return self.section(STARTBACK_FIELDS)

    # --- Field cleaning: each error says what to do, in the clinician's words.
    def clean_postcode(self):
        try:
            return postcode.normalise(self.cleaned_data["postcode"])
        except InvalidAnswers as error:
            raise forms.ValidationError(str(error)) from None

    def clean_mobile(self):
        mobile = re.sub(r"[\s()-]", "", self.cleaned_data["mobile"])
        if mobile and not UK_MOBILE.match(mobile):
            raise forms.ValidationError(
                "Enter a UK mobile phone number, like 07700 900 982 or +44 7700 900 982"
            )
        return mobile

    def clean_preferred_channel(self):
        return self.cleaned_data["preferred_channel"] or "email"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("consents_to_contact") and not (
            cleaned.get("mobile") or cleaned.get("email")
        ):
            self.add_error(
                "mobile",
                "Enter a mobile number or email address, or untick the agreement to be contacted",
            )
        if cleaned.get("priority_override") and not cleaned.get("priority_override_reason"):
            self.add_error("priority_override_reason", "Say why you are changing the priority")
        return cleaned

    def answers(self, fields):
        """{code: True/False} for a yes/no section; unanswered questions are left out."""
        return {
            question.code: self.data.get(name) == "yes"
            for name, question in fields.items()
            if self.data.get(name) in {"yes", "no"}
        }

    def startback_answers(self):
        """The nine answers as the clinical core takes them, or None where unanswered."""
        answers = []
        for number, name in enumerate(STARTBACK_FIELDS, 1):
            value = self.data.get(name)
            if number < 9:
                answers.append({"agree": True, "disagree": False}.get(value))
            else:
                # Only one of the field's own options: anything else posted is unanswered,
                # not a value for the clinical core to refuse with a 500.
                options = {str(option) for option, _label in self.fields[name].choices}
                answers.append(value if value and value in options else None)
        return answers

    def require(self, names):
        """Mark each unanswered field in names as missing; True when all were answered."""
        complete = True
        for name in names:
            if not self.data.get(name):
                field = self.fields[name]
                message = field.error_messages.get("required")
                if name in STARTBACK_FIELDS:
                    message = f"STarT Back: answer question {name.rsplit('_', 1)[1]}"
                self.add_error(name, message)
                complete = False
        return complete
