"""Server-Timing for benchmarks: how long the app took and how many SQL queries it ran.

Enabled by the SERVER_TIMING setting (off by default): the benchmark (scripts/bench.py) reads
the header from real HTTP responses, so the figures include middleware, templates and the
database, but not the network. The header carries durations and a count only, nothing about
the request or its data.
"""

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections


class _QueryCounter:
    """An execute_wrapper that counts queries and adds up their time."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def header_value(app_seconds, counter):
    return (
        f"app;dur={app_seconds * 1000:.1f}, "
        f'db;dur={counter.seconds * 1000:.1f};desc="{counter.count} queries"'
    )


class ServerTimingMiddleware:
    def __init__(self, get_response):
        if not getattr(settings, "SERVER_TIMING", False):
            # Django drops the middleware from the chain: no cost when the setting is off.
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        counter = _QueryCounter()
        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
            # A streaming body runs its queries later, outside this count: none of the
            # measured pages stream.
        response["Server-Timing"] = header_value(time.perf_counter() - started, counter)
        return response
