"""The GP's STarT Back referral template.

The questions come from pathway.clinical (red flags, exclusions, urgency, STarT Back), so the
form never restates a rule: it collects answers and asks the clinical core what they mean.
Validation is staged like the consultation: a cauda equina flag, or serious pathology the GP
suspects, needs only the patient and the red-flag answers to be recorded; an exclusion needs
the eligibility answers too; a referral needs all.
"""

import re
from functools import cached_property

from crispy_forms.helper import FormHelper
from django import forms
from django.forms.utils import ErrorDict

from pathway.clinical import InvalidAnswers, postcode
from pathway.clinical.answers import checklist_answers, checklist_contradicts
from pathway.core.forms import NHSDateField, NHSNumberField, RowChoiceField
from pathway.core.vocabulary import SYMPTOM_DURATION_CHOICES, BodyPart, Priority, ReturnKind
from pathway.patients.models import Sex
from pathway.referrals.answers import (
    CHECKLISTS,
    DECISION_DISCHARGE,
    DECISION_REFER,
    NONE_OF_THESE,
    STARTBACK_FIELDS,
    PatientDetails,
    ReferralAnswers,
)
from pathway.referrals.checklist_fields import (
    CHECKLIST_CONTRADICTED,
    CHECKLIST_MISSING,
    CHECKLIST_OF,
    NONE_LABELS,
    YES_NO,
    given_answers,
    ticked,
)
from pathway.referrals.decision import MISSING_DETAILS, MISSING_PRESENTATION
from pathway.referrals.details_summary import ConfirmedDetails, details_of_another_number
from pathway.referrals.models import RED_FLAG_JUDGEMENT_CHOICES

AGREE_DISAGREE = [("agree", "Agree"), ("disagree", "Disagree")]

UK_MOBILE = re.compile(r"^(?:\+44|0)7\d{9}$")


