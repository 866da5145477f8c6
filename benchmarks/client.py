"""A small HTTP client for the benchmark: one keep-alive connection, its own cookie jar.

The service runs with production settings, so its cookies are `Secure` (`__Host-` names) and
it believes it is behind a TLS proxy (X-Forwarded-Proto: https). Generic clients will not send
Secure cookies over plain http to 127.0.0.1; this one keeps cookies itself and sends them.
"""

import http.client
import re
import time
from urllib.parse import urlencode, urljoin, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TIMING = re.compile(r"(\w+);dur=([\d.]+)(?:;desc=\"(\d+) queries\")?")


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body
        self.seconds = seconds  # wall-clock time seen by the client

    def header(self, name):
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def location(self):
        return self.header("Location")

    def server_timing(self):
        """(app ms, db ms, query count) from the Server-Timing header, or None."""
        value = self.header("Server-Timing")
        if not value:
            return None
        parts = {name: (float(dur), queries) for name, dur, queries in TIMING.findall(value)}
        app_ms, _ = parts["app"]
        db_ms, queries = parts["db"]
        return app_ms, db_ms, int(queries)

    def csrf_token(self):
        match = CSRF_INPUT.search(self.text)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1)


class Client:
    def __init__(self, base_url):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.origin = f"https://{self.host}:{self.port}"
        self.cookies = {}
        self.connection = None

    def _connect(self):
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        return self.connection

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, data=None, headers=None, json_body=None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        if json_body is not None:
            body = json_body.encode()
        sent = {
            "Host": f"{self.host}:{self.port}",
            # The service trusts this header (BEHIND_TLS_PROXY) and so treats the request
            # as HTTPS, as it would be behind the real proxy.
            "X-Forwarded-Proto": "https",
            "Accept": "text/html",
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = self.origin
            sent["Referer"] = urljoin(self.origin, path)
        if json_body is not None:
            sent["Content-Type"] = "application/fhir+json"
        sent.update(headers or {})
        for attempt in range(2):
            try:
                connection = self._connect()
                started = time.perf_counter()
                connection.request(method, path, body=body, headers=sent)
                raw = connection.getresponse()
                payload = raw.read()
                seconds = time.perf_counter() - started
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn's sync workers close idle keep-alive connections: reconnect once.
                self.close()
                if attempt:
                    raise
        response = Response(raw.status, raw.getheaders(), payload, seconds)
        self._remember_cookies(response)
        return response

    def _remember_cookies(self, response):
        for name, value in response.headers:
            if name.lower() != "set-cookie":
                continue
            pair, _, attributes = value.partition(";")
            key, _, cookie = pair.strip().partition("=")
            expired = "max-age=0" in attributes.lower().replace(" ", "")
            if expired or cookie in ("", '""'):
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = cookie

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data=data, **kwargs)

    def follow(self, response, limit=5):
        """Follow redirects (GET) from `response`; the last response."""
        while response.status in (301, 302, 303) and limit:
            target = urlsplit(response.location)
            path = (target.path or "/") + (f"?{target.query}" if target.query else "")
            response = self.get(path)
            limit -= 1
        return response
