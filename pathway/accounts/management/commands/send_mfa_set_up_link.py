"""Email a member of staff a one-time link to set up an authenticator app.

The same action as the Django admin's "Send authenticator set-up link", for a first
administrator (who has no one to send them a link) and for local use. The link goes only to
the email address on the account, never to this command's output: whoever reads a deploy log
must not be able to bind an app. Locally, mail is a file under EMAIL_FILE_PATH (var/mail/).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pathway.accounts.actions import SetUpLinkNotSent, send_set_up_link
from pathway.accounts.models import User
from pathway.audit.context import Actor, AuditContext, Channel

COMMAND_ACTOR = Actor(kind="command", name="manage.py send_mfa_set_up_link")
COMMAND_CONTEXT = AuditContext(channel=Channel.COMMAND)


class Command(BaseCommand):
    help = (
        "Email USERNAME a one-time link to set up two-step verification (an authenticator "
        "app). It works once, for MFA_SET_UP_LINK_HOURS, and replaces any earlier link."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username}.")
        try:
            link = send_set_up_link(user=user, by=COMMAND_ACTOR, context=COMMAND_CONTEXT)
        except SetUpLinkNotSent as refused:
            raise CommandError(str(refused)) from refused
        expires = timezone.localtime(link.expires_at)
        self.stdout.write(
            f"Sent a set-up link to {user.email}. It works once, until {expires:%d %B %Y %H:%M}."
        )
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"Local email: the message is a file in {settings.EMAIL_FILE_PATH}")