class ReferralForm(ConfirmedDetails, forms.Form):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    # Set by clean(), what to tell the GP when the NHS number changed after "Find this person"
    # filled the details in.
    lookup_mismatch = ""

    # --- Patient
    nhs_number = NHSNumberField()
    given_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": MISSING_DETAILS["given_name"]},
    )
    family_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": MISSING_DETAILS["family_name"]},
    )
    date_of_birth = NHSDateField(label="Date of birth", past_only=True)
    sex = forms.ChoiceField(
        label="Sex",
        choices=Sex.choices,
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": MISSING_DETAILS["sex"]},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        error_messages={"required": MISSING_DETAILS["postcode"]},
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
    registered_practice = RowChoiceField(
        label="Registered GP practice",
        error_messages={"required": MISSING_DETAILS["registered_practice"]},
    )
    # The NHS number whose details "Find this person" filled in (the view sets it). Should the
    # number change afterwards, the details are someone else's: see clean().
    looked_up_nhs_number = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    # --- Presentation
    body_part = forms.ChoiceField(
        label="Where is the main pain?",
        choices=BodyPart.choices,
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": MISSING_PRESENTATION["body_part"]},
    )
    limb_symptoms = forms.ChoiceField(
        label="Are there referred symptoms in an arm or leg?",
        choices=YES_NO,
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": MISSING_PRESENTATION["limb_symptoms"]},
    )
    symptom_duration = forms.ChoiceField(
        label="How long has the person had these symptoms?",
        choices=SYMPTOM_DURATION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": MISSING_PRESENTATION["symptom_duration"]},
    )
    recurrence = forms.ChoiceField(
        label="Is this the first episode?",
        choices=[("first", "First episode"), ("recurrence", "A recurrence")],
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": MISSING_PRESENTATION["recurrence"]},
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
    service = RowChoiceField(
        label="Which service does the person choose?",
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

    def __init__(self, *args, practices, services, usual_service=lambda: None, **kwargs):
        """`practices` and `services`: the rows (already loaded) the referrer chooses from;
        `usual_service`: a function giving the practice's usual service (asked only when a
        page names it)."""
        super().__init__(*args, **kwargs)
        self._usual_service = usual_service
        self.fields["registered_practice"].offer(practices)
        self.fields["service"].offer(services, label=lambda service: service.name)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        for section, fields in CHECKLISTS.items():
            for name, question in fields.items():
                self.fields[name] = ticked(question.question)
            self.fields[NONE_OF_THESE[section]] = forms.BooleanField(
                label=NONE_LABELS[section], required=False
            )
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

    @cached_property
    def usual_service(self):
        return self._usual_service()

    def clean(self):
        cleaned = super().clean()
        looked_up, number = cleaned.get("looked_up_nhs_number"), cleaned.get("nhs_number")
        # Said once: the page that says it no longer carries the looked-up number, so the GP
        # who has checked the details with the person can go on without the lookup.
        if looked_up and number and looked_up != number:
            self.lookup_mismatch = details_of_another_number(looked_up)
            self.add_error("nhs_number", self.lookup_mismatch)
        for section, fields in CHECKLISTS.items():
            none_of_these = cleaned.get(NONE_OF_THESE[section], False)
            if checklist_contradicts(given_answers(cleaned, fields), none_of_these):
                self.add_error(NONE_OF_THESE[section], CHECKLIST_CONTRADICTED[section])
        return cleaned

    def _checklist(self, section):
        """{code: yes/no} for one checklist: every question once anything is ticked."""
        cleaned, fields = self.cleaned_data, CHECKLISTS[section]
        return checklist_answers(
            (question.code for question in fields.values()),
            given_answers(cleaned, fields),
            cleaned.get(NONE_OF_THESE[section], False),
        )

    def answers(self):
        """What was answered, as the rules and the action take it: each answer that is valid,
        whether or not the whole form is (the live panels judge a half-filled template).
        Call after is_valid()."""
        cleaned = self.cleaned_data
        patient = PatientDetails(
            # As typed when it is not a valid number, so the rules can say what is wrong.
            nhs_number=cleaned.get("nhs_number") or self.data.get("nhs_number", "").strip(),
            **{
                name: cleaned.get(name) or default
                for name, default in (
                    ("given_name", ""),
                    ("family_name", ""),
                    ("date_of_birth", None),
                    ("sex", ""),
                    ("postcode", ""),
                    ("mobile", ""),
                    ("email", ""),
                    ("preferred_channel", "email"),
                    ("consents_to_contact", False),
                    ("registered_practice", None),
                )
            },
        )
        yes_no_answer = {"yes": True, "no": False}
        return ReferralAnswers(
            patient=patient,
            submission_key=cleaned.get("submission_key"),
            body_part=cleaned.get("body_part") or None,
            limb_symptoms=yes_no_answer.get(cleaned.get("limb_symptoms")),
            symptom_duration=cleaned.get("symptom_duration") or None,
            recurrence={"first": False, "recurrence": True}.get(cleaned.get("recurrence")),
            red_flags=self._checklist("red_flags"),
            red_flag_judgement=cleaned.get("red_flag_judgement") or None,
            red_flag_judgement_reason=cleaned.get("red_flag_judgement_reason", ""),
            exclusions=self._checklist("exclusions"),
            urgency=self._checklist("urgency"),
            startback=[
                self._startback_answer(number, name)
                for number, name in enumerate(STARTBACK_FIELDS, 1)
            ],
            decision=cleaned.get("decision") or None,
            priority_override=cleaned.get("priority_override") or None,
            priority_override_reason=cleaned.get("priority_override_reason", ""),
            low_risk_referral_reason=cleaned.get("low_risk_referral_reason", ""),
            service=cleaned.get("service"),
            return_kind=cleaned.get("return_kind") or None,
            return_justification=cleaned.get("return_justification", ""),
        )

    def _startback_answer(self, number, name):
        value = self.cleaned_data.get(name) or None
        if number < 9:
            return {"agree": True, "disagree": False}.get(value)
        return value

    def show_problems(self, problems):
        """The rules' problems beside their questions, where the form found none itself."""
        for name, message in problems:
            if name in CHECKLIST_OF:
                # A checklist is one question: its problem is said once, at "None of these".
                section = CHECKLIST_OF[name]
                name, message = NONE_OF_THESE[section], CHECKLIST_MISSING[section]
            if name is None or name not in self.errors:
                self.add_error(name, message)

    def without_errors(self):
        """Show what was typed without judging it yet (working out scores, filling details)."""
        self._errors = ErrorDict()
        return self

    # --- Groups of bound fields, in page order, for the template.
    def section(self, names):
        return [self[name] for name in names]

    def checklist(self, section):
        """What the template needs for one checklist: its "None of these" box, ticked when the
        answers given were all no, and its questions."""
        none_field = self[NONE_OF_THESE[section]]
        names = CHECKLISTS[section]
        given = [self[name].value() for name in names]
        none_ticked = bool(none_field.value()) or (given and all(v == "no" for v in given))
        return {
            "section": section,
            "none": none_field,
            "none_ticked": none_ticked,
            "fields": self.section(names),
        }

    @property
    def red_flag_checklist(self):
        return self.checklist("red_flags")

    @property
    def exclusion_checklist(self):
        return self.checklist("exclusions")

    @property
    def urgency_checklist(self):
        return self.checklist("urgency")

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
