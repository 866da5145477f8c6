"""Keep link tokens out of logs. Three URLs carry a secret in their path: a person's
questionnaire link, /q/<token>/, written as /q/[link]/; a password-reset link,
/account/reset/<uidb64>/<token>/, written as /account/reset/[link]/; and a staff
authenticator set-up link, /account/authenticator/link/<token>/, written as
/account/authenticator/link/[link]/. This is the one
definition, used by the app's logging (settings.LOGGING) and by gunicorn's access and error
logs (pathway/core/access_log.py, named in gunicorn.conf.py).
"""

import logging
import re

# Each alternative keeps its prefix (a group) and loses what follows. /q/ words such as
# /q/confirm/ are shorter than any token; /account/reset/sent/ has no second segment.
LINK_TOKEN = re.compile(
    r"(/q/)[A-Za-z0-9_\-]{8,}"
    r"|(/account/reset/)[A-Za-z0-9_\-]+/[A-Za-z0-9_\-]+"
    r"|(/account/authenticator/link/)[A-Za-z0-9_\-]{8,}"
)


def _keep_prefix(match):
    return f"{next(group for group in match.groups() if group)}[link]"


def redact(text):
    return LINK_TOKEN.sub(_keep_prefix, text)


class RedactPatientLinks(logging.Filter):
    """Rewrites a record's message through `redact` (patient links and password-reset links)."""

    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        # Django's request loggers attach the request; its path must not leak through either.
        request = getattr(record, "request", None)
        if request is not None and LINK_TOKEN.search(getattr(request, "path", "")):
            record.request = None
        return True
