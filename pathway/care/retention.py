"""Retention of records of care: the keep-until date an episode gets at discharge.

The rule itself (years after the end of care, 29 February) is pure and lives in
pathway.clinical.retention; this applies it with the RETENTION_YEARS setting. The review of
what has passed its date reads every app's rows, so it lives on top, in reports.retention.
"""

from django.conf import settings
from django.utils import timezone

from pathway.clinical.retention import retain_until


def retain_until_for(discharged_at):
    """The keep-until date of an episode discharged at `discharged_at` (a datetime)."""
    return retain_until(timezone.localdate(discharged_at), years=settings.RETENTION_YEARS)
