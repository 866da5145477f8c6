"""A local stand-in for GOV.UK Notify's HTTP API, for tests of our adapter.

Notify is a service outside our control (and a real key would send real text messages), so
tests talk to this fake instead: a small HTTP server on loopback speaking the shape of
`POST /v2/notifications/sms` as documented at
https://docs.notifications.service.gov.uk/rest-api.html. It checks what the real API checks
first (a Bearer JWT signed with the key's secret, issued by the key's service id, and the
required JSON fields), records each request, and answers 201 like Notify, or with Notify's
error JSON when told to.
"""

import contextlib
import dataclasses
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

LOOPBACK = "127.0.0.1"
SMS_PATH = "/v2/notifications/sms"
# Notify refuses tokens issued more than 30 seconds away from its clock.
TOKEN_LEEWAY_SECONDS = 30


def make_api_key(name="test"):
    """A key shaped like Notify's: `<key name>-<service id>-<secret>`, both UUIDs."""
    return f"{name}-{uuid.uuid4()}-{uuid.uuid4()}"


def service_id_of(api_key):
    return api_key[-73:-37]


def secret_of(api_key):
    return api_key[-36:]


@dataclasses.dataclass(frozen=True)
class NotifyRequest:
    path: str
    headers: dict
    json: dict
    token_claims: dict


class FakeNotify:
    def __init__(self, api_key):
        self.api_key = api_key
        self.requests: list[NotifyRequest] = []
        self._failures: list[tuple[int, str, str]] = []
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, status, error="BadRequestError", message="Bad request", count=1):
        """Answer the next `count` valid requests with Notify's error JSON and this status."""
        with self._lock:
            self._failures.extend([(status, error, message)] * count)

    def use_in(self, settings, template_id=None):
        """Point the pytest-django `settings` fixture's Notify settings at this fake."""
        settings.NOTIFY_API_KEY = self.api_key
        settings.NOTIFY_BASE_URL = self.base_url
        settings.NOTIFY_SMS_TEMPLATE_ID = template_id or str(uuid.uuid4())
        return settings.NOTIFY_SMS_TEMPLATE_ID

    def start(self):
        self._server = ThreadingHTTPServer((LOOPBACK, 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_failure(self):
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _record(self, request):
        with self._lock:
            self.requests.append(request)

    def _check_token(self, authorization):
        """The JWT claims, or an error message worded like Notify's AuthError."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme != "Bearer" or not token:
            return None, "Unauthorized: authentication token must be provided"
        try:
            claims = jwt.decode(token, secret_of(self.api_key), algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return None, "Invalid token: signature, api token not found"
        if claims.get("iss") != service_id_of(self.api_key):
            return None, "Invalid token: service not found"
        if abs(time.time() - claims.get("iat", 0)) > TOKEN_LEEWAY_SECONDS:
            return None, "Error: Your system clock must be accurate to within 30 seconds"
        return claims, None

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if self.path != SMS_PATH:
                    return self._errors(404, "ResourceNotFound", "Not found")
                claims, auth_error = fake._check_token(self.headers.get("Authorization"))
                if auth_error:
                    return self._errors(403, "AuthError", auth_error)
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                    body = json.loads(self.rfile.read(length) or b"null")
                except ValueError:
                    return self._errors(400, "BadRequestError", "Invalid JSON supplied")
                invalid = _invalid_body(body)
                if invalid:
                    return self._errors(400, *invalid)
                fake._record(
                    NotifyRequest(
                        path=self.path,
                        headers=dict(self.headers),
                        json=body,
                        token_claims=claims,
                    )
                )
                failure = fake._next_failure()
                if failure:
                    return self._errors(*failure)
                notification_id = str(uuid.uuid4())
                return self._json(
                    201,
                    {
                        "id": notification_id,
                        "reference": body.get("reference"),
                        "content": {
                            "body": body["personalisation"]["body"],
                            "from_number": "GOVUK",
                        },
                        "uri": f"{fake.base_url}/v2/notifications/{notification_id}",
                        "template": {
                            "id": body["template_id"],
                            "version": 1,
                            "uri": f"{fake.base_url}/services/templates/{body['template_id']}",
                        },
                    },
                )

            def _errors(self, status, error, message):
                errors = [{"error": error, "message": message}]
                return self._json(status, {"status_code": status, "errors": errors})

            def _json(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                # Quiet: request lines would clutter test output.
                pass

        return Handler


def _invalid_body(body):
    """(error, message) as Notify words them, for a body our ((body)) template cannot take."""
    if not isinstance(body, dict):
        return "BadRequestError", "Invalid JSON supplied"
    for field in ("phone_number", "template_id"):
        if not body.get(field):
            return "ValidationError", f"{field} is a required property"
    personalisation = body.get("personalisation")
    if not isinstance(personalisation, dict) or not personalisation.get("body"):
        return "BadRequestError", "Missing personalisation: body"
    return None


@contextlib.contextmanager
def running_fake_notify(api_key=None):
    fake = FakeNotify(api_key or make_api_key())
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
