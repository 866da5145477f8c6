"""The activity report: every figure checked against a calculation written here, on data made
through the GP's referral and the TTP's actions, where the answer is known.

Expected intervals come straight from SciPy (binomtest's Wilson interval, the t distribution),
not from pathway.clinical.stats, so a mistake there would show here too.
"""

import csv
import datetime
import io
import math
import statistics
from collections import Counter
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from scipy import stats

from pathway.care import actions
from pathway.care.models import Appointment, Episode
from pathway.demo import care as demo_care
from pathway.demo.referrals import refer
from pathway.proms.models import PromTimepoint
from pathway.proms.schedule import record_non_response
from pathway.referrals.models import Referral
from tests.audit_context import TEST_CONTEXT
from tests.factories import (
    GPFactory,
    ManagerFactory,
    PatientFactory,
    PracticeFactory,
    ServiceFactory,
    TTPFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("reports:activity")
SLUGS = [
    "referrals-by-month",
    "referrals-by-risk",
    "referrals-by-practice",
    "gp-outcomes",
    "triage-outcomes",
    "did-not-attend",
    "returners",
    "cppp",
    "cppp-decline-reasons",
    "onward-referrals",
    "caseload",
    "questionnaire-responses",
]


# --- Reading the page and the CSV ------------------------------------------------------------


class _TableReader(HTMLParser):
    """Rows (header first) of the table inside data-testid="table-<slug>"."""

    def __init__(self, slug):
        super().__init__(convert_charrefs=True)
        self.slug, self.depth, self.rows, self.cell = slug, 0, [], None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag == "div"
            if tag == "tr":
                self.rows.append([])
            elif tag in {"td", "th"}:
                self.cell = ""
        elif tag == "div" and dict(attrs).get("data-testid") == f"table-{self.slug}":
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= tag == "div"
            if tag in {"td", "th"}:
                self.rows[-1].append(self.cell.strip())
                self.cell = None

    def handle_data(self, data):
        if self.depth and self.cell is not None:
            self.cell += data


def page_table(response, slug):
    assert response.status_code == 200
    reader = _TableReader(slug)
    reader.feed(response.content.decode())
    assert reader.rows, f"no table {slug} on the page"
    header, *rows = reader.rows
    if rows == [["No data in this range."]]:
        rows = []
    return [header, *rows]


def csv_table(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def rows_by_label(table):
    return {row[0]: row[1:] for row in table[1:]}


def report(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


# --- Independent arithmetic ------------------------------------------------------------------


def pct(k, n):
    return f"{100 * k / n:.1f}%"


def wilson(k, n):
    interval = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return f"{100 * interval.low:.1f}% to {100 * interval.high:.1f}%"


def t_interval(values):
    n = len(values)
    mean = statistics.fmean(values)
    half = stats.t.ppf(0.975, n - 1) * statistics.stdev(values) / math.sqrt(n)
    return f"{mean:.1f}", f"{mean - half:.1f} to {mean + half:.1f}"


# --- Care made through the TTP's actions -----------------------------------------------------


def _at(days):
    return timezone.now() + datetime.timedelta(days=days)


def book(episode, ttp, *, kind="first_assessment", days=-1):
    starts_at = Appointment.objects.first_free_start(ttp, _at(days))
    return actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind=kind,
        starts_at=starts_at,
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=starts_at < timezone.now(),
    )


def attend(appointment, ttp, outcome="attended"):
    return actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome=outcome, by=ttp
    )


def triage(episode, ttp, outcome, **kwargs):
    attend(book(episode, ttp), ttp)
    if outcome == "core_therapy":
        kwargs.setdefault("planned_sessions", 6)
    if outcome == "onward_referral":
        kwargs.setdefault("onward_destination", "mri")
        kwargs.setdefault("onward_reason", "Progressive leg weakness")
        kwargs.setdefault("onward_sent_on", timezone.localdate())
    return actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome=outcome,
        symptom_duration="3_to_6",
        by=ttp,
        **kwargs,
    )


