"""Limits on guessing at patient links, per client IP address.

A person's link is a 256-bit token and their date of birth; the limits make guessing either
from one address pointless. Each failed guess adds one to a counter for the client and the
current minute; a client whose counters over the last PROM_GUESS_WINDOW_MINUTES reach the
limit gets the same "link not working" page as every other failure, even for a good link, so
a guesser learns nothing. The counters are rows in the database (the cache may be down, and a
limit that fails open is no limit) keyed by an HMAC of the address, so no raw IP is stored.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac

from pathway.audit.context import client_ip
from pathway.proms.models import GuessCounter, GuessKind


def _limit(kind):
    if kind == GuessKind.TOKEN:
        return settings.PROM_TOKEN_GUESSES_PER_IP
    return settings.PROM_DATE_OF_BIRTH_GUESSES_PER_IP


def _window():
    return timedelta(minutes=settings.PROM_GUESS_WINDOW_MINUTES)


def client_key(request):
    """The client's address as an HMAC keyed with SECRET_KEY: stable, but not reversible by
    anyone reading the table (IPv4 has too few addresses for a plain hash)."""
    address = client_ip(request) or "unknown"
    return salted_hmac("pathway.proms.throttle", address, algorithm="sha256").hexdigest()


def is_blocked(request, kind):
    since = timezone.now() - _window()
    counters = GuessCounter.objects.filter(kind=kind, client=client_key(request), minute__gt=since)
    return (counters.aggregate(total=Sum("count"))["total"] or 0) >= _limit(kind)


def record_failure(request, kind):
    """Count one failed guess from this client (safe when two requests race)."""
    now = timezone.now()
    minute = now.replace(second=0, microsecond=0)
    counter = GuessCounter.objects.filter(kind=kind, client=client_key(request), minute=minute)
    if not counter.update(count=F("count") + 1):
        try:
            with transaction.atomic():
                GuessCounter.objects.create(
                    kind=kind, client=client_key(request), minute=minute, count=1
                )
        except IntegrityError:
            # Another request created this minute's row first.
            counter.update(count=F("count") + 1)
    # Old minutes no longer count: clear them here rather than in a periodic task, so the
    # table stays as small as the number of clients guessing right now.
    GuessCounter.objects.filter(minute__lte=now - _window()).delete()
