"""Session time limits and the second step of signing in, applied to every request."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from pathway.accounts import sessions
from pathway.core.permissions import needs_second_factor

# Pages someone who has given their password but not yet their code may open. Everything
# else is refused until they do (deny by default, so a new staff page is covered at once).
OPEN_BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "health",
    "advice",
    "accounts:second_factor",
    "accounts:set_up_authenticator",
    # The emailed set-up link: it may be opened before signing in, or between the two steps.
    "accounts:set_up_link",
}
# Patients' questionnaire pages: they have their own link and date-of-birth check.
OPEN_NAMESPACES = {"proms"}


def _redirect(request, url, *, with_next):
    if with_next and request.method == "GET" and not request.headers.get("HX-Request"):
        url = f"{url}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        # A redirect would be followed by htmx and its sign-in page swapped into the page.
        return HttpResponseClientRedirect(url)
    return redirect(url)


class SessionTimeoutMiddleware:
    """Signs staff out after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS
    after they signed in, whatever they were doing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            # A session from before these limits existed is treated as starting now.
            signed_in_at = session.setdefault(sessions.SIGNED_IN_AT, now)
            last_seen_at = session.get(sessions.LAST_SEEN_AT, now)
            reason = sessions.expiry_reason(
                signed_in_at=signed_in_at,
                last_seen_at=last_seen_at,
                now=now,
                idle_seconds=settings.SESSION_IDLE_MINUTES * 60,
                absolute_seconds=settings.SESSION_ABSOLUTE_HOURS * 3600,
            )
            if reason:
                logout(request)
                messages.warning(request, sessions.signed_out_message(reason))
                return _redirect(request, resolve_url(settings.LOGIN_URL), with_next=True)
            if now - last_seen_at >= sessions.LAST_SEEN_REFRESH_SECONDS or (
                sessions.LAST_SEEN_AT not in session
            ):
                session[sessions.LAST_SEEN_AT] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Sends anyone who still owes a code to the code page (which sends those without an app
    to set one up)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if OPEN_NAMESPACES.intersection(match.namespaces):
            return None
        if not needs_second_factor(request):
            return None
        return _redirect(request, reverse("accounts:second_factor"), with_next=True)
