"""Keep patient-link tokens out of logs: any /q/<token> path is written as /q/[link]."""

import logging
import re

PATIENT_LINK = re.compile(r"/q/[A-Za-z0-9_\-]{8,}")


def redact(text):
    return PATIENT_LINK.sub("/q/[link]", text)


class RedactPatientLinks(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        # Django's request loggers attach the request; its path must not leak through either.
        request = getattr(record, "request", None)
        if request is not None and PATIENT_LINK.search(getattr(request, "path", "")):
            record.request = None
        return True
