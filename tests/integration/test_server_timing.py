"""The benchmark's Server-Timing header: on only when asked for, with the real query count."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

HEADER = re.compile(r'^app;dur=[\d.]+, db;dur=[\d.]+;desc="(\d+) queries"$')


def test_header_counts_the_requests_queries_when_enabled(settings, gp):
    settings.SERVER_TIMING = True
    client = Client()  # middleware is loaded by a client's first request
    client.force_login(gp)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/gp/")

    match = HEADER.match(response["Server-Timing"])
    assert match, response["Server-Timing"]
    assert int(match.group(1)) == len(queries)


def test_no_header_by_default(gp):
    client = Client()
    client.force_login(gp)

    assert "Server-Timing" not in client.get("/gp/")
