"""Reference points measured in-process: the waiting list's own query through Django's admin
changelist and as bare SQL, and the reminder sweep (select and enqueue due invitations).

The admin and SQL figures exclude the middleware and the network, which the page's
Server-Timing includes; they are what the page's data costs without the page.
"""

import base64
import datetime
import importlib
import json
import time

from benchmarks.measure import summarise


def _waiting_queryset(manager):
    from pathway.reports import waiting_queries
    from pathway.reports.scope import ReportScope, manager_services

    services = tuple(manager_services(manager))
    service = services[0] if len(services) == 1 else None
    scope = ReportScope(datetime.date.min, datetime.date.max, service, services)
    # The page's own list query (waiting_queries._waiting), unfiltered, as the page runs it.
    return waiting_queries._waiting(waiting_queries.filtered_episodes(manager, scope, {}))


def _timed(function, *, count, warmup):
    from django.db import connection

    samples = []
    for number in range(warmup + count):
        queries = []

        def counted(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(counted):
            function()
        elapsed = (time.perf_counter() - started) * 1000
        if number >= warmup:
            samples.append((elapsed, 0.0, len(queries)))
    return summarise(samples)


def admin_changelist(manager, *, count, warmup):
    """The same rows, ordering and page size through a ModelAdmin changelist (rendered)."""
    from django.conf import settings
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory
    from django.urls import clear_url_caches

    from pathway.care.models import Episode
    from pathway.reports import waiting_queries

    class WaitingListAdmin(admin.ModelAdmin):
        list_display = ("public_id", "state", "priority", "clock_started_on", "service")
        list_select_related = ("patient", "service", "referral__practice")
        list_per_page = waiting_queries.PAGE_SIZE
        actions = None

        def get_queryset(self, request):
            return _waiting_queryset(manager)

    # Registered in this process only (the service has no admin page for episodes), with the
    # URLs rebuilt so the changelist's breadcrumbs resolve.
    if not admin.site.is_registered(Episode):
        admin.site.register(Episode, WaitingListAdmin)
        importlib.reload(importlib.import_module(settings.ROOT_URLCONF))
        clear_url_caches()
    model_admin = admin.site.get_model_admin(Episode)
    superuser = get_user_model()(username="bench-admin", is_superuser=True, is_staff=True)

    def render():
        request = RequestFactory().get("/admin/care/episode/")
        request.user = superuser
        request.session = {}
        request._messages = FallbackStorage(request)
        response = model_admin.changelist_view(request)
        response.render()
        assert response.status_code == 200

    return _timed(render, count=count, warmup=warmup)


def bare_sql(manager, *, count, warmup):
    """The page's list query (the first page of rows, in the page's order) through a cursor."""
    from django.db import connection

    from pathway.reports import waiting_queries

    queryset = _waiting_queryset(manager)[: waiting_queries.PAGE_SIZE]
    sql, params = queryset.query.sql_with_params()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return _timed(run, count=count, warmup=warmup)


def reminder_sweep(count):
    """Write `count` due invitations, run the real outbox sweep once and time it; then check
    the broker's queue holds each of them exactly once and a second sweep adds none."""
    import redis
    from django.conf import settings
    from django.db import transaction

    from pathway.care.models import Episode
    from pathway.messaging import tasks
    from pathway.messaging.models import Channel, MessageKind, OutboundMessage

    queue = redis.Redis.from_url(settings.REDIS_URL)
    queue.delete("celery")  # the bench's own Redis database: its queue starts empty
    episode = Episode.objects.select_related("patient").order_by("pk").first()
    run = datetime.datetime.now().strftime("%Y%m%d%H%M%S")
    long_ago = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    OutboundMessage.objects.bulk_create(
        (
            OutboundMessage(
                key=f"bench-sweep:{run}:{number}",
                patient=episode.patient,
                episode=episode,
                kind=MessageKind.PROM_INVITATION,
                channel=Channel.EMAIL,
                # Older than anything real, so the sweep takes these first.
                due_at=long_ago,
            )
            for number in range(count)
        ),
        batch_size=5000,
    )
    mine = set(
        OutboundMessage.objects.filter(key__startswith=f"bench-sweep:{run}:").values_list(
            "pk", flat=True
        )
    )
    try:
        started = time.perf_counter()
        with transaction.atomic():
            tasks.sweep_outbox(limit=count)
        seconds = time.perf_counter() - started
        queued = _queued_message_ids(queue)
        again = tasks.sweep_outbox(limit=count)
        requeued = _queued_message_ids(queue)[len(queued) :]
    finally:
        queue.delete("celery")
        OutboundMessage.objects.filter(pk__in=mine).delete()
    ours = [pk for pk in queued if pk in mine]
    return {
        "invitations": count,
        "seconds": round(seconds, 2),
        "per_s": round(count / seconds),
        "queued": len(ours),
        "duplicates": len(ours) - len(set(ours)),
        "missing": len(mine - set(ours)),
        "requeued_by_second_sweep": sum(1 for pk in requeued if pk in mine),
        "second_sweep_queued": again,
    }


def _queued_message_ids(queue):
    """The message ids of the send_messages tasks waiting in the Celery queue, oldest first
    (each task carries a chunk of ids)."""
    ids = []
    for raw in reversed(queue.lrange("celery", 0, -1)):  # LPUSH: the newest is first
        envelope = json.loads(raw)
        if not envelope["headers"]["task"].endswith("send_messages"):
            continue
        args, _kwargs, _embed = json.loads(base64.b64decode(envelope["body"]))
        ids.extend(args[0])
    return ids
