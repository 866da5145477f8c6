"""A row the database holds never takes a page down (issue 15, item 1).

One appointment booked for 01/06/9999 once made the dashboard, the waiting list and the board
report answer 500 for every manager of the service ("year 10000 is out of range" in the
waiting-time calendar code). Forms now refuse such dates, but rows written before that, or by
hand, still exist: here they are written at the database level, past every check, and every
staff page of the service and every CSV it offers must still answer 200.
"""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from pathway.care import actions
from pathway.care.models import Appointment, Episode
from pathway.patients.models import Patient
from tests.audit_context import TEST_CONTEXT

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
YEAR_1 = datetime.datetime(1, 1, 1, 12, tzinfo=UTC)
YEAR_9999 = datetime.datetime(9999, 12, 31, 12, tzinfo=UTC)

MANAGER_PAGES = [
    "reports:dashboard",
    "reports:waiting_list",
    "reports:activity",
    "reports:outcomes",
    "reports:board_report",
]
TTP_PAGES = ["care:caseload", "care:triage_queue"]


def _book(episode, ttp, starts_at):
    appointment = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="first_assessment",
        starts_at=datetime.datetime.now(UTC) + datetime.timedelta(days=2),
        clinician=ttp,
        mode="telephone",
        by=ttp,
    )
    # Past every check, as a row written before them (or by hand) would be.
    Appointment.objects.filter(pk=appointment.pk).update(starts_at=starts_at)
    return appointment


@pytest.fixture
def extreme_rows(make_episode, ttp):
    far_future = make_episode()
    _book(far_future, ttp, YEAR_9999)
    long_ago = make_episode()
    _book(long_ago, ttp, YEAR_1)
    ancient = make_episode()
    Episode.objects.filter(pk=ancient.pk).update(
        referred_at=YEAR_1, clock_started_on=datetime.date(1, 1, 1)
    )
    future_clock = make_episode()
    Episode.objects.filter(pk=future_clock.pk).update(
        referred_at=YEAR_9999, clock_started_on=datetime.date(9999, 12, 31)
    )
    Patient.objects.filter(pk=future_clock.patient_id).update(
        date_of_birth=datetime.date(9999, 12, 31)
    )
    Patient.objects.filter(pk=ancient.patient_id).update(date_of_birth=datetime.date(1, 1, 1))
    return [far_future, long_ago, ancient, future_clock]


def _export_links(html):
    return sorted({unescape(link) for link in re.findall(r'href="([^"]*export=[^"]*)"', html)})


@pytest.mark.parametrize("name", MANAGER_PAGES)
def test_every_manager_page_and_csv_answers_with_extreme_stored_dates(
    client, manager, extreme_rows, name
):
    client.force_login(manager)
    url = reverse(name)

    page = client.get(url)

    assert page.status_code == 200, page.content[:2000]
    for link in _export_links(page.content.decode()):
        target = link if link.startswith("/") else f"{url}{link}"
        export = client.get(target)
        assert export.status_code == 200, target
        assert export["Content-Type"].startswith("text/csv"), target


def test_the_waiting_list_shows_an_implausible_stored_date_as_such(client, manager, extreme_rows):
    client.force_login(manager)

    page = client.get(reverse("reports:waiting_list")).content.decode()

    assert "Date out of range: check the record" in page


@pytest.mark.parametrize("name", TTP_PAGES)
def test_ttp_lists_answer_with_extreme_stored_dates(client, ttp, extreme_rows, name):
    client.force_login(ttp)

    assert client.get(reverse(name)).status_code == 200


def test_episode_and_history_pages_answer_with_extreme_stored_dates(client, ttp, extreme_rows):
    client.force_login(ttp)
    for episode in extreme_rows:
        page = client.get(reverse("care:episode", args=[episode.public_id]))
        assert page.status_code == 200, episode


def test_history_and_gp_pages_answer_with_extreme_stored_dates(client, ttp, gp, extreme_rows):
    client.force_login(ttp)
    for episode in extreme_rows:
        page = client.get(reverse("patients:detail", args=[episode.patient.public_id]))
        assert page.status_code == 200, episode
    client.force_login(gp)
    assert client.get(reverse("referrals:gp_home")).status_code == 200
    for episode in extreme_rows:
        page = client.get(reverse("referrals:detail", args=[episode.referral.public_id]))
        assert page.status_code == 200, episode


@pytest.mark.parametrize("name", ["reports:activity", "reports:outcomes", "reports:dashboard"])
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "0001-01-01"}, "Referred from must be on or after 1 January 2000"),
        ({"to": "9999-12-31"}, "Referred to must be on or before"),
        ({"from": "2024-02-30"}, "Referred from must be a real date"),
    ],
)
def test_an_implausible_report_range_is_refused_with_a_message(
    client, manager, name, params, message
):
    client.force_login(manager)

    page = client.get(reverse(name), params)

    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="scope-problems"' in html
    assert message in html
