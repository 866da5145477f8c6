"""Patient links: an opaque token of 256 bits, of which only the SHA-256 hash is stored.

Every way a link can fail (unknown, malformed, expired, completed, locked, opted out) gives the
same answer, None, so the page a person sees never says which.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pathway.proms.models import PatientLink, PromTimepoint, TimepointState

TOKEN_BYTES = 32


def hash_token(token):
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def create_link(*, timepoint):
    """(raw token, PatientLink). The raw token goes into one message and is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PatientLink.objects.create(
        timepoint=timepoint, token_hash=hash_token(token), expires_at=timepoint.expires_at
    )
    return token, link


def link_url(token):
    return f"{settings.SITE_URL.rstrip('/')}/q/{token}/"


def usable_timepoint(timepoint):
    return (
        timepoint.state == TimepointState.OPEN
        and timepoint.expires_at > timezone.now()
        and timepoint.date_of_birth_failures < settings.PROM_DATE_OF_BIRTH_ATTEMPTS
        and timepoint.episode.patient.prom_opt_out_at is None
        and not timepoint.episode.patient.deceased
    )


def find_link(token):
    """The usable link for this raw token, or None for every kind of failure."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    link = (
        PatientLink.objects.select_related("timepoint__episode__patient", "timepoint__episode")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if link is None or link.expires_at <= timezone.now() or not usable_timepoint(link.timepoint):
        return None
    return link


@transaction.atomic
def check_date_of_birth(*, timepoint, date_of_birth):
    """True when it matches. Each wrong answer counts against the time point's limit."""
    entry = PromTimepoint.objects.select_for_update().select_related("episode__patient")
    entry = entry.get(pk=timepoint.pk)
    if entry.date_of_birth_failures >= settings.PROM_DATE_OF_BIRTH_ATTEMPTS:
        return False
    if date_of_birth == entry.episode.patient.date_of_birth:
        return True
    PromTimepoint.objects.filter(pk=entry.pk).update(
        date_of_birth_failures=F("date_of_birth_failures") + 1
    )
    return False
