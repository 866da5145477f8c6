"""The stored outcomes report: the page serves it for the default scope with the same figures
as the live computation and says when it was computed; anything else (no summary, chosen dates,
another EQ-5D value set, yesterday's range) is computed live. The refresh is idempotent."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pathway.clinical import eq5d
from pathway.reports import outcome_summary, outcomes
from pathway.reports.models import OutcomeSummary
from pathway.reports.tasks import refresh_outcome_summaries
from tests.factories import ManagerFactory
from tests.integration.test_report_outcomes import (
    PEOPLE,
    URL,
    Person,
    build,
    follow_ups_open_at_discharge,  # noqa: F401 - an autouse fixture, used by name
    page_tables,
    people,  # noqa: F401 - a fixture, used by name
    record,
    scores,
)

pytestmark = pytest.mark.django_db

STORED = "recalculated every 15 minutes"
LIVE = "Figures calculated now"


def refresh():
    return refresh_outcome_summaries.apply().get()


def test_summary_page_shows_the_same_tables_as_the_live_page(client, manager, people):  # noqa: F811
    client.force_login(manager)
    live_tables, live_html = page_tables(client)
    assert LIVE in live_html
    refresh()
    stored_tables, stored_html = page_tables(client)
    assert STORED in stored_html
    assert stored_tables == live_tables
    assert len(stored_tables) == 1 + 3 + 12 + 2 + 1 + 1
    # The charts too: same SVG markup from the stored points.
    charts = stored_html[stored_html.index('<h2 id="means">') :]
    assert charts.count('data-testid="chart"') == 6
    assert live_html[live_html.index('<h2 id="means">') :] == charts


def test_stored_json_equals_a_fresh_computation(manager, people):  # noqa: F811
    refresh()
    summary = OutcomeSummary.objects.get()
    scope = outcomes.default_scopes(manager)[0]
    value_set = eq5d.VALUE_SETS[summary.value_set]
    fresh = outcomes.compute_report(manager, scope, value_set)
    assert summary.report == outcome_summary.report_to_json(fresh)
    assert outcome_summary.report_from_json(summary.report) == fresh


def test_summary_page_says_when_and_from_which_questionnaires(client, manager, people):  # noqa: F811
    refresh()
    summary = OutcomeSummary.objects.get()
    client.force_login(manager)
    _, html = page_tables(client)
    computed = timezone.localtime(summary.computed_at)
    latest = timezone.localtime(summary.latest_response_completed_at)
    assert (
        f"Figures calculated at {computed:%H:%M} on {computed.day} {computed:%B %Y} "
        f"from questionnaires up to one completed at {latest:%H:%M} on "
        f"{latest.day} {latest:%B %Y} ({summary.responses_count} questionnaire responses)"
    ) in html
    assert summary.responses_count > 0


def test_every_csv_of_the_stored_page_equals_its_table(client, manager, people):  # noqa: F811
    refresh()
    client.force_login(manager)
    tables, html = page_tables(client)
    assert STORED in html
    OutcomeSummary.objects.update(report=_with_marked_baseline(OutcomeSummary.objects.get().report))
    tables, _ = page_tables(client)
    assert tables["baseline"][0][0] == "Stored characteristic"
    for slug, shown in tables.items():
        response = client.get(f"{URL}?export={slug}")
        assert list(csv.reader(io.StringIO(response.content.decode()))) == shown, slug


def _with_marked_baseline(report):
    # A stored-only mark, so a CSV computed live instead would show in the comparison.
    report["baseline"]["columns"][0] = "Stored characteristic"
    return report


def test_page_without_a_summary_is_calculated_now(client, manager, people):  # noqa: F811
    client.force_login(manager)
    _, html = page_tables(client)
    assert LIVE in html
    assert STORED not in html


def test_summary_of_an_older_report_shape_is_calculated_live(client, manager, people):  # noqa: F811
    refresh()
    OutcomeSummary.objects.update(report={"baseline": {"slug": "baseline"}})
    client.force_login(manager)
    tables, html = page_tables(client)
    assert LIVE in html
    assert len(tables) == 1 + 3 + 12 + 2 + 1 + 1


def test_chosen_dates_are_calculated_live(client, manager, people):  # noqa: F811
    refresh()
    client.force_login(manager)
    today = timezone.localdate()
    _, html = page_tables(client, f"from={today - datetime.timedelta(days=30):%Y-%m-%d}")
    assert LIVE in html
    assert STORED not in html


def test_summary_of_yesterdays_range_is_not_served(client, manager, people):  # noqa: F811
    refresh()
    day = datetime.timedelta(days=1)
    summary = OutcomeSummary.objects.get()
    OutcomeSummary.objects.update(date_from=summary.date_from - day, date_to=summary.date_to - day)
    client.force_login(manager)
    _, html = page_tables(client)
    assert LIVE in html


def test_summary_on_another_value_set_is_recomputed_live(client, manager, people, settings):  # noqa: F811
    """Hazard control, "wrong value set in a report": a summary computed on one EQ-5D value
    set is never shown once the setting names another."""
    settings.EQ5D_VALUE_SET = "england_2018"
    refresh()
    assert OutcomeSummary.objects.get().value_set == "england_2018"
    settings.EQ5D_VALUE_SET = "uk_2026"
    client.force_login(manager)
    tables, html = page_tables(client)
    assert LIVE in html
    assert STORED not in html
    assert "England 2018" not in html
    index_rows = [row[0] for row in tables["means"] if row[0].startswith("EQ-5D")]
    assert index_rows == [f"EQ-5D-5L index ({eq5d.VALUE_SETS['uk_2026'].label})"]


def test_refresh_twice_keeps_one_row_per_scope(manager, people):  # noqa: F811
    assert refresh() == 1
    first = OutcomeSummary.objects.get()
    assert refresh() == 1
    second = OutcomeSummary.objects.get()
    assert second.pk == first.pk
    assert second.report == first.report
    assert second.computed_at >= first.computed_at


def test_refresh_takes_in_new_responses(client, manager, people, ttp):  # noqa: F811
    refresh()
    before = OutcomeSummary.objects.get()
    record(people["C2"].episode, "month_12", "pain_nrs", {"pain": 0}, ttp)
    refresh()
    after = OutcomeSummary.objects.get()
    assert after.responses_count == before.responses_count + 1
    assert after.latest_response_id > before.latest_response_id
    means = {row[0]: row for row in after.report["means"]["rows"]}
    assert (
        means["Pain NRS (0-10)"]
        != {r[0]: r for r in before.report["means"]["rows"]}["Pain NRS (0-10)"]
    )


def test_area_manager_gets_the_area_and_each_service(service, other_service, manager):
    area_manager = ManagerFactory(service=None, area=service.area)
    scopes = outcomes.default_scopes(area_manager)
    assert [scope.service for scope in scopes] == [
        None,
        *sorted((service, other_service), key=lambda s: s.name),
    ]
    assert refresh() == 1 + 3  # the service manager's one, the area's three
    assert OutcomeSummary.objects.filter(organisation_kind="area").count() == 3


def test_command_refreshes(manager, people):  # noqa: F811
    out = io.StringIO()
    call_command("refresh_outcome_summaries", stdout=out)
    assert "1 outcome summary stored" in out.getvalue()
    assert OutcomeSummary.objects.count() == 1


def test_summary_page_runs_few_queries_whatever_the_data(
    client, manager, gp, ttp, service, django_assert_max_num_queries
):
    client.force_login(manager)

    def seed(count, start):
        for number in range(start, start + count):
            person = Person(
                f"Q{number}", "core_therapy", "medium", "3_to_6", "female", 40 + number,
                scores={"baseline": scores(7, 40), "discharge": scores(4, 20)},
            )  # fmt: skip
            build(person, gp=gp, ttp=ttp, service=service)
        refresh()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        assert STORED in response.content.decode()
        return len(captured)

    seed(2, 0)
    with_two = queries()
    seed(6, 2)
    assert queries() == with_two
    # Session, user, scope's services, the summary: no episode or response rows are read.
    with django_assert_max_num_queries(6):
        client.get(URL)
    assert len(PEOPLE) > 0
