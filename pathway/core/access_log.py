"""gunicorn's logger for the web process: its access log and error log never hold a link token.

gunicorn writes the request line, and headers such as the Referer, before Django sees the
request, so the app's own log filter cannot reach them. This logger class (gunicorn.conf.py's
`logger_class`) puts the same filter, with the one definition of what a token looks like
(pathway.core.logging.redact), on both of gunicorn's loggers. It applies whatever
`access_log_format` a deployment chooses, to every atom of it, and whether the access log goes
to a file, standard output or syslog.
"""

from gunicorn.glogging import Logger

from pathway.core.logging import RedactPatientLinks

# One instance: gunicorn runs setup() again on each reload, and addFilter ignores a filter it
# already has, so filters do not pile up.
_REDACT_LINKS = RedactPatientLinks()


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(_REDACT_LINKS)
