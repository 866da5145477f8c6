"""Authenticator set-up links: an opaque token of 256 bits, of which only the SHA-256 hash is
stored, emailed by an administrator so that a member of staff can set up an authenticator app.

Binding an app needs the password (to be signed in) and this link (from the person's email): a
stolen password alone cannot bind the thief's app. A link works for one account, once, until
it expires; issuing a new one replaces any earlier link that was not used. Unlike a patient's
link, a refused link says why (expired, used, another account's), because the reader is a
member of staff who has to ask for the right thing.

The URL holds only the token: no username, no email address.
"""

import datetime
import enum
import hashlib
import secrets

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pathway.accounts.models import AuthenticatorSetUpLink

TOKEN_BYTES = 32


class Refusal(enum.Enum):
    """Why a link does not work. The template shows a sentence for each."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    OTHER_ACCOUNT = "other_account"

    @property
    def status(self):
        return {"unknown": 404, "expired": 410, "used": 410, "other_account": 403}[self.value]


def hash_token(token):
    return hashlib.sha256(token.encode("ascii", "ignore")).hexdigest()


def new_token():
    """(raw token, its hash). The raw token goes into one email and is never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def link_url(token):
    return settings.SITE_URL.rstrip("/") + reverse("accounts:set_up_link", args=[token])


def expiry_from_now():
    return timezone.now() + datetime.timedelta(hours=settings.MFA_SET_UP_LINK_HOURS)


def find_link(token):
    """The link for this raw token, used or not, or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return AuthenticatorSetUpLink.objects.filter(token_hash=hash_token(token)).first()


def refusal(link, user=None):
    """None when `link` may set up an app for `user` (None: not signed in yet), else why not."""
    if link is None:
        return Refusal.UNKNOWN
    if user is not None and link.user_id != user.pk:
        return Refusal.OTHER_ACCOUNT
    if link.used_at is not None:
        return Refusal.USED
    if link.expires_at <= timezone.now():
        return Refusal.EXPIRED
    return None


class LinkRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason.name)
        self.reason = reason
