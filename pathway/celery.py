"""The Celery application and the one beat schedule of the service."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pathway.settings")

app = Celery("pathway")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job of the service is listed here and nowhere else.
app.conf.beat_schedule = {
    "heartbeat": {
        "task": "pathway.core.tasks.record_heartbeat",
        "schedule": 60.0,
    },
    # Invitations, reminders and appointment messages: due dates live in the database.
    "sweep-outbox": {
        "task": "pathway.messaging.tasks.sweep_outbox",
        "schedule": 60.0,
    },
}
