"""Keep link tokens out of logs: any /q/<token> path (a patient's questionnaire link) is
written as /q/[link], and any staff authenticator set-up link as
/account/authenticator/link/[link]."""

import logging
import re

PATIENT_LINK = re.compile(r"/q/[A-Za-z0-9_\-]{8,}")
SET_UP_LINK = re.compile(r"/account/authenticator/link/[A-Za-z0-9_\-]{8,}")


def redact(text):
    text = PATIENT_LINK.sub("/q/[link]", text)
    return SET_UP_LINK.sub("/account/authenticator/link/[link]", text)


class RedactPatientLinks(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        # Django's request loggers attach the request; its path must not leak through either.
        path = getattr(getattr(record, "request", None), "path", "")
        if redact(path) != path:
            record.request = None
        return True
