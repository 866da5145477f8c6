"""Every benchmarked page runs the same number of SQL queries whatever the amount of data.

Two regions of their own (practice, service, GP, TTP, manager) are built once for the module:
a small one and one four times its size. Each page is asked for by the small region's staff
and by the larger region's, and must run exactly as many queries for both, and at most
MAX_QUERIES: a query per row (N+1) fails here, in CI, long before anyone notices a slow page.
Wall-clock targets live in the benchmark (`make bench`), never in tests.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from benchmarks.api import SCOPES as API_WRITE
from benchmarks.api import referral_bundle
from pathway.demo import care
from pathway.demo.referrals import refer
from pathway.proms.links import create_link
from pathway.proms.models import PromTimepoint, TimepointState
from pathway.proms.schedule import open_due_timepoints
from tests.api_clients import access_token, bearer, make_client
from tests.factories import (
    AreaFactory,
    GPFactory,
    ManagerFactory,
    PatientFactory,
    PracticeFactory,
    ServiceFactory,
    TTPFactory,
)
from tests.integration.conftest import AUDIT_CHAIN_QUERIES
from tests.referral_data import referral_answers

pytestmark = pytest.mark.django_db

# Each audited request here makes one audit insert: see AUDIT_CHAIN_QUERIES.
MAX_QUERIES = 15 + AUDIT_CHAIN_QUERIES
# A submission's transaction is BEGIN/COMMIT in production, which Django does not log; under
# the test's own wrapping transaction the same atomic block is a SAVEPOINT/RELEASE pair, which
# is logged. Only those two are allowed on top of MAX_QUERIES (13 + 2 today).
SUBMISSION_TRANSACTION_QUERIES = 2
SMALL, LARGE = 3, 12
RETURN = {"return_kind": "persisting", "return_justification": "Pain came back"}
BASELINE_SCORES = {
    "pain": 6,
    "odi_sections": [2] * 10,
    "eq5d_state": "21341",
    "vas": 60,
    "gad7": [1] * 7,
    "phq9": [1] * 8 + [0],
}


def _episode_in_state(number, episode, ttp):
    """Episodes spread over the lifecycle, so every column of every page has something."""
    kind = number % 5
    if kind == 1:
        care.book(episode, ttp, days=number + 1)
    elif kind == 2:
        care.assess_and_triage(episode, ttp, days=-2, outcome="core_therapy")
        # At the assessment: the therapy session a day later closes the baseline's window.
        care.questionnaires(episode, ttp, "baseline", **BASELINE_SCORES, days=-2)
        care.therapy_sessions(episode, ttp, days=[-1])
        care.book(episode, ttp, days=number + 2, kind="follow_up")
    elif kind == 3:
        care.assess_and_triage(episode, ttp, days=-3, outcome="same_day_discharge")
    elif kind == 4:
        care.assess_and_triage(episode, ttp, days=-2, outcome="cppp")
        # PHQ-9 item 9 above 0: an open safety alert on the caseload and dashboard.
        care.questionnaires(episode, ttp, "baseline", **{**BASELINE_SCORES, "phq9": [1] * 9})


def build_region(size):
    area = AreaFactory()
    practice = PracticeFactory(area=area)
    service = ServiceFactory(area=area)
    gp = GPFactory(practice=practice)
    ttp = TTPFactory(service=service)
    manager = ManagerFactory(service=service)
    for number in range(size):
        patient = PatientFactory(registered_practice=practice)
        risk = ("low", "medium", "high")[number % 3]
        episode = refer(
            gp=gp, patient=patient, service=service, risk=risk, days_ago=(number * 7) % 90
        ).episode
        _episode_in_state(number, episode, ttp)
    # One person treated and referred again: their timeline has `size // 3` episodes.
    returner = PatientFactory(registered_practice=practice)
    for number in range(max(size // 3, 1)):
        episode = refer(
            gp=gp, patient=returner, service=service, answers=RETURN if number else None
        ).episode
        care.assess_and_triage(episode, ttp, days=-1, outcome="same_day_discharge")
    return {"gp": gp, "ttp": ttp, "manager": manager, "service": service, "returner": returner}


@pytest.fixture(scope="module")
def regions(django_db_setup, django_db_blocker):
    """Both regions, built once and rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = {"small": build_region(SMALL), "large": build_region(LARGE)}
        yield built
        transaction.set_rollback(True)


def _count(user, method, path, data=None):
    """(status, queries) for one request, after one untimed request warms the session."""
    client = Client()
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data) if data else getattr(client, method)(path)
    # Shown with `pytest -s`: the figures the closing notes quote.
    shown = "/patients/<id>/" if path.startswith("/patients/") else path
    print(f"queries: {method.upper()} {shown} {len(queries)}")
    return response.status_code, len(queries)


