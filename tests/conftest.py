import datetime
import os

import pytest

from tests import services
from tests.slots import reset_past_slots

# --today: the whole run happens on another day (and time), to find tests that pass on one
# day and fail on another (issue 15). `make test-dates` runs the suite on several such days.
# Only this process's clock moves: tests that start other processes (browser journeys,
# workers, gunicorn) are left out of such runs.
_TRAVEL = None


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        default=os.environ.get("PATHWAY_TEST_TODAY", ""),
        help="run as if now were this local date or date-time (YYYY-MM-DD[THH:MM])",
    )


def pytest_configure(config):
    global _TRAVEL
    today = config.getoption("--today")
    if not today:
        return
    from zoneinfo import ZoneInfo

    import time_machine

    moment = datetime.datetime.fromisoformat(today if "T" in today else f"{today}T10:00")
    _TRAVEL = time_machine.travel(moment.replace(tzinfo=ZoneInfo("Europe/London")), tick=True)
    _TRAVEL.start()


def pytest_report_header(config):
    if config.getoption("--today"):
        return f"clock moved: now is {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    return None


# Factories import Django models, so fixtures import them when they run: the pure clinical
# tests can then run without Django (pytest -p no:django tests/unit/clinical).


@pytest.fixture(autouse=True)
def _fresh_past_slots():
    reset_past_slots()


# Tests never ask a PDS they did not start (tests/pds_fake.py): the default, the stand-in at
# SITE_URL, may be someone else's server on this machine. Nothing listens on this loopback
# port, so a lookup a test did not plan for is "unavailable" at once.
UNREACHABLE_PDS = "http://127.0.0.1:9/FHIR/R4"


@pytest.fixture(autouse=True)
def _no_unplanned_pds(request):
    if request.config.pluginmanager.hasplugin("django"):
        request.getfixturevalue("settings").PDS_BASE_URL = UNREACHABLE_PDS


@pytest.fixture(autouse=True)
def _required_services(request):
    # Markers say which real service a test needs; the check runs before the test body.
    if request.node.get_closest_marker("postgres"):
        services.require_postgres()
    if request.node.get_closest_marker("redis"):
        services.require_redis()
    if request.node.get_closest_marker("browser"):
        services.require_chromium()


def pytest_terminal_summary(terminalreporter):
    if services.SKIPPED_SERVICES:
        names = ", ".join(sorted(services.SKIPPED_SERVICES))
        line = "!" * 78
        terminalreporter.write_line(line, yellow=True, bold=True)
        terminalreporter.write_line(
            f"SKIPPED tests that need: {names}. Set DATABASE_URL / REDIS_URL and install "
            "chromium to run them (CI runs them all and fails if one is missing).",
            yellow=True,
            bold=True,
        )
        terminalreporter.write_line(line, yellow=True, bold=True)


@pytest.fixture
def practice(db):
    from tests.factories import PracticeFactory

    return PracticeFactory()


@pytest.fixture
def other_practice(practice):
    from tests.factories import PracticeFactory

    return PracticeFactory(area=practice.area)


@pytest.fixture
def service(practice):
    from tests.factories import ServiceFactory

    return ServiceFactory(area=practice.area)


@pytest.fixture
def other_service(service):
    from tests.factories import ServiceFactory

    return ServiceFactory(area=service.area)


@pytest.fixture
def gp(practice):
    from tests.factories import GPFactory

    return GPFactory(practice=practice)


@pytest.fixture
def other_gp(other_practice):
    from tests.factories import GPFactory

    return GPFactory(practice=other_practice)


@pytest.fixture
def ttp(service):
    from tests.factories import TTPFactory

    return TTPFactory(service=service)


@pytest.fixture
def manager(service):
    from tests.factories import ManagerFactory

    return ManagerFactory(service=service)


@pytest.fixture
def administrator(db):
    from tests.factories import AdministratorFactory

    return AdministratorFactory()


@pytest.fixture
def patient(practice):
    from tests.factories import PatientFactory

    return PatientFactory(registered_practice=practice)


@pytest.fixture
def make_episode(gp, service):
    """make_episode(**answers) -> a new episode awaiting triage, referred by `gp`."""
    from pathway.demo.referrals import refer
    from tests.factories import PatientFactory

    def make(patient=None, **kwargs):
        patient = patient or PatientFactory(registered_practice=gp.practice)
        return refer(gp=gp, patient=patient, service=service, **kwargs).episode

    return make


@pytest.fixture
def episode(make_episode):
    return make_episode()


@pytest.fixture
def booked_episode(episode, ttp):
    """`episode` with its first assessment booked with `ttp` three days from now."""
    import datetime

    from django.utils import timezone

    from pathway.care.actions import book_appointment
    from pathway.care.models import AppointmentKind, AppointmentMode
    from tests.audit_context import TEST_CONTEXT

    book_appointment(
        episode=episode,
        kind=AppointmentKind.FIRST_ASSESSMENT,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        clinician=ttp,
        mode=AppointmentMode.TELEPHONE,
        by=ttp,
        context=TEST_CONTEXT,
    )
    episode.refresh_from_db()
    return episode
