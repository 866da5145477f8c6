"""The Celery application and the one beat schedule of the service."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathway.settings")

app = Celery("pathway")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the service is listed here and nowhere else.
app.conf.beat_schedule = {
    "heartbeat": {
        "task": "pathway.core.tasks.record_heartbeat",
        # /health judges the heartbeat's age against this interval (pathway/core/health.py).
        "schedule": settings.HEARTBEAT_INTERVAL_SECONDS,
    },
    # Invitations, reminders and appointment messages: due dates live in the database. Two
    # beats started by mistake only sweep twice as often: sending claims each row once.
    "sweep-outbox": {
        "task": "pathway.messaging.tasks.sweep_outbox",
        "schedule": settings.SWEEP_INTERVAL_SECONDS,
    },
    # Questionnaire time points open and close by the clock, and a duty clinician's alert email
    # that did not go is sent. A doubled run finds nothing left to move.
    "sweep-questionnaires": {
        "task": "pathway.proms.tasks.sweep_questionnaires",
        "schedule": settings.SWEEP_INTERVAL_SECONDS,
    },
    # The outcomes page serves these summaries and says when they were computed. Each scope is
    # one row replaced in place, so a late or doubled run is harmless.
    "refresh-outcome-summaries": {
        "task": "pathway.reports.tasks.refresh_outcome_summaries",
        "schedule": 15 * 60.0,
    },
    # Bulk exports past BULK_EXPORT_RETENTION_HOURS deleted with their files, and exports whose
    # task was lost queued again. Deleting twice finds nothing; a doubled queue claims once.
    "sweep-bulk-exports": {
        "task": "pathway.api.tasks.sweep_bulk_exports",
        "schedule": 5 * 60.0,
    },
    # The audit chains' newest hashes into the log: anchors for `verify_audit --anchor`.
    "log-audit-chain-heads": {
        "task": "pathway.audit.tasks.log_audit_chain_heads",
        "schedule": 24 * 60 * 60.0,
    },
}
