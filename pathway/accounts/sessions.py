"""Staff sessions: the idle and absolute time limits, and ending someone's sessions at once.

The time limits are a pure function of three timestamps, so the rule is tested without a
clock; the middleware (pathway/accounts/middleware.py) applies it on each request.
"""

from importlib import import_module

from django.conf import settings

from pathway.accounts.models import SignedInSession

# Seconds since the epoch, kept in the session (JSON-serialisable, timezone-free).
SIGNED_IN_AT = "accounts_signed_in_at"
LAST_SEEN_AT = "accounts_last_seen_at"
# The last-seen stamp is refreshed at most this often, so a busy page does not write its
# session row on every request; the idle limit is therefore exact to within this much.
LAST_SEEN_REFRESH_SECONDS = 60

IDLE = "idle"
ABSOLUTE = "absolute"


def expiry_reason(*, signed_in_at, last_seen_at, now, idle_seconds, absolute_seconds):
    """IDLE, ABSOLUTE or None. The absolute limit wins when both have passed."""
    if now - signed_in_at >= absolute_seconds:
        return ABSOLUTE
    if now - last_seen_at >= idle_seconds:
        return IDLE
    return None


def signed_out_message(reason):
    if reason == ABSOLUTE:
        hours = settings.SESSION_ABSOLUTE_HOURS
        return (
            f"You were signed out because you had been signed in for {hours} hours. "
            "Sign in again to carry on."
        )
    minutes = settings.SESSION_IDLE_MINUTES
    return (
        f"You were signed out because you had not used the service for {minutes} minutes. "
        "Sign in again to carry on."
    )


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore()


def record_signed_in_session(*, user, session_key):
    """Remember this session as `user`'s, dropping rows whose sessions have since expired."""
    store = _session_store()
    stale = [
        row.pk
        for row in SignedInSession.objects.filter(user=user).exclude(session_key=session_key)
        if not store.exists(row.session_key)
    ]
    if stale:
        SignedInSession.objects.filter(pk__in=stale).delete()
    SignedInSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def forget_session(session_key):
    if session_key:
        SignedInSession.objects.filter(session_key=session_key).delete()


def end_sessions_of(user):
    """Delete every session `user` signed in with; their next request is signed out."""
    keys = list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store.delete(key)
    SignedInSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def renew_session_key(request):
    """Give the signed-in session a new key, keeping its contents, and keep the map of sessions
    current so that deactivation still finds it.

    Called when the second step is passed: a session key that anyone could have seen or planted
    before then (session fixation) is worth nothing after it.
    """
    old_key = request.session.session_key
    request.session.cycle_key()
    forget_session(old_key)
    record_signed_in_session(user=request.user, session_key=request.session.session_key)
