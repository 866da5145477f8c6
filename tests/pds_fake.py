"""A fake of the Personal Demographics Service's FHIR API, for tests of our lookup.

PDS is outside our control (and real people's records are behind it), so tests talk to this
instead: a small HTTP server on loopback speaking the shape of PDS's "get patient details",
`GET /Patient/{NHS number}`, as its specification and sandbox describe it
(https://digital.nhs.uk/developer/api-catalogue/personal-demographics-service-fhir). Like PDS it
requires an X-Request-ID (a UUID), refuses an invalid NHS number (400 INVALID_RESOURCE_ID),
answers 404 RESOURCE_NOT_FOUND for nobody and INVALIDATED_RESOURCE for an invalidated number,
answers a superseded number with the current record (whose id differs from the one asked for),
and strips address, telecom and registered GP from a restricted record, labelled R. Patients
carry PDS's UK Core extensions. "Search patients" (`GET /Patient?family=...`) answers a
searchset Bundle of exact matches. It can also answer slowly, or fail with a status, when told
to. Nothing here is our code: it is written from PDS's documentation, not from the stand-in.
"""

import contextlib
import json
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pathway.clinical import nhs_number

LOOPBACK = "127.0.0.1"
BASE_PATH = "/personal-demographics/FHIR/R4"
UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition"
ERRORS = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode"


def pds_patient(number, given, family, born, gender, postcode, ods_code, *, security="U", **extra):
    """A Patient as PDS returns it: NHS number with its verification status, a usual name, a
    home address with its PAF key, a phone number, the registered GP by ODS code, and a
    nominated pharmacy extension. A restricted record (R, V) loses address, telecom and GP."""
    resource = {
        "resourceType": "Patient",
        "id": number,
        "identifier": [
            {
                "system": "https://fhir.nhs.uk/Id/nhs-number",
                "value": number,
                "extension": [
                    {
                        "url": f"{UK_CORE}/Extension-UKCore-NHSNumberVerificationStatus",
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": "https://fhir.hl7.org.uk/CodeSystem/"
                                    "UKCore-NHSNumberVerificationStatus",
                                    "version": "1.0.0",
                                    "code": "01",
                                    "display": "Number present and verified",
                                }
                            ]
                        },
                    }
                ],
            }
        ],
        "meta": {
            "versionId": "3",
            "security": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                    "code": security,
                    "display": {"U": "unrestricted", "R": "restricted"}.get(security, "very"),
                }
            ],
        },
        "name": [
            {
                "id": "n1",
                "use": "usual",
                "period": {"start": "2001-01-01"},
                "given": given.split(),
                "family": family,
                "prefix": ["Mx"],
            }
        ],
        "gender": gender,
        "birthDate": born,
        "multipleBirthInteger": 1,
        "address": [
            {
                "id": "a1",
                "period": {"start": "2015-06-01"},
                "use": "home",
                "line": ["1 Example Street", "Newcastle upon Tyne"],
                "postalCode": postcode,
                "extension": [
                    {
                        "url": f"{UK_CORE}/Extension-UKCore-AddressKey",
                        "extension": [
                            {
                                "url": "type",
                                "valueCoding": {
                                    "system": "https://fhir.hl7.org.uk/CodeSystem/"
                                    "UKCore-AddressKeyType",
                                    "code": "PAF",
                                },
                            },
                            {"url": "value", "valueString": "12345678"},
                        ],
                    }
                ],
            }
        ],
        "telecom": [{"id": "t1", "system": "phone", "value": "01632960587", "use": "home"}],
        "generalPractitioner": [
            {
                "id": "g1",
                "type": "Organization",
                "identifier": {
                    "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                    "value": ods_code,
                    "period": {"start": "2015-06-01"},
                },
            }
        ],
        "extension": [
            {
                "url": f"{UK_CORE}/Extension-UKCore-NominatedPharmacy",
                "valueReference": {
                    "identifier": {
                        "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                        "value": "FA123",
                    }
                },
            }
        ],
    }
    if security in ("R", "V"):
        for field in ("address", "telecom", "generalPractitioner"):
            del resource[field]
    resource.update(extra)
    return resource


def operation_outcome(code, display, issue_code="not-found", diagnostics=None):
    issue = {
        "severity": "error",
        "code": issue_code,
        "details": {
            "coding": [{"system": ERRORS, "version": "1", "code": code, "display": display}]
        },
    }
    if diagnostics:
        issue["diagnostics"] = diagnostics
    return {"resourceType": "OperationOutcome", "issue": [issue]}


