"""A local stand-in for GOV.UK Notify's HTTP API, for tests of our adapter.

Notify is a service outside our control (and a real key would send real text messages), so
tests talk to this fake instead: a small HTTP server on loopback speaking the shape of
`POST /v2/notifications/sms`, `GET /v2/notifications` (the list, filtered by `reference`,
`template_type`, `status`, paged by `older_than`) and `GET /v2/notifications/{id}` as
documented at https://docs.notifications.service.gov.uk/rest-api.html. It checks what the real
API checks first (a Bearer JWT signed with the key's secret, issued by the key's service id,
and the required JSON fields), records each request, keeps each text it accepted as a
notification that the GET calls find, and answers like Notify, or with Notify's error JSON when
told to. Like Notify, it keeps a text it accepted even if the sender never reads the answer.
"""

import contextlib
import dataclasses
import datetime
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt

LOOPBACK = "127.0.0.1"
SMS_PATH = "/v2/notifications/sms"
LIST_PATH = "/v2/notifications"
# Notify's list answers a page of at most 250, newest first.
PAGE_SIZE = 250
# Notify's DATETIME_FORMAT: UTC with microseconds and a Z.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
SMS_STATUSES = {
    "created", "sending", "pending", "sent", "delivered",
    "permanent-failure", "temporary-failure", "technical-failure",
}  # fmt: skip
TEMPLATE_TYPES = {"sms", "email", "letter"}
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
        self.requests: list[NotifyRequest] = []  # every valid POST, accepted or failed
        self.notifications: list[dict] = []  # the texts accepted, oldest first
        self.lookups: list[dict] = []  # the query of every valid GET of the list
        self._failures: list[tuple[int, str, str]] = []
        self._lookup_failures: list[tuple[int, str, str]] = []
        self._holds: list[float] = []
        self.held = threading.Event()
        self._stopping = threading.Event()
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

    def fail_next_lookups(
        self, status, error="Exception", message="Internal server error", count=1
    ):
        """Answer the next `count` valid GETs of the list with Notify's error JSON."""
        with self._lock:
            self._lookup_failures.extend([(status, error, message)] * count)

    def hold_next(self, count=1, seconds=30.0):
        """Accept the next `count` texts at once (they are Notify's from then on), but answer
        only after `seconds`: the moment in which a sender can die not knowing they went."""
        with self._lock:
            self._holds.extend([seconds] * count)

    def mark(self, notification_id, status):
        """Move a notification on, as Notify does when the phone network reports back."""
        with self._lock:
            [notification] = [n for n in self.notifications if n["id"] == notification_id]
            notification["status"] = status

    def accepted_with_reference(self, reference):
        """The texts accepted with this reference (one per message sent exactly once)."""
        with self._lock:
            return [n for n in self.notifications if n["reference"] == reference]

    def environment(self, template_id=None):
        """Notify's settings for a service process (a worker) pointed at this fake."""
        return {
            "NOTIFY_API_KEY": self.api_key,
            "NOTIFY_BASE_URL": self.base_url,
            "NOTIFY_SMS_TEMPLATE_ID": template_id or str(uuid.uuid4()),
        }

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
        self._stopping.set()  # held answers go out now (to senders that may have gone)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_failure(self):
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _next_lookup_failure(self):
        with self._lock:
            return self._lookup_failures.pop(0) if self._lookup_failures else None

    def _next_hold(self):
        with self._lock:
            return self._holds.pop(0) if self._holds else None

    def _record(self, request):
        with self._lock:
            self.requests.append(request)

    def _accept(self, body):
        """Keep an accepted text as Notify's notification object (its `serialize()`)."""
        notification_id = str(uuid.uuid4())
        template_id = body["template_id"]
        notification = {
            "id": notification_id,
            "reference": body.get("reference"),
            "email_address": None,
            "phone_number": body["phone_number"],
            **{f"line_{number}": None for number in range(1, 7)},
            "postcode": None,
            "type": "sms",
            "status": "created",
            "template": {
                "version": 1,
                "id": template_id,
                "uri": f"{self.base_url}/services/templates/{template_id}",
            },
            "body": body["personalisation"]["body"],
            "subject": None,
            "created_at": datetime.datetime.now(datetime.UTC).strftime(DATETIME_FORMAT),
            "sent_at": None,
            "completed_at": None,
            "scheduled_for": None,
        }
        with self._lock:
            self.notifications.append(notification)
        return notification

    def _find(self, query):
        """(page, next older_than) of the list, newest first, as Notify's list filters it."""
        with self._lock:
            found = list(reversed(self.notifications))
        if "reference" in query:
            found = [n for n in found if n["reference"] == query["reference"][0]]
        if "template_type" in query:
            found = [n for n in found if n["type"] in query["template_type"]]
        if "status" in query:
            wanted = set(query["status"])
            if "failed" in wanted:  # Notify's name for every kind of failure
                wanted |= {"permanent-failure", "temporary-failure", "technical-failure"}
            found = [n for n in found if n["status"] in wanted]
        if "older_than" in query:
            ids = [n["id"] for n in found]
            older_than = query["older_than"][0]
            found = found[ids.index(older_than) + 1 :] if older_than in ids else []
        page = found[:PAGE_SIZE]
        return page, (page[-1]["id"] if page else None)

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
            def do_GET(self):
                url = urlsplit(self.path)
                _, auth_error = fake._check_token(self.headers.get("Authorization"))
                if auth_error:
                    return self._errors(403, "AuthError", auth_error)
                if url.path.startswith(f"{LIST_PATH}/"):
                    return self._one(url.path.removeprefix(f"{LIST_PATH}/"))
                if url.path != LIST_PATH:
                    return self._errors(404, "ResourceNotFound", "Not found")
                query = parse_qs(url.query)
                invalid = _invalid_query(query)
                if invalid:
                    return self._errors(400, "ValidationError", invalid)
                with fake._lock:
                    fake.lookups.append(query)
                failure = fake._next_lookup_failure()
                if failure:
                    return self._errors(*failure)
                page, older_than = fake._find(query)
                flat = {
                    key: values if len(values) > 1 else values[0] for key, values in query.items()
                }
                links = {"current": f"{fake.base_url}{LIST_PATH}?{urlencode(flat, doseq=True)}"}
                if older_than:
                    following = {**flat, "older_than": older_than}
                    links["next"] = f"{fake.base_url}{LIST_PATH}?{urlencode(following, doseq=True)}"
                return self._json(200, {"notifications": page, "links": links})

            def _one(self, notification_id):
                with fake._lock:
                    found = [n for n in fake.notifications if n["id"] == notification_id]
                if not found:
                    return self._errors(404, "NoResultFound", "No result found")
                return self._json(200, found[0])

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
                notification = fake._accept(body)
                hold = fake._next_hold()
                if hold is not None:
                    fake.held.set()
                    fake._stopping.wait(hold)
                return self._json(
                    201,
                    {
                        "id": notification["id"],
                        "reference": notification["reference"],
                        "content": {"body": notification["body"], "from_number": "GOVUK"},
                        "uri": f"{fake.base_url}/v2/notifications/{notification['id']}",
                        "template": {
                            "id": body["template_id"],
                            "version": 1,
                            "uri": notification["template"]["uri"],
                        },
                    },
                )

            def _errors(self, status, error, message):
                errors = [{"error": error, "message": message}]
                return self._json(status, {"status_code": status, "errors": errors})

            def _json(self, status, payload):
                data = json.dumps(payload).encode()
                # A sender killed while its answer was held has gone; Notify keeps the text.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
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


def _invalid_query(query):
    """Notify's ValidationError message for a list query it refuses, or None."""
    for field in ("older_than", "reference"):
        if len(query.get(field, [])) > 1:
            return f"{field} must be given once"
    for template_type in query.get("template_type", []):
        if template_type not in TEMPLATE_TYPES:
            return f"template_type {template_type} is not one of [sms, email, letter]"
    for status in query.get("status", []):
        if status not in SMS_STATUSES | {"failed"}:
            return f"status {status} is not one of [{', '.join(sorted(SMS_STATUSES))}]"
    if "older_than" in query:
        try:
            uuid.UUID(query["older_than"][0])
        except ValueError:
            return "older_than is not a valid UUID"
    return None


@contextlib.contextmanager
def running_fake_notify(api_key=None):
    fake = FakeNotify(api_key or make_api_key())
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
