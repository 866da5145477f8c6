"""gunicorn's settings for the web process (the Procfile's `web` line names this file).

Workers, port and timeouts stay on the Procfile's command line. The access log is off unless a
deployment turns it on (`--access-logfile -`, or GUNICORN_CMD_ARGS): when it is on, this logger
writes patient-link and password-reset tokens as [link], in the access log and the error log.
"""

logger_class = "pathway.core.access_log.RedactingLogger"
