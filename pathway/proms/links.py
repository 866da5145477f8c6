"""Patient links: an opaque token of 256 bits, of which only the SHA-256 hash is stored.

Every way a link can fail (unknown, malformed, expired, completed, locked, opted out) gives the
same answer, None, so the page a person sees never says which. One case is told apart: a real
link whose time point's window has closed, so the person is told kindly that the time for
these questionnaires has passed (a page naming no service and no person).
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pathway.proms.models import PatientLink, PromTimepoint
from pathway.proms.windows import accepts_answers, window_has_closed

TOKEN_BYTES = 32


def hash_token(token):
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def create_link(*, timepoint):
    """(raw token, PatientLink). The raw token goes into one message and is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PatientLink.objects.create(
        timepoint=timepoint, token_hash=hash_token(token), expires_at=link_expiry(timepoint)
    )
    return token, link


def link_expiry(timepoint, now=None):
    """A link works PROM_LINK_EXPIRY_DAYS from when it is made, and never past its window."""
    expires = (now or timezone.now()) + datetime.timedelta(days=settings.PROM_LINK_EXPIRY_DAYS)
    if timepoint.closes_at is not None:
        return min(expires, timepoint.closes_at)
    return expires


def link_url(token):
    return f"{settings.SITE_URL.rstrip('/')}/q/{token}/"


def _may_be_shown(timepoint):
    return (
        timepoint.date_of_birth_failures < settings.PROM_DATE_OF_BIRTH_ATTEMPTS
        and timepoint.episode.patient.prom_opt_out_at is None
        and not timepoint.episode.patient.deceased
    )


def usable_timepoint(timepoint):
    """Answers can be given to it now, from a link (and messages inviting to it are wanted)."""
    return accepts_answers(timepoint) and _may_be_shown(timepoint)


def closed_timepoint(timepoint):
    """Its window closed before it was answered: the link says so, kindly."""
    return window_has_closed(timepoint) and _may_be_shown(timepoint)


USABLE = "usable"
CLOSED = "closed"


def link_status(link):
    """USABLE, CLOSED (the window has passed) or None (not working, for every other reason)."""
    if link is None:
        return None
    if closed_timepoint(link.timepoint):
        return CLOSED
    if link.expires_at > timezone.now() and usable_timepoint(link.timepoint):
        return USABLE
    return None


def find_link(token):
    """The link for this raw token if it is usable or closed (link_status), else None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    link = (
        PatientLink.objects.select_related("timepoint__episode__patient", "timepoint__episode")
        .filter(token_hash=hash_token(token))
        .first()
    )
    return link if link_status(link) else None


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
