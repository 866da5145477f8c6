import uuid

from django.db import models

from pathway.accounts.scoping import ScopedQuerySet
from pathway.organisations.models import GPPractice


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class PatientQuerySet(ScopedQuerySet):
    scope_lookups = {
        "practice": "registered_practice_id",
        "area": "registered_practice__area_id",
        # A provider service sees the people referred to it.
        "service": "episodes__service_id",
    }
    scope_needs_distinct = True


class Patient(models.Model):
    # URLs carry this opaque id, never the NHS number or a sequential id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nhs_number = models.CharField("NHS number", max_length=10, unique=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    postcode = models.CharField(max_length=8)
    mobile = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    consents_to_contact = models.BooleanField(
        default=False,
        help_text="Agreed to be contacted by email or text about questionnaires and appointments.",
    )
    registered_practice = models.ForeignKey(
        GPPractice, on_delete=models.PROTECT, related_name="patients"
    )
    preferred_channel = models.CharField(
        max_length=10, choices=[("email", "Email"), ("sms", "Text message")], default="email"
    )
    # Set when the person asks for no more questionnaire messages; honoured at once.
    prom_opt_out_at = models.DateTimeField(null=True, blank=True)
    deceased = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.CheckConstraint(
                name="patient_nhs_number_is_ten_digits",
                condition=models.Q(nhs_number__regex=r"^[0-9]{10}$"),
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"