def returner(make_episode, ttp, *, days_since_discharge, kind):
    """A person discharged `days_since_discharge` days ago (at noon) and referred again today."""
    first = make_episode(days_ago=days_since_discharge + 10)
    triage(first, ttp, "same_day_discharge")
    discharged_on = timezone.localdate() - datetime.timedelta(days=days_since_discharge)
    Episode.objects.filter(pk=first.pk).update(
        discharged_at=timezone.make_aware(
            datetime.datetime.combine(discharged_on, datetime.time(12))
        )
    )
    answers = {"return_kind": kind, "return_justification": "Pain came back at work"}
    return make_episode(patient=first.patient, answers=answers)


def complete_baseline(episode, ttp):
    demo_care.questionnaires(
        episode,
        ttp,
        "baseline",
        pain=6,
        odi_sections=[2] * 10,
        eq5d_state="22222",
        vas=60,
        gad7=[1] * 7,
        phq9=[1] * 8 + [0],
    )


# --- Who may see it --------------------------------------------------------------------------


def test_activity_is_for_managers_only(client, gp, ttp, manager):
    assert report(client, gp).status_code == 403
    assert report(client, ttp).status_code == 403
    assert report(client, manager).status_code == 200


def test_activity_needs_sign_in(client):
    assert client.get(URL).status_code == 302


def test_manager_of_another_service_sees_only_their_own(
    client, gp, make_episode, ttp, service, other_service
):
    for outcome in ["same_day_discharge", "core_therapy", "cppp"]:
        triage(make_episode(), ttp, outcome)
    refer(gp=gp, patient=PatientFactory(registered_practice=gp.practice), service=other_service)
    other_manager = ManagerFactory(service=other_service)

    # Asking for the other service by its id changes nothing: it is not one of theirs.
    response = report(client, other_manager, service=service.pk)

    assert rows_by_label(page_table(response, "referrals-by-month"))["Total"][0] == "1"
    assert rows_by_label(page_table(response, "triage-outcomes"))["Total"][0] == "0"
    outcomes = rows_by_label(page_table(response, "gp-outcomes"))
    assert outcomes["Referred to the back pain service"][0] == "1"
    assert rows_by_label(page_table(response, "cppp"))["Invited"][0] == "0"
    assert rows_by_label(page_table(response, "did-not-attend"))["First assessment"][0] == "0"
    assert page_table(response, "caseload")[1:] == [
        ["No lead clinician yet (no appointment booked)", "1", "1", "0", "0", "0"]
    ]
    assert [row[0] for row in page_table(response, "referrals-by-practice")[1:]] == [
        gp.practice.name
    ]


# --- 1. Referrals ----------------------------------------------------------------------------


def test_referrals_per_month_by_risk_and_practice(
    client, manager, gp, other_gp, service, make_episode
):
    plan = [(gp, "low", 3), (gp, "medium", 3), (other_gp, "high", 40), (gp, "high", 70)]
    plan += [(other_gp, "medium", 75), (gp, "medium", 200)]  # 200 days ago: outside the range
    for who, risk, days_ago in plan:
        patient = PatientFactory(registered_practice=who.practice)
        refer(gp=who, patient=patient, risk=risk, days_ago=days_ago, service=service)
    date_from = timezone.localdate() - datetime.timedelta(days=100)

    response = report(client, manager, **{"from": date_from.isoformat()})

    in_range = [
        r
        for r in Referral.objects.select_related("practice")
        if timezone.localdate(r.created_at) >= date_from
    ]
    by_month = Counter()
    for r in in_range:
        month = timezone.localtime(r.created_at)
        by_month[(f"{month:%b %Y}", r.startback_risk)] += 1
    monthly = rows_by_label(page_table(response, "referrals-by-month"))
    by_risk = rows_by_label(page_table(response, "referrals-by-risk"))
    months = [label for label in monthly if label != "Total"]
    assert months[0] == f"{date_from:%b %Y}"
    assert months[-1] == f"{timezone.localdate():%b %Y}"
    for label in months:
        risks = [by_month[(label, risk)] for risk in ("low", "medium", "high")]
        assert monthly[label] == [str(sum(risks))]
        assert by_risk[label] == [*map(str, risks), "0", str(sum(risks))]
    assert monthly["Total"] == ["5"]
    assert by_risk["Total"] == ["1", "2", "2", "0", "5"]
    assert by_risk["% of referrals"] == [pct(1, 5), pct(2, 5), pct(2, 5), pct(0, 5), "100.0%"]

    by_practice = Counter(
        (f"{timezone.localtime(r.created_at):%b %Y}", r.practice.name) for r in in_range
    )
    monthly_detail = csv_table(
        client.get(URL, {"from": date_from.isoformat(), "export": "referrals-by-practice-month"})
    )[1:]
    assert {(row[0], row[1]): int(row[3]) for row in monthly_detail} == by_practice
    totals = Counter(r.practice.name for r in in_range)
    practice_rows = page_table(response, "referrals-by-practice")[1:]
    assert {row[0]: int(row[2]) for row in practice_rows} == totals
    assert "export=referrals-by-practice-month" in response.content.decode()