class FakePDS:
    def __init__(self):
        self.patients = {}  # NHS number -> Patient resource (dict)
        self.superseded = {}  # old number -> current number
        self.invalidated = set()
        self.requests = []  # (path, headers named in lower case) of every request
        self._failures = []  # statuses to answer the next requests with
        self.delay = 0.0  # seconds before each answer
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        # The NHS API platform's sign-in in front of PDS (off until require_sign_in).
        self.sign_in = None  # (API key, key id, public key) when on
        self.tokens = set()
        self.used_jtis = set()
        self.token_requests = 0

    def require_sign_in(self, *, api_key, key_id, public_key):
        """Answer Patient requests only with a token from this fake's /oauth2/token, which
        checks the signed JWT assertion as the platform does."""
        self.sign_in = (api_key, key_id, public_key)

    def expire_tokens(self):
        self.tokens.clear()

    @property
    def token_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/oauth2/token"

    def issue_token(self, form):
        """(status, body) of the platform's token endpoint for this form."""
        import jwt

        with self._lock:
            self.token_requests += 1
        api_key, key_id, public_key = self.sign_in
        refused = (401, {"error": "invalid_client", "error_description": "Invalid assertion"})
        if (
            form.get("grant_type") != "client_credentials"
            or form.get("client_assertion_type")
            != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        ):
            return 400, {"error": "invalid_request", "error_description": "Missing or bad grant"}
        assertion = form.get("client_assertion", "")
        try:
            header = jwt.get_unverified_header(assertion)
            claims = jwt.decode(
                assertion,
                public_key,
                algorithms=["RS512"],
                audience=self.token_url,
                options={"require": ["iss", "sub", "aud", "jti", "exp"]},
            )
        except jwt.PyJWTError:
            return refused
        too_long = claims["exp"] > time.time() + 300
        if header.get("kid") != key_id or claims["iss"] != api_key or claims["sub"] != api_key:
            return refused
        if too_long or claims["jti"] in self.used_jtis:
            return refused
        self.used_jtis.add(claims["jti"])
        token = uuid.uuid4().hex
        self.tokens.add(token)
        return 200, {"access_token": token, "expires_in": "599", "token_type": "Bearer"}

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{BASE_PATH}"

    def add(self, resource):
        self.patients[resource["id"]] = resource
        return resource

    def fail_next(self, status, count=1):
        with self._lock:
            self._failures.extend([status] * count)

    def start(self):
        self._server = ThreadingHTTPServer((LOOPBACK, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self):
        self._stopping.set()  # a slow answer still waiting goes out now
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_failure(self):
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def answer(self, path, headers):
        """(status, body) as PDS would answer this GET."""
        with self._lock:
            self.requests.append((path, {name.lower(): value for name, value in headers.items()}))
        if not path.startswith((f"{BASE_PATH}/Patient/", f"{BASE_PATH}/Patient?")):
            return 404, operation_outcome("UNSUPPORTED_SERVICE", "Unsupported Service")
        request_id = headers.get("X-Request-ID")
        if not request_id:
            return 400, operation_outcome(
                "MISSING_VALUE", "Required value is missing", "required", "X-Request-ID"
            )
        try:
            uuid.UUID(request_id)
        except ValueError:
            return 400, operation_outcome(
                "INVALID_VALUE", "Provided value is invalid", "value", "X-Request-ID"
            )
        if self.sign_in is not None:
            scheme, _, token = headers.get("Authorization", "").partition(" ")
            if scheme != "Bearer" or token not in self.tokens:
                return 401, operation_outcome(
                    "ACCESS_DENIED", "Access Denied - Unauthorised", "forbidden"
                )
        failure = self._next_failure()
        if failure:
            return failure, operation_outcome("SERVICE_UNAVAILABLE", "Service unavailable")
        if path.startswith(f"{BASE_PATH}/Patient?"):
            return 200, self.search(urllib.parse.parse_qs(path.partition("?")[2]))
        number = path.removeprefix(f"{BASE_PATH}/Patient/")
        if not nhs_number.is_valid(number) or len(number) != 10:
            return 400, operation_outcome("INVALID_RESOURCE_ID", "Resource Id is invalid", "value")
        if number in self.invalidated:
            return 404, operation_outcome("INVALIDATED_RESOURCE", "Resource Id is invalid")
        current = self.superseded.get(number, number)
        if current not in self.patients:
            return 404, operation_outcome("RESOURCE_NOT_FOUND", "Resource not found")
        return 200, self.patients[current]

    def search(self, query):
        """PDS's "search patients" (`GET /Patient?family=&given=&birthdate=eq...
        &address-postalcode=`), exact matching only: a searchset Bundle of every record whose
        usual name, date of birth and home postcode match, scored 1."""

        def first(name):
            return (query.get(name) or [""])[0]

        def compact(text):
            return "".join(text.split()).upper()

        wanted = (
            first("family").lower(),
            first("given").lower(),
            first("birthdate").removeprefix("eq"),
            compact(first("address-postalcode")),
        )
        matches = []
        for resource in self.patients.values():
            name = resource["name"][0]
            postcodes = [compact(a.get("postalCode", "")) for a in resource.get("address", [])]
            found = (
                name["family"].lower(),
                " ".join(name.get("given", [])).lower(),
                resource["birthDate"],
            )
            if found == wanted[:3] and wanted[3] in postcodes:
                matches.append(resource)
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(matches),
            "entry": [
                {
                    "fullUrl": f"{BASE_PATH}/Patient/{resource['id']}",
                    "search": {"score": 1},
                    "resource": resource,
                }
                for resource in matches
            ],
        }

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, payload = fake.answer(self.path, self.headers)
                if fake.delay:
                    fake._stopping.wait(fake.delay)
                data = json.dumps(payload).encode()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(status)
                    self.send_header("Content-Type", "application/fhir+json")
                    self.send_header("Content-Length", str(len(data)))
                    if "X-Request-ID" in self.headers:
                        self.send_header("X-Request-ID", self.headers["X-Request-ID"])
                    self.end_headers()
                    self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path != "/oauth2/token" or fake.sign_in is None:
                    status, payload = 404, {"error": "not_found"}
                else:
                    status, payload = fake.issue_token(form)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format, *args):
                # Quiet: request lines (which hold NHS numbers) would clutter test output.
                pass

        return Handler


@contextlib.contextmanager
def running_fake_pds():
    fake = FakePDS()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
