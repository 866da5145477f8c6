"""Two-step verification: a 6-digit code from an authenticator app (TOTP, via django-otp).

Signing in with a password is the first step. A member of staff then has to give a code when
they have set up an app, or, when MFA_REQUIRED is on, always (setting one up the first time).
Until they do, the middleware (pathway/accounts/middleware.py) lets them reach only the code
and set-up pages, sign out and the public pages.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.accounts.sessions import end_sessions_of

# Set when they sign in, so the check on every request needs no query.
HAS_AUTHENTICATOR = "accounts_has_authenticator"
AUTHENTICATOR_NAME = "Authenticator app"


def is_verified(user):
    # Right after login() request.user is the bare model, without django-otp's is_verified().
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())


def needs_second_factor(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or is_verified(user):
        return False
    return settings.MFA_REQUIRED or request.session.get(HAS_AUTHENTICATOR, False)


def has_authenticator(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def confirmed_authenticator(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def authenticator_being_set_up(user):
    """The unconfirmed device whose QR code is on the set-up page (one per person, reused so
    reloading the page does not invalidate the code already scanned)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


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
def confirm_authenticator(device):
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Anything half set up before is no longer needed.
    TOTPDevice.objects.filter(user_id=device.user_id, confirmed=False).delete()


@transaction.atomic
def reset_authenticator(user):
    """An administrator's reset (a lost phone): the person sets up an app again next time they
    sign in. Their sessions end too, in case the phone was taken with a session open."""
    TOTPDevice.objects.filter(user=user).delete()
    end_sessions_of(user)
