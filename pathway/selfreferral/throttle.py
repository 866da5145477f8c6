"""How often one address, and one NHS number, may try to prove who they are.

Each identity check counts against the client's address and the NHS number typed, in the cache
(Redis) for SELF_REFERRAL_WINDOW_MINUTES. From half the limit a check must wait
SLOW_SECONDS after the one before (slowed); at the limit it is refused until the
window ends. Keys are HMACs, so no address or number is stored. The patient links' counters are
rows in the database (pathway.proms.throttle) because a guessed link opens a record; here a
check reveals nothing on a mismatch, so the cache is enough.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from pathway.proms.throttle import client_key

ALLOWED, SLOWED, REFUSED = "allowed", "slowed", "refused"
SLOW_SECONDS = 30


def _keys(request, number):
    address = f"selfreferral:address:{client_key(request)}"
    keys = [(address, settings.SELF_REFERRAL_CHECKS_PER_ADDRESS)]
    if number:
        hashed = salted_hmac("pathway.selfreferral.throttle", number, algorithm="sha256")
        keys.append(
            (f"selfreferral:number:{hashed.hexdigest()}", settings.SELF_REFERRAL_CHECKS_PER_NUMBER)
        )
    return keys


def verdict(request, number):
    """ALLOWED, SLOWED (try again in a moment) or REFUSED (too many checks for now)."""
    keys = _keys(request, number)
    counts = cache.get_many([f"{key}:count" for key, _ in keys])
    lasts = cache.get_many([f"{key}:last" for key, _ in keys])
    now = time.time()
    slowed = False
    for key, limit in keys:
        count = counts.get(f"{key}:count", 0)
        if count >= limit:
            return REFUSED
        last = lasts.get(f"{key}:last")
        if count >= limit // 2 and last and now - last < SLOW_SECONDS:
            slowed = True
    return SLOWED if slowed else ALLOWED


def count_check(request, number):
    window = settings.SELF_REFERRAL_WINDOW_MINUTES * 60
    now = time.time()
    for key, _limit in _keys(request, number):
        cache.add(f"{key}:count", 0, window)
        try:
            cache.incr(f"{key}:count")
        except ValueError:  # expired between add and incr
            cache.set(f"{key}:count", 1, window)
        cache.set(f"{key}:last", now, window)