def test_referrals_chart_shows_the_same_months_as_its_table(client, manager, make_episode):
    # Both in this month whatever today is (3 and 4 days ago straddled two months on the 1st
    # to the 4th of every month).
    make_episode(days_ago=timezone.localdate().day - 1)
    make_episode(days_ago=0)

    response = report(client, manager)

    page = response.content.decode()
    assert f"{timezone.localdate():%b %y}: 2" in page  # the chart's accessible reading
    assert page.count('<rect x="') == len(page_table(response, "referrals-by-month")) - 2


def test_gp_outcomes_count_gp_ended_consultations_in_the_managers_area(
    client, manager, gp, service, make_episode
):
    for _ in range(3):
        make_episode()
    ended_at_gp = [
        ("low", {"decision": "discharge_with_advice"}),
        ("low", {"decision": "discharge_with_advice"}),
        ("medium", {"red_flag_bilateral_sciatica": True}),
        ("medium", {"exclusion_housebound": True}),
    ]
    for risk, answers in ended_at_gp:
        patient = PatientFactory(registered_practice=gp.practice)
        refer(gp=gp, patient=patient, risk=risk, answers=answers, service=service)
    # A practice in another area, with its own service: none of this manager's business.
    far_gp = GPFactory(practice=PracticeFactory())
    far_service = ServiceFactory(area=far_gp.practice.area)
    far_patient = PatientFactory(registered_practice=far_gp.practice)
    discharge = {"decision": "discharge_with_advice"}
    refer(gp=far_gp, patient=far_patient, risk="low", answers=discharge, service=far_service)
    refer(
        gp=far_gp, patient=PatientFactory(registered_practice=far_gp.practice), service=far_service
    )

    table = rows_by_label(page_table(report(client, manager), "gp-outcomes"))

    assert table["Referred to the back pain service"] == ["3", pct(3, 7)]
    assert table["Discharged by the GP with advice"] == ["2", pct(2, 7)]
    assert table["Serious pathology suspected: sent elsewhere"] == ["1", pct(1, 7)]
    assert table["Not eligible for the pathway"] == ["1", pct(1, 7)]
    assert table["Total"] == ["7", "100.0%"]


# --- 2. Triage and did-not-attend ------------------------------------------------------------


def test_triage_mix_with_wilson_intervals(client, manager, ttp, make_episode):
    outcomes = ["same_day_discharge"] * 2 + ["core_therapy"] * 3 + ["cppp", "onward_referral"]
    for outcome in outcomes:
        triage(make_episode(), ttp, outcome)
    make_episode()  # not yet triaged: left out

    table = rows_by_label(page_table(report(client, manager), "triage-outcomes"))

    counts = Counter(outcomes)
    labels = {
        "same_day_discharge": "Same-day discharge with advice and self-management",
        "core_therapy": "Core therapy",
        "cppp": "Combined Physical and Psychological Programme (CPPP)",
        "onward_referral": "Onward referral",
    }
    for code, label in labels.items():
        k = counts[code]
        assert table[label] == [str(k), pct(k, 7), wilson(k, 7)]
    assert table["Total"][0] == "7"


