"""Every URL pattern, for every kind of visitor, answers as docs/security/access-matrix.md says.

The expected answers live in tests/access_matrix.py. This test walks Django's URL resolver, so
a new URL without a row there fails the build, and a row for a URL that no longer exists does
too. Every object in a URL belongs to GP practice A and TTP service A, so the "B" visitors show
that another organisation's record answers 404 (as if it did not exist), never 403.
"""

import datetime
import re
from http.cookies import SimpleCookie

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from pathway.audit.models import AuditEvent
from pathway.care.actions import book_appointment
from pathway.care.models import AppointmentKind, AppointmentMode
from pathway.organisations.models import GPPractice
from pathway.proms.links import create_link
from pathway.proms.models import SafetyAlert
from tests.access_matrix import ACTORS, MATRIX, NOT_WORKING_TEXT, Expect
from tests.audit_context import TEST_CONTEXT
from tests.factories import (
    AdministratorFactory,
    GPFactory,
    ManagerFactory,
    PatientFactory,
    PracticeFactory,
    ServiceFactory,
    TTPFactory,
)

pytestmark = pytest.mark.django_db

FAKE_RESET = {"uidb64": "MQ", "token": "set-password"}


def url_patterns(resolver=None, prefix=""):
    """(route text, pattern) for every pattern, nested includes flattened."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from url_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


ROUTES = dict(url_patterns())


def test_every_url_pattern_has_a_row_and_every_row_a_pattern():
    missing = sorted(set(ROUTES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not missing, f"Add these URL patterns to tests/access_matrix.py: {missing}"
    assert not stale, f"These rows name URL patterns that no longer exist: {stale}"


def test_every_row_names_every_kind_of_visitor():
    for route, expect in MATRIX.items():
        for method in ("get", "post"):
            answers = getattr(expect, method)
            assert len(answers) == len(ACTORS), f"{route} {method}: {len(answers)} answers"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """One data set for the whole module, inside a transaction rolled back at the end. Each
    request runs in its own savepoint (see `ask`), so what one visitor's POST changes (a
    sign-out, an opt-out) is gone before the next visitor asks."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        world["cookies"] = {
            actor: client.cookies.output() for actor, client in world["clients"].items()
        }
        yield world
        transaction.set_rollback(True)


def ask(world, actor, method, url):
    client = world["clients"][actor]
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    # The rollback brought back any session the request ended; its cookie works again.
    client.cookies = SimpleCookie(world["cookies"][actor].replace("Set-Cookie: ", ""))
    return response


def build_world():
    from pathway.core.actions import record_heartbeat
    from pathway.demo.referrals import refer
    from tests.integration.test_patient_link import answer_everything, continue_and_confirm

    gp = GPFactory()
    practice_b = PracticeFactory(area=gp.practice.area)
    # Service A takes self-referrals, so its public pages answer (a service that does not: 404,
    # test_self_referral.py).
    service = ServiceFactory(area=gp.practice.area, accepts_self_referral=True)
    other_service = ServiceFactory(area=gp.practice.area)
    ttp = TTPFactory(service=service)
    users = {
        "gp_a": gp,
        "gp_b": GPFactory(practice=practice_b),
        "ttp_a": ttp,
        "ttp_b": TTPFactory(service=other_service),
        "manager": ManagerFactory(service=service),
        "administrator": AdministratorFactory(),
    }
    patient = PatientFactory(registered_practice=gp.practice)
    referral = refer(gp=gp, patient=patient, service=service)
    episode = referral.episode
    appointment = book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind=AppointmentKind.FIRST_ASSESSMENT,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        clinician=ttp,
        mode=AppointmentMode.TELEPHONE,
        by=ttp,
    )
    # A second person of practice A whose answers raised a safety alert at service A.
    alerted = refer(gp=gp, patient=PatientFactory(registered_practice=gp.practice), service=service)
    answer_everything(Client(), _token(alerted.episode), phq9_item_9=2)

    # A running worker and beat, so /health answers "ok" wherever a broker is configured.
    record_heartbeat()

    clients = {"anonymous": Client(), "patient_link": Client()}
    continue_and_confirm(clients["patient_link"], _token(episode))
    for actor, user in users.items():
        clients[actor] = Client()
        clients[actor].force_login(user)
    objects = {
        "referral": referral,
        "episode": episode,
        "appointment": appointment,
        "alert": SafetyAlert.objects.get(episode=alerted.episode),
        "patient": patient,
        "practice": gp.practice,
        "area": gp.practice.area,
        "service": service,
        "user": gp,
        "group": Group.objects.create(name="Readers"),
        "audit_event": AuditEvent.objects.order_by("id").first(),
        "token": _token(episode),
        # Someone outside the matrix: a visitor with an app would be asked for a code first.
        "totp_device": TOTPDevice.objects.create(user=GPFactory(), name="Phone", confirmed=True),
        **_sign_in_records(gp),
    }
    return {"objects": objects, "clients": clients}


