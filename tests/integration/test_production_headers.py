"""The security headers and cookies a real production process sends, read off the wire.

The test starts gunicorn with production settings (DEBUG off, behind a TLS proxy that says
https) on a scratch SQLite database, signs in over HTTP and checks every header and cookie
attribute the issue names: HSTS, __Host- cookies that are Secure, HttpOnly where they can be,
SameSite; a CSP with no inline script, object-src 'none' and frame-ancestors 'none'; a
Referrer-Policy; and that plain http is sent to https.
"""

import http.client
import http.cookies
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.services import subprocess_environment

ROOT = Path(__file__).resolve().parents[2]
HOST = "pathway.example.nhs.uk"
PASSWORD = "a-long-production-like-password-2026"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("production")
    env = subprocess_environment(
        DEBUG="false",
        SECRET_KEY="production-header-test-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEF",
        ALLOWED_HOSTS=HOST,
        BEHIND_TLS_PROXY="true",
        DATABASE_URL=f"sqlite:///{scratch / 'db.sqlite3'}",
        STATIC_ROOT=str(scratch / "static"),
        REDIS_URL="",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput"],
        ["createsuperuser", "--noinput", "--username", "admin", "--email", "a@example.nhs.uk"],
    ):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pathway.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=10)


def request(port, method, path, *, https=True, headers=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    sent = {"Host": HOST, **(headers or {})}
    if https:
        sent["X-Forwarded-Proto"] = "https"
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    response.read()
    return response


def set_cookies(response):
    """name -> Morsel for every Set-Cookie header."""
    cookies = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        jar = http.cookies.SimpleCookie()
        jar.load(header)
        cookies.update({name: (morsel, header) for name, morsel in jar.items()})
    return cookies


def test_plain_http_is_sent_to_https(production_server):
    response = request(production_server, "GET", "/sign-in/", https=False)

    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}/sign-in/"


def test_pages_send_hsts_csp_and_the_other_security_headers(production_server):
    response = request(production_server, "GET", "/sign-in/")

    assert response.status == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=31536000; includeSubDomains; preload", hsts)
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response.headers["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_cookies_are_host_only_secure_and_same_site(production_server):
    page = request(production_server, "GET", "/sign-in/")
    csrf, csrf_header = set_cookies(page)["__Host-csrftoken"]
    token = re.search(r"^__Host-csrftoken=([^;]+)", csrf_header).group(1)

    signed_in = request(
        production_server,
        "POST",
        "/sign-in/",
        headers={
            "Cookie": f"__Host-csrftoken={token}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{HOST}/sign-in/",
            "Origin": f"https://{HOST}",
        },
        body=f"csrfmiddlewaretoken={token}&username=admin&password={PASSWORD}",
    )

    assert signed_in.status == 302, "the sign-in should succeed and redirect"
    session, session_header = set_cookies(signed_in)["__Host-sessionid"]
    for morsel in (csrf, session):
        assert morsel["secure"]
        assert morsel["path"] == "/"
        assert not morsel["domain"], "__Host- cookies must not name a domain"
        assert morsel["samesite"] == "Lax"
    assert session["httponly"]
