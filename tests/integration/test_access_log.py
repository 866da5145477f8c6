"""gunicorn's access log, turned on as a deployment would, never holds a link token.

A real gunicorn, started with the repository's gunicorn.conf.py as the Procfile starts it,
serves requests for a patient's questionnaire link and a password-reset
link (and a page whose Referer is a patient link); its access log file must show that the
requests happened and must not show any token.
"""

import http.client
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fault_services import wait_until
from tests.services import subprocess_environment
from tests.smtp import LOOPBACK, free_port

ROOT = Path(__file__).resolve().parents[2]
HOST = "pathway.example.nhs.uk"
PATIENT_TOKEN = secrets.token_urlsafe(32)  # shaped like a real link's token
RESET_UID, RESET_TOKEN = "MQ", "cn3xk2-0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="module")
def logged_server(tmp_path_factory):
    """(port, access log path, error log path) of gunicorn with the access log on."""
    scratch = tmp_path_factory.mktemp("access-log")
    # DEBUG on spares a collectstatic (half a minute): the access log is gunicorn's, written
    # the same way whatever Django's settings (test_production_headers.py runs DEBUG off).
    env = subprocess_environment(
        DEBUG="true",
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        REDIS_URL="",
        LOG_LEVEL="WARNING",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    access_log, error_log = scratch / "access.log", scratch / "error.log"
    port = free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "pathway.wsgi"),
            *("--config", "gunicorn.conf.py", "--bind", f"{LOOPBACK}:{port}", "--workers", "1"),
            *("--access-logfile", str(access_log), "--error-logfile", str(error_log)),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until(lambda: _answers(port), "gunicorn to answer", timeout=60)
        yield port, access_log, error_log
    finally:
        server.terminate()
        server.wait(timeout=10)


def _answers(port):
    try:
        get(port, "/health")
    except OSError:
        return False
    return True


def get(port, path, **headers):
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=10)
    connection.request("GET", path, headers={"Host": HOST, **headers})
    status = connection.getresponse().status
    connection.close()
    return status


def lines_of(path, wanted, timeout=10.0):
    """The log's lines, once it holds at least `wanted` of them (gunicorn writes after it
    answers)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= wanted or time.monotonic() > deadline:
            return lines


def test_access_log_shows_token_urls_without_their_tokens(logged_server):
    port, access_log, error_log = logged_server
    before = len(lines_of(access_log, 1))  # the fixture's /health, once gunicorn has written it

    answers = [
        get(port, f"/q/{PATIENT_TOKEN}/"),
        get(port, f"/q/{PATIENT_TOKEN}/stop/"),
        get(port, f"/account/reset/{RESET_UID}/{RESET_TOKEN}/"),
        get(port, "/sign-in/", Referer=f"https://{HOST}/q/{PATIENT_TOKEN}/"),
    ]

    assert 500 not in answers, answers  # real pages, not gunicorn's own error page
    lines = lines_of(access_log, before + 4)[before:]
    assert len(lines) == 4, lines  # every request was logged ...
    text = "\n".join(lines)
    assert text.count("/q/[link]/") == 3  # ... the two link paths and the Referer, redacted
    assert "/account/reset/[link]/" in text
    everything = access_log.read_text() + error_log.read_text()
    for secret in (PATIENT_TOKEN, RESET_TOKEN):
        assert secret not in everything
