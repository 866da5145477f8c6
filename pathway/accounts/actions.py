"""Changes to a member of staff's two-step verification: each atomic, each audited.

The Django admin's action, the management command and the set-up page call these; none of
them writes the rows itself.
"""

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.accounts import second_factor, set_up_links
from pathway.accounts.models import AuthenticatorSetUpLink, User
from pathway.audit.actions import record_event
from pathway.audit.models import AuditAction

SET_UP_LINK_SUBJECT = "Set up two-step verification for the back pain pathway service"


class SetUpLinkNotSent(Exception):
    """Why no link went out, in words for the administrator."""


@transaction.atomic
def send_set_up_link(*, user, by, context):
    """Email `user` a new one-time link to set up an authenticator app; earlier unused links
    stop working. `by` is the administrator, or the command's Actor. Returns the link.

    The email is sent inside the transaction: if the mail server refuses it, no link is saved
    and the earlier link (if any) still works.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    refused = f"No link sent to {user.username}:"
    if not user.is_active:
        raise SetUpLinkNotSent(f"{refused} the account is not active. Reactivate it first.")
    if not user.email:
        raise SetUpLinkNotSent(f"{refused} the account has no email address. Add one first.")
    if second_factor.has_authenticator(user):
        raise SetUpLinkNotSent(
            f"{refused} they already have an authenticator app. If they have lost it, reset "
            "their two-step verification first."
        )
    AuthenticatorSetUpLink.objects.filter(user=user, used_at__isnull=True).delete()
    token, token_hash = set_up_links.new_token()
    link = AuthenticatorSetUpLink.objects.create(
        user=user, token_hash=token_hash, expires_at=set_up_links.expiry_from_now()
    )
    record_event(by=by, context=context, action=AuditAction.CREATE, obj=link)
    body = render_to_string(
        "accounts/email/set_up_link.txt",
        {"url": set_up_links.link_url(token), "expires_at": link.expires_at},
    )
    try:
        send_mail(
            SET_UP_LINK_SUBJECT,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
            fail_silently=False,
        )
    except (smtplib.SMTPException, OSError) as error:
        raise SetUpLinkNotSent(
            f"{refused} the email could not be sent ({type(error).__name__}). Try again later."
        ) from error
    return link


@transaction.atomic
def confirm_authenticator(*, device, link_id, context):
    """Turn on the app whose code was just checked. With MFA_REQUIRED that needs a set-up link
    of the device's owner that is still unused and in date; the link is used up here.

    Raises set_up_links.LinkRefused when it is not (another session used it a moment ago, or it
    expired while the page was open).
    """
    user = device.user
    if link_id is not None or settings.MFA_REQUIRED:
        link = AuthenticatorSetUpLink.objects.select_for_update().filter(pk=link_id).first()
        reason = set_up_links.refusal(link, user)
        if reason is not None:
            raise set_up_links.LinkRefused(reason)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Anything half set up before is no longer needed.
    TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).delete()
    record_event(by=user, context=context, action=AuditAction.CREATE, obj=device)
    return device