def _sign_in_records(user):
    """One row of each kind django-axes keeps, so the admin's pages for them have an object."""
    where = {"username": user.username, "ip_address": "192.0.2.1", "user_agent": "test"}
    return {
        "access_attempt": AccessAttempt.objects.create(failures_since_start=1, **where),
        "access_log": AccessLog.objects.create(**where),
        "access_failure_log": AccessFailureLog.objects.create(**where),
    }


def _token(episode):
    from tests.integration.test_patient_link import baseline_timepoint

    token, _link = create_link(timepoint=baseline_timepoint(episode))
    return token


ADMIN_OBJECTS = {
    "organisations/commissioningarea": "area",
    "organisations/gppractice": "practice",
    "organisations/providerservice": "service",
    "accounts/user": "user",
    "audit/auditevent": "audit_event",
    "auth/group": "group",
    "otp_totp/totpdevice": "totp_device",
    "axes/accessattempt": "access_attempt",
    "axes/accesslog": "access_log",
    "axes/accessfailurelog": "access_failure_log",
}


def concrete_url(route, objects):
    """The route with its parameters filled by practice A's / service A's objects."""
    values = {
        "public_id": _public_id_for(route, objects),
        "pk": _pk_for(route, objects),
        "instrument": "pain_nrs",
        # A questionnaire link's token, or a password reset link's (which is made up).
        "token": objects["token"] if route.startswith("q/") else FAKE_RESET["token"],
        "file_name": "Patient-1.ndjson",  # a bulk export's file
        "uidb64": FAKE_RESET["uidb64"],
        "_rest": "stop/",  # an address under a token that is not a page (the old stop address)
        "id": objects["user"].pk,
        "nhs_number": objects["patient"].nhs_number,
        "code": objects["service"].code,
        "content_type_id": ContentType.objects.get_for_model(GPPractice).pk,
    }
    for model_path, key in ADMIN_OBJECTS.items():
        if route.startswith(f"admin/{model_path}/"):
            values["object_id"] = objects[key].pk
    if route.startswith("admin/r/"):
        values["object_id"] = objects["practice"].pk
    # The admin's two regular-expression patterns first: an app index and the catch-all.
    url = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "audit/", route)
    url = url.replace("(?P<url>.*)$", "no-such-page/")
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), url)
    return "/" + url


def _pk_for(route, objects):
    if route.startswith("admin/otp_totp/"):
        return objects["totp_device"].pk
    if "alerts" in route:
        return objects["alert"].pk
    return objects["appointment"].pk


def _public_id_for(route, objects):
    if route.startswith("gp/referrals/"):
        return objects["referral"].public_id
    if route.startswith("patients/"):
        return objects["patient"].public_id
    return objects["episode"].public_id


def answer_kind(response):
    """The visitor's experience of one response, in the matrix's words."""
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        if location.startswith(("/sign-in/", "/admin/login/")):
            return Expect.LOGIN
        return Expect.REDIRECT
    if status == 200 and NOT_WORKING_TEXT in response.content.decode(errors="replace"):
        return Expect.LINK_REFUSED
    return {
        200: Expect.OK,
        403: Expect.FORBIDDEN,
        404: Expect.NOT_FOUND,
        405: Expect.NO_METHOD,
    }.get(status, str(status))


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_each_visitor_gets_the_expected_answer(route, world):
    if route not in ROUTES:
        pytest.fail(f"{route} is in the matrix but not a URL pattern")
    url = concrete_url(route, world["objects"])
    expect = MATRIX[route]
    actual = {}
    for method in ("get", "post"):
        for actor, wanted in zip(ACTORS, getattr(expect, method), strict=True):
            response = ask(world, actor, method, url)
            actual[(method, actor)] = (answer_kind(response), wanted)
    wrong = {key: got for key, got in actual.items() if got[0] != got[1]}
    assert not wrong, f"{url}: (method, visitor) -> (got, expected): {wrong}"
