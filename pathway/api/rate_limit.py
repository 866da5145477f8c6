"""Requests per client per minute: API_REQUESTS_PER_MINUTE, then 429 until the minute ends.

The counts are rows in the database, as the patient links' guess counters are
(pathway.proms.throttle): the limit holds across every web process, costs one statement a
request (an upsert that returns the new count), and does not fail open when Redis is down.
A fixed window lets a client make up to twice the limit across a minute's boundary; the limit
is there to stop one client crowding out the others, for which that is close enough.
"""

from django.conf import settings
from django.db import connection
from django.utils import timezone

from pathway.api.models import RequestCount

_TABLE = RequestCount._meta.db_table
# PostgreSQL and SQLite (3.35+) both have INSERT ... ON CONFLICT ... RETURNING. Only the
# model's own table name is formatted in; the values are parameters.
_COUNT_ONE = (
    f"INSERT INTO {_TABLE} (client_id, minute, count) VALUES (%s, %s, 1) "  # noqa: S608  # nosec B608
    f"ON CONFLICT (client_id, minute) DO UPDATE SET count = {_TABLE}.count + 1 RETURNING count"
)


def seconds_to_wait(client):
    """Count one request by `client`: 0 if it is within the limit, else the seconds until the
    next minute starts, for Retry-After."""
    now = timezone.now()
    minute = now.replace(second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_ONE, [client.pk, connection.ops.adapt_datetimefield_value(minute)])
        (count,) = cursor.fetchone()
    if count == 1:
        # The client's first request this minute: its earlier minutes no longer count.
        RequestCount.objects.filter(client=client, minute__lt=minute).delete()
    if count <= settings.API_REQUESTS_PER_MINUTE:
        return 0
    return 60 - now.second
