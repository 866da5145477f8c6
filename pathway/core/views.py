from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pathway.core import health as health_checks


@require_GET
@never_cache
def health(request):
    database = health_checks.database_state()
    broker = health_checks.broker_state()
    if database == "ok":
        last_heartbeat = health_checks.last_heartbeat_at()
        heartbeat = health_checks.heartbeat_state(last_heartbeat)
    else:
        last_heartbeat, heartbeat = None, health_checks.HEARTBEAT_UNKNOWN
    status = health_checks.service_status(database=database, broker=broker, heartbeat=heartbeat)
    body = {
        "status": status,
        "database": database,
        "broker": broker,
        "heartbeat": heartbeat,
        "last_heartbeat": last_heartbeat.isoformat() if last_heartbeat else None,
    }
    # Anything but "ok" is 503, as it was for a broker that does not answer: an uptime monitor
    # that reads only the status code still sees that messages are not going out.
    return JsonResponse(body, status=200 if status == "ok" else 503)
