import csv
import io

import pytest
from django.urls import reverse

from pathway.messaging.models import OutboundMessage

pytestmark = pytest.mark.django_db


def test_dashboard_counts_waiting_and_lists_failed_messages(client, manager, make_episode):
    episode = make_episode()
    failed = OutboundMessage.objects.filter(episode=episode).first()
    OutboundMessage.objects.filter(pk=failed.pk).update(
        state="failed", last_error="Email not accepted: SMTPDataError (SMTP 554)"
    )
    client.force_login(manager)

    page = client.get(reverse("reports:dashboard")).content.decode()

    assert 'data-testid="dashboard-waiting">1<' in page
    assert 'data-testid="dashboard-failed">1<' in page
    assert episode.patient.full_name in page
    assert "SMTP 554" in page


def test_dashboard_shows_nothing_of_another_service(client, make_episode, other_service):
    from tests.factories import ManagerFactory

    make_episode()
    client.force_login(ManagerFactory(service=other_service))

    page = client.get(reverse("reports:dashboard")).content.decode()

    assert 'data-testid="dashboard-waiting">0<' in page


def test_board_report_prints_waiting_activity_and_outcomes(client, manager, make_episode):
    make_episode()
    client.force_login(manager)

    page = client.get(reverse("reports:board_report")).content.decode()

    assert "1 (1 for assessment, 0 for treatment)" in page
    assert "Triage" in page and "data-print" in page


def test_board_report_csv_equals_its_table(client, manager, make_episode):
    make_episode()
    client.force_login(manager)

    response = client.get(reverse("reports:board_report"), {"export": "did-not-attend"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0][0]  # the header row of the did-not-attend table


@pytest.mark.parametrize("role", ["gp", "ttp"])
@pytest.mark.parametrize(
    "url_name", ["dashboard", "board_report", "waiting_list", "activity", "outcomes"]
)
def test_reports_refuse_gps_and_ttps(client, request, role, url_name):
    client.force_login(request.getfixturevalue(role))

    assert client.get(reverse(f"reports:{url_name}")).status_code == 403
