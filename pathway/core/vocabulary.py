"""The words the apps share: what a referral and an episode are about, and how urgent.

Defined once, low down, so that referrals, care, proms and reports all import them from here
and none of them needs another's models for a choice list. Only the stored codes and their
labels live here; the rules that produce them are in pathway.clinical.
"""

from django.db import models

from pathway.clinical.referral_rules import SYMPTOM_DURATION_GROUPS


class BodyPart(models.TextChoices):
    BACK = "back", "Back"
    NECK = "neck", "Neck"


class Priority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    STANDARD = "standard", "Standard"


class ReturnKind(models.TextChoices):
    NEW_SYMPTOMS = "new_symptoms", "New symptoms (a recurrence)"
    PERSISTING = "persisting", "The same problem, persisting since discharge"


# The reports' groups, defined once in the clinical core.
SYMPTOM_DURATION_CHOICES = [(code, label) for code, label, _ in SYMPTOM_DURATION_GROUPS]
