from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pathway.core.models import Heartbeat


@transaction.atomic
def record_heartbeat(*, name="celery"):
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "runs": 1})
    return Heartbeat.objects.get(name=name)