STAFF_PAGES = {
    "triage_queue": ("ttp", "/ttp/triage/"),
    "ttp_caseload": ("ttp", "/ttp/"),
    "gp_referral_list": ("gp", "/gp/"),
    "waiting_list": ("manager", "/manager/waiting-list/"),
    "activity_dashboard": ("manager", "/manager/activity/"),
    "manager_dashboard": ("manager", "/manager/"),
    "outcomes_report": ("manager", "/manager/outcomes/"),
}


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_page_runs_the_same_queries_at_both_sizes(regions, page):
    role, path = STAFF_PAGES[page]
    counts = {}
    for size, region in regions.items():
        status, counts[size] = _count(region[role], "get", path)
        assert status == 200, f"{page} at {size}"

    assert counts["small"] == counts["large"], f"{page}: {counts}"
    assert counts["large"] <= MAX_QUERIES, f"{page}: {counts}"


def test_patient_timeline_runs_the_same_queries_for_one_and_four_episodes(regions):
    counts = {}
    for size, region in regions.items():
        path = f"/patients/{region['returner'].public_id}/"
        status, counts[size] = _count(region["ttp"], "get", path)
        assert status == 200

    assert regions["large"]["returner"].episodes.count() == LARGE // 3
    assert counts["small"] == counts["large"] <= MAX_QUERIES, counts


def _referral_post(region, number):
    gp = region["gp"]
    return referral_answers(
        nhs_number=number,
        given_name="Count",
        family_name="Queries",
        date_of_birth_day="14",
        date_of_birth_month="3",
        date_of_birth_year="1971",
        sex="female",
        postcode="NE1 4LP",
        email="count@example.com",
        preferred_channel="email",
        registered_practice=str(gp.practice_id),
        service=str(region["service"].pk),
        action="submit",
    )


def test_gp_referral_submission_runs_the_same_queries_at_both_sizes(regions):
    counts = {}
    # Valid test-range numbers far above the factories' sequence.
    for size, number in (("small", "9998000009"), ("large", "9998000017")):
        status, counts[size] = _count(
            regions[size]["gp"], "post", "/gp/refer/", _referral_post(regions[size], number)
        )
        assert status == 302, size

    assert counts["small"] == counts["large"] <= MAX_QUERIES + SUBMISSION_TRANSACTION_QUERIES, (
        counts
    )


def test_gp_referral_of_a_known_patient_runs_the_same_queries_at_both_sizes(regions):
    """A known person is locked and updated, not inserted, and their history is read too."""
    counts = {}
    for size, region in regions.items():
        patient = PatientFactory(
            registered_practice=region["gp"].practice, date_of_birth=datetime.date(1971, 3, 14)
        )
        status, counts[size] = _count(
            region["gp"], "post", "/gp/refer/", _referral_post(region, patient.nhs_number)
        )
        assert status == 302, size

    assert counts["small"] == counts["large"] <= MAX_QUERIES + SUBMISSION_TRANSACTION_QUERIES, (
        counts
    )


def _open_link(region):
    """A fresh baseline link for someone newly referred in `region`."""
    patient = PatientFactory(
        registered_practice=region["gp"].practice, date_of_birth=datetime.date(1970, 6, 15)
    )
    episode = refer(gp=region["gp"], patient=patient, service=region["service"]).episode
    open_due_timepoints()
    timepoint = PromTimepoint.objects.get(episode=episode, timepoint="baseline")
    assert timepoint.state == TimepointState.OPEN
    token, _ = create_link(timepoint=timepoint)
    return token


def test_patient_questionnaire_submission_runs_the_same_queries_at_both_sizes(regions):
    counts = {}
    for size, region in regions.items():
        client = Client()
        token = _open_link(region)
        client.post(f"/q/{token}/")
        client.post(
            "/q/confirm/",
            {"date_of_birth_day": "15", "date_of_birth_month": "6", "date_of_birth_year": "1970"},
        )
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/q/questionnaire/pain_nrs/", {"pain_nrs": "6"})
        assert response.status_code == 302, size
        assert response["Location"] == "/q/questionnaire/"
        counts[size] = len(queries)

    assert counts["small"] == counts["large"] <= MAX_QUERIES, counts


def test_api_referral_runs_the_same_queries_at_both_sizes(regions):
    """A GP system's referral over FHIR, built as the benchmark builds it."""
    counts = {}
    for size, number in (("small", "9998000025"), ("large", "9998000033")):
        region = regions[size]
        http = Client()
        token = access_token(http, make_client(region["gp"].practice, scopes=API_WRITE))
        body = referral_bundle(region["gp"].practice, region["service"], number)
        with CaptureQueriesContext(connection) as queries:
            response = http.post(
                "/fhir/R4/", body, content_type="application/fhir+json", headers=bearer(token)
            )
        assert response.status_code == 201, response.content
        counts[size] = len(queries)
        print(f"queries: POST /fhir/R4/ {len(queries)}")

    assert counts["small"] == counts["large"] <= MAX_QUERIES + SUBMISSION_TRANSACTION_QUERIES, (
        counts
    )
