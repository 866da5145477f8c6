"""Forms for the TTP's steps. They collect answers; the actions decide what is allowed."""

import datetime
import re

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.utils import timezone

from pathway.accounts.models import Role, User
from pathway.care.models import (
    AppointmentMode,
    AppointmentOutcome,
    CPPPDeclineReason,
    CPPPOutcome,
    DischargeReason,
    OnwardDestination,
    TherapyComponent,
    TriageOutcome,
)
from pathway.clinical import dates
from pathway.core.forms import NHSDateField
from pathway.core.vocabulary import SYMPTOM_DURATION_CHOICES

TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


class CareForm(forms.Form):
    @property
    def helper(self):
        # Built when rendered, so a view may drop fields that do not apply first.
        helper = FormHelper(self)
        helper.form_tag = False
        return helper


class BookingForm(CareForm):
    date = NHSDateField(
        label="Date",
        latest=lambda today: today + datetime.timedelta(days=settings.BOOKING_HORIZON_DAYS),
    )
    time = forms.CharField(
        label="Time",
        help_text="24-hour clock, for example 14:30",
        max_length=5,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5"}),
        error_messages={"required": "Enter the time of the appointment"},
    )
    # Half an hour unless the TTP says otherwise (the service's usual first assessment).
    length_minutes = forms.TypedChoiceField(
        label="Length",
        choices=[(minutes, f"{minutes} minutes") for minutes in (15, 20, 30, 45, 60, 90)],
        coerce=int,
        initial=30,
        required=False,
        empty_value=30,
    )
    clinician = forms.ModelChoiceField(
        label="Clinician", queryset=User.objects.none(), empty_label=None
    )
    mode = forms.ChoiceField(
        label="How will the appointment happen?",
        choices=AppointmentMode.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the appointment will happen"},
    )
    location = forms.CharField(
        label="Clinic location (for in-person appointments)", required=False, max_length=200
    )
    recording_past = forms.BooleanField(
        label="I am recording an appointment that has already happened",
        help_text="Only for a contact that took place before it was booked here. No message "
        "is sent to the person.",
        required=False,
    )

    def __init__(self, *args, service, referred_at=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.referred_at = referred_at
        self.fields["clinician"].queryset = User.objects.filter(
            role=Role.TTP, service=service, is_active=True
        ).order_by("last_name")
        self.fields["clinician"].label_from_instance = lambda user: user.get_full_name()

    def clean_time(self):
        match = TIME.match(self.cleaned_data["time"].strip())
        if not match:
            raise forms.ValidationError("Enter a time like 09:30 or 14:00")
        return datetime.time(int(match.group(1)), int(match.group(2)))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == AppointmentMode.IN_PERSON and not cleaned.get("location"):
            self.add_error("location", "Enter the clinic location for an in-person appointment")
        if cleaned.get("date") and cleaned.get("time"):
            starts_at = timezone.make_aware(
                datetime.datetime.combine(cleaned["date"], cleaned["time"])
            )
            # The action checks the same rule again; here the message goes beside the date.
            problem = dates.appointment_time_problem(
                starts_at,
                timezone.now(),
                horizon_days=settings.BOOKING_HORIZON_DAYS,
                recording_past=cleaned.get("recording_past", False),
                referred_at=self.referred_at,
            )
            if problem:
                self.add_error("date", problem)
            cleaned["starts_at"] = starts_at
        return cleaned


class OutcomeForm(CareForm):
    outcome = forms.ChoiceField(
        label="What happened?",
        choices=AppointmentOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened at the appointment"},
    )
    dna_exception_reason = forms.CharField(
        label="Exception to the did-not-attend policy (optional)",
        help_text="For example a vulnerable patient who should not be discharged. Leave blank "
        "to follow the policy.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    session_components = forms.MultipleChoiceField(
        label="Core therapy given at this session",
        choices=TherapyComponent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    session_notes = forms.CharField(
        label="Session notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TriageForm(CareForm):
    outcome = forms.ChoiceField(
        label="Triage decision",
        choices=TriageOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the triage decision"},
    )
    symptom_duration = forms.ChoiceField(
        label="How long has the person had these symptoms?",
        choices=SYMPTOM_DURATION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how long the person has had symptoms"},
    )
    assessment_notes = forms.CharField(
        label="Assessment notes", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    planned_sessions = forms.IntegerField(
        label="Planned sessions (core therapy)",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-2"}),
    )
    onward_destination = forms.ChoiceField(
        label="Referred on to (onward referral)",
        choices=[("", "Choose where"), *OnwardDestination.choices],
        required=False,
    )
    onward_reason = forms.CharField(
        label="Reason for the onward referral",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    onward_sent_on = NHSDateField(
        label="Date the onward referral was sent", required=False, not_future=True
    )

    def __init__(self, *args, max_sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_sessions = max_sessions
        self.fields["planned_sessions"].help_text = f"Up to {max_sessions} for this service"

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        planned = cleaned.get("planned_sessions")
        if outcome == TriageOutcome.CORE_THERAPY and not planned:
            self.add_error("planned_sessions", "Enter how many sessions are planned")
        elif planned and planned > self.max_sessions:
            self.add_error(
                "planned_sessions", f"The service allows up to {self.max_sessions} sessions"
            )
        if outcome == TriageOutcome.ONWARD_REFERRAL:
            require_onward_details(self)
        return cleaned


def require_onward_details(form):
    for name, message in (
        ("onward_destination", "Choose where the person is referred on to"),
        ("onward_reason", "Give the reason for the onward referral"),
        ("onward_sent_on", "Enter the date the onward referral was sent"),
    ):
        if not form.cleaned_data.get(name) and name not in form.errors:
            form.add_error(name, message)


class CPPPOutcomeForm(CareForm):
    outcome = forms.ChoiceField(
        label="Did the person join the CPPP?",
        choices=CPPPOutcome.choices,
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": "Choose joined or declined"},
    )
    decline_reason = forms.ChoiceField(
        label="Why did they decline?",
        choices=[("", "Choose a reason"), *CPPPDeclineReason.choices],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("outcome") == CPPPOutcome.DECLINED and not cleaned.get("decline_reason"):
            self.add_error("decline_reason", "Choose why the person declined")
        return cleaned


DISCHARGE_CHOICES = [
    (value, label) for value, label in DischargeReason.choices if value != DischargeReason.SAME_DAY
]


class DischargeForm(CareForm):
    reason = forms.ChoiceField(
        label="Reason for discharge",
        choices=DISCHARGE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the reason for discharge"},
    )
    onward_destination = TriageForm.base_fields["onward_destination"]
    onward_reason = TriageForm.base_fields["onward_reason"]
    onward_sent_on = TriageForm.base_fields["onward_sent_on"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == DischargeReason.REFERRED_ON:
            require_onward_details(self)
        return cleaned


class ReasonForm(CareForm):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason"},
    )