def test_dna_rate_for_first_assessments_and_follow_ups(client, manager, ttp, make_episode):
    # Four first assessments, one not attended: 25%.
    episodes = [make_episode() for _ in range(4)]
    attend(book(episodes[0], ttp), ttp, "did_not_attend")
    for episode in episodes[1:]:
        triage(episode, ttp, "core_therapy")
    # Follow-ups: attended twice, cancelled once, not attended once, one still to come.
    treated = episodes[1]
    follow_ups = [book(treated, ttp, kind="follow_up", days=-5 + day) for day in range(4)]
    book(treated, ttp, kind="follow_up", days=7)
    for appointment, outcome in zip(
        follow_ups,
        ["attended", "attended", "cancelled_by_patient", "did_not_attend"],
        strict=True,
    ):
        attend(appointment, ttp, outcome)

    table = rows_by_label(page_table(report(client, manager), "did-not-attend"))

    assert table["First assessment"] == ["4", "3", "1", "0", pct(1, 4), wilson(1, 4)]
    assert table["Follow-up"] == ["4", "2", "1", "1", pct(1, 4), wilson(1, 4)]


# --- 3. Returners ----------------------------------------------------------------------------


def test_returners_rate_days_and_kind(client, manager, ttp, make_episode):
    days = [2, 45, 130, 300]
    kinds = ["new_symptoms", "persisting", "persisting", "persisting"]
    for gap, kind in zip(days, kinds, strict=True):
        returner(make_episode, ttp, days_since_discharge=gap, kind=kind)
    make_episode()
    make_episode()
    referred = 4 + 4 + 2  # first episodes, returners, two new patients

    table = rows_by_label(page_table(report(client, manager), "returners"))

    assert table["Returners (of referrals to the service)"] == [
        str(referred),
        "4",
        pct(4, referred),
        wilson(4, referred),
    ]
    mean, interval = t_interval(days)
    assert table["Days from discharge to the new referral: mean"] == ["4", mean, "", interval]
    assert table["Days from discharge to the new referral: range"] == ["4", "2 to 300", "", ""]
    assert table["New symptoms (a recurrence)"] == ["4", "1", pct(1, 4), wilson(1, 4)]
    assert table["The same problem, persisting since discharge"] == [
        "4",
        "3",
        pct(3, 4),
        wilson(3, 4),
    ]


# --- 4. CPPP and onward referrals ------------------------------------------------------------


def test_cppp_uptake_is_joined_of_those_who_have_decided(client, manager, ttp, make_episode):
    invited = [make_episode() for _ in range(4)]
    for episode in invited:
        triage(episode, ttp, "cppp")
    actions.record_cppp_outcome(context=TEST_CONTEXT, episode=invited[0], outcome="joined", by=ttp)
    actions.record_cppp_outcome(context=TEST_CONTEXT, episode=invited[1], outcome="joined", by=ttp)
    actions.record_cppp_outcome(
        context=TEST_CONTEXT,
        episode=invited[2],
        outcome="declined",
        decline_reason="child_care",
        by=ttp,
    )
    # invited[3] has not decided yet.

    response = report(client, manager)

    table = rows_by_label(page_table(response, "cppp"))
    assert table["Invited"] == ["4", "", ""]
    assert table["Outcome not yet recorded"] == ["1", "", ""]
    assert table["Joined (uptake)"] == ["2", pct(2, 3), wilson(2, 3)]
    assert table["Declined"] == ["1", pct(1, 3), wilson(1, 3)]
    reasons = page_table(response, "cppp-decline-reasons")[1:]
    assert reasons == [["Child care", "1", "100.0%"]]


def test_onward_referrals_by_destination(client, manager, ttp, make_episode):
    triage(make_episode(), ttp, "onward_referral", onward_destination="mri")
    triage(make_episode(), ttp, "onward_referral", onward_destination="pain_management")
    treated = make_episode()
    triage(treated, ttp, "core_therapy")
    actions.discharge_episode(
        context=TEST_CONTEXT,
        episode=treated,
        reason="referred_on",
        onward_destination="mri",
        onward_reason="No better after six sessions",
        onward_sent_on=timezone.localdate(),
        by=ttp,
    )

    table = rows_by_label(page_table(report(client, manager), "onward-referrals"))

    assert table["MRI scan"] == ["2", pct(2, 3)]
    assert table["Pain management"] == ["1", pct(1, 3)]
    assert table["Spinal surgical opinion"] == ["0", pct(0, 3)]


# --- 5. Caseload and questionnaires ----------------------------------------------------------


