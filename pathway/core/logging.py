"""Keep link tokens out of logs. Two URLs carry a secret in their path: a person's questionnaire
link, /q/<token>/, written as /q/[link]/, and a password-reset link,
/account/reset/<uidb64>/<token>/, written as /account/reset/[link]/. This is the one
definition, used by the app's logging (settings.LOGGING) and by gunicorn's access and error
logs (pathway/core/access_log.py, named in gunicorn.conf.py).
"""

import logging
import re

# Each alternative keeps its prefix (group 1 or 2) and loses what follows. /q/ words such as
# /q/confirm/ are shorter than any token; /account/reset/sent/ has no second segment.
LINK_TOKEN = re.compile(r"(/q/)[A-Za-z0-9_\-]{8,}|(/account/reset/)[A-Za-z0-9_\-]+/[A-Za-z0-9_\-]+")


def _keep_prefix(match):
    return f"{match.group(1) or match.group(2)}[link]"


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
