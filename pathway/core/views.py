from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from pathway.accounts.navigation import home_url_name
from pathway.core import health as health_checks


@require_GET
@never_cache
def health(request):
    database = health_checks.database_state()
    broker = health_checks.broker_state()
    healthy = database == "ok" and broker != "unavailable"
    body = {
        "status": "ok" if healthy else "unavailable",
        "database": database,
        "broker": broker,
        "last_heartbeat": health_checks.last_heartbeat(),
    }
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
def home(request):
    return redirect(home_url_name(request.user))