def test_caseload_counts_open_episodes_per_lead_clinician(
    client, manager, ttp, service, make_episode
):
    colleague = TTPFactory(service=service, first_name="Ada", last_name="Ahmed")
    book(make_episode(), ttp, days=3)
    triage(make_episode(days_ago=800), ttp, "core_therapy")  # referred long ago, still open
    triage(make_episode(), ttp, "same_day_discharge")  # discharged: not on a caseload
    book(make_episode(), colleague, days=2)
    make_episode()  # awaiting triage: nobody's yet

    rows = page_table(report(client, manager), "caseload")

    assert rows[0] == [
        "Lead clinician",
        "Open episodes",
        "Awaiting triage",
        "Appointment booked",
        "In treatment",
        "Discharge proposed",
    ]
    assert rows[1:] == [
        ["Ada Ahmed", "1", "0", "1", "0", "0"],
        [f"{ttp.first_name} {ttp.last_name}", "2", "0", "1", "1", "0"],
        ["No lead clinician yet (no appointment booked)", "1", "1", "0", "0", "0"],
    ]


def test_questionnaire_response_rate_by_time_point(client, manager, ttp, make_episode):
    episodes = [make_episode() for _ in range(5)]
    complete_baseline(episodes[0], ttp)
    complete_baseline(episodes[1], ttp)
    # Two baselines close unanswered (their windows ended yesterday); one is still open.
    PromTimepoint.objects.filter(episode__in=episodes[2:4]).update(closes_at=_at(-1))
    record_non_response()

    table = rows_by_label(page_table(report(client, manager), "questionnaire-responses"))

    assert table["Baseline"] == ["2", "2", pct(2, 4), wilson(2, 4), "1", "0", "0"]
    assert table["Discharge"] == ["0", "0", "-", "-", "0", "0", "0"]


# --- Exports and query count -----------------------------------------------------------------


def _mixed_service(make_episode, ttp, count):
    """`count` episodes across both practices' months, TTPs and every triage decision."""
    colleague = TTPFactory(service=ttp.service)
    outcomes = ["core_therapy", "cppp", "same_day_discharge", "onward_referral", None]
    for number in range(count):
        episode = make_episode(risk=["low", "medium", "high"][number % 3], days_ago=number * 35)
        clinician = [ttp, colleague][number % 2]
        outcome = outcomes[number % len(outcomes)]
        if outcome:
            triage(episode, clinician, outcome)
        else:
            book(episode, clinician, days=5)
        if outcome == "cppp":
            actions.record_cppp_outcome(
                context=TEST_CONTEXT,
                episode=episode,
                outcome="declined",
                decline_reason="work",
                by=clinician,
            )


def test_every_csv_export_has_the_rows_the_page_shows(client, manager, ttp, make_episode):
    _mixed_service(make_episode, ttp, 6)
    returner(make_episode, ttp, days_since_discharge=20, kind="new_symptoms")

    page = report(client, manager)

    for slug in SLUGS:
        shown = page_table(page, slug)
        exported = csv_table(client.get(URL, {"export": slug}))
        assert exported == shown, slug
    assert len(page_table(page, "referrals-by-month")) > 2


def test_export_keeps_the_chosen_range_and_names_the_file(client, manager, make_episode):
    make_episode(days_ago=40)
    make_episode(days_ago=5)
    today = timezone.localdate()
    date_from = today - datetime.timedelta(days=10)
    params = {"from": date_from.isoformat(), "to": today.isoformat()}

    response = report(client, manager, export="referrals-by-month", **params)

    assert response["Content-Disposition"] == (
        f'attachment; filename="activity-{date_from}-to-{today}-referrals-by-month.csv"'
    )
    assert rows_by_label(csv_table(response))["Total"][0] == "1"


def test_query_count_is_the_same_for_one_and_ten_episodes(
    client, manager, ttp, service, make_episode, django_user_model
):
    _mixed_service(make_episode, ttp, 1)
    client.force_login(manager)
    client.get(URL)  # warm the session
    with CaptureQueriesContext(connection) as for_one:
        assert client.get(URL).status_code == 200

    _mixed_service(make_episode, ttp, 9)
    assert Episode.objects.filter(service=service).count() == 10
    with CaptureQueriesContext(connection) as for_ten:
        assert client.get(URL).status_code == 200

    assert len(for_ten) == len(for_one)
