"""Two-step verification: a 6-digit code from an authenticator app (TOTP, via django-otp).

Signing in with a password is the first step. A member of staff then has to give a code when
they have set up an app, or, when MFA_REQUIRED is on, always: `needs_second_factor` in
pathway/core/permissions.py, which every staff page asks. Until they do, the middleware
(pathway/accounts/middleware.py) lets them reach only the code and set-up pages, sign out and
the public pages. With MFA_REQUIRED on, someone without an app sets one up only with a set-up
link from their administrator (pathway/accounts/set_up_links.py): the password alone never
shows a secret.
"""

from base64 import b32encode

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from pathway.accounts.sessions import end_sessions_of

PENDING_SET_UP = "accounts_pending_authenticator"
AUTHENTICATOR_NAME = "Authenticator app"


def has_authenticator(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def confirmed_authenticator(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def begin_set_up(session, *, user_id, link_id):
    """Keep a new secret in the session for the set-up page to show, with the set-up link it
    came from (None when MFA is optional and the person started it from their account page).

    The secret lives in the session until a code from it is given, so showing the page writes
    nothing, and reloading it shows the same secret (the one already scanned).
    """
    session[PENDING_SET_UP] = {"user_id": user_id, "link_id": link_id, "key": random_hex(20)}


def pending_set_up(session):
    """{"user_id", "link_id", "key"} or None."""
    return session.get(PENDING_SET_UP)


def end_set_up(session):
    session.pop(PENDING_SET_UP, None)


def device_for_display(user, key):
    """The app's details for the QR code and the typed key; not saved."""
    return TOTPDevice(user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=False)


def device_being_checked(user, key):
    """The unconfirmed device that a code is checked against, saved on the first POST so that
    django-otp counts wrong codes (and makes each one wait longer) across attempts."""
    device = TOTPDevice.objects.filter(user=user, key=key, confirmed=False).first()
    return device or TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, key=key, confirmed=False
    )


def qr_code_data_uri(device):
    # An <img> with a data: URI: the Content-Security-Policy allows data: images, while inline
    # SVG would need care never to carry a style attribute. Dark on white for every reader.
    return segno.make(device.config_url, error="m").svg_data_uri(
        scale=5, dark="#000000", light="#ffffff"
    )


def secret_for_typing(device):
    """The key as apps ask for it when typed: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def reset_authenticator(user):
    """An administrator's reset (a lost phone): the person sets up an app again next time they
    sign in. Their sessions end too, in case the phone was taken with a session open."""
    TOTPDevice.objects.filter(user=user).delete()
    end_sessions_of(user)
