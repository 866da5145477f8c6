"""Bookkeeping on sign-in, sign-out and deactivation. Connected in AccountsConfig.ready()."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from pathway.accounts import second_factor, sessions
from pathway.accounts.models import User
from pathway.core.permissions import HAS_AUTHENTICATOR


@receiver(user_logged_in)
def start_session_bookkeeping(sender, request, user, **kwargs):
    # Every way in (the sign-in page, the admin's login page, a test's force_login) comes here,
    # so none of them can skip the time limits or the second step.
    now = int(time.time())
    request.session[sessions.SIGNED_IN_AT] = now
    request.session[sessions.LAST_SEEN_AT] = now
    request.session[HAS_AUTHENTICATOR] = second_factor.has_authenticator(user)
    if request.session.session_key is None:
        request.session.save()
    sessions.record_signed_in_session(user=user, session_key=request.session.session_key)


@receiver(user_logged_out)
def forget_ended_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        sessions.forget_session(request.session.session_key)


@receiver(post_save, sender=User)
def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    # However is_active is turned off (admin, a form, the shell), their sessions end now.
    # Django would also refuse the inactive user on their next request; deleting the sessions
    # means nothing is left to refuse. QuerySet.update() bypasses this signal, which is why
    # Django's own inactive check stays as a second line.
    if not instance.is_active:
        sessions.end_sessions_of(instance)
