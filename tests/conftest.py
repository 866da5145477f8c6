import pytest

from tests import services
from tests.factories import (
    AdministratorFactory,
    GPFactory,
    ManagerFactory,
    PatientFactory,
    PracticeFactory,
    ServiceFactory,
    TTPFactory,
)


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
    return PracticeFactory()


@pytest.fixture
def other_practice(practice):
    return PracticeFactory(area=practice.area)


@pytest.fixture
def service(practice):
    return ServiceFactory(area=practice.area)


@pytest.fixture
def other_service(service):
    return ServiceFactory(area=service.area)


@pytest.fixture
def gp(practice):
    return GPFactory(practice=practice)


@pytest.fixture
def other_gp(other_practice):
    return GPFactory(practice=other_practice)


@pytest.fixture
def ttp(service):
    return TTPFactory(service=service)


@pytest.fixture
def manager(service):
    return ManagerFactory(service=service)


@pytest.fixture
def administrator(db):
    return AdministratorFactory()


@pytest.fixture
def patient(practice):
    return PatientFactory(registered_practice=practice)
