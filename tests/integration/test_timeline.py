"""The person's timeline: every visible episode, its care and scores, and the outcome charts."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pathway.audit.models import AuditEvent
from pathway.care import actions
from pathway.clinical import eq5d
from pathway.demo.referrals import refer
from pathway.patients.timeline import Box, chart, measures, plot, segments
from pathway.proms.actions import record_questionnaire
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory, TTPFactory
from tests.slots import past_slot

pytestmark = pytest.mark.django_db

PAST = timezone.now() - datetime.timedelta(hours=2)
RETURN = {"return_kind": "persisting", "return_justification": "Pain came back"}


def detail_url(patient):
    return reverse("patients:detail", args=[patient.public_id])


def assess(episode, ttp):
    appointment = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="first_assessment",
        starts_at=past_slot(),
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=True,
    )
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="attended", by=ttp
    )
    return appointment


def discharged_same_day(episode, ttp):
    assess(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="same_day_discharge",
        symptom_duration="3_to_6",
        by=ttp,
    )


def record(episode, timepoint, instrument, answers, by=None):
    source = "clinician" if by else "patient"
    return record_questionnaire(
        context=TEST_CONTEXT,
        episode=episode,
        timepoint=timepoint,
        instrument=instrument,
        answers=answers,
        source=source,
        by=by,
    )


def treated_episode(gp, service, ttp, patient):
    """Referred, assessed, core therapy with one session, scored at baseline and discharge,
    then discharged: everything the timeline shows. Each score inside its time point's window:
    the baseline before the therapy session, the discharge set once discharged."""
    episode = refer(gp=gp, patient=patient, service=service).episode
    assess(episode, ttp)
    record(episode, "baseline", "pain_nrs", {"pain": 8})
    record(episode, "baseline", "odi", {"sections": [2] * 10})
    record(episode, "baseline", "eq5d5l", {"state": "21341", "vas": 55})
    record(episode, "baseline", "phq9", {"items": [1] * 9})
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="core_therapy",
        symptom_duration="3_to_6",
        planned_sessions=4,
        by=ttp,
    )
    follow_up = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="follow_up",
        starts_at=past_slot(),
        clinician=ttp,
        mode="in_person",
        location="Riverside clinic",
        by=ttp,
        recording_past=True,
    )
    actions.record_attendance(
        context=TEST_CONTEXT,
        appointment=follow_up,
        outcome="attended",
        session_components=["education", "exercise"],
        by=ttp,
    )
    actions.discharge_episode(
        context=TEST_CONTEXT, episode=episode, reason="treatment_complete", by=ttp
    )
    record(episode, "discharge", "pain_nrs", {"pain": 3}, by=ttp)
    record(episode, "discharge", "odi", {"sections": [1] * 10}, by=ttp)
    record(episode, "discharge", "eq5d5l", {"state": "11121", "vas": 80}, by=ttp)
    return episode


@pytest.fixture
def treated(gp, service, ttp, patient):
    return treated_episode(gp, service, ttp, patient)


def page_for(client, user, patient):
    client.force_login(user)
    response = client.get(detail_url(patient))
    assert response.status_code == 200
    return response.content.decode()


def test_timeline_shows_the_episode_its_care_and_scores(client, ttp, patient, treated):
    page = page_for(client, ttp, patient)

    assert patient.full_name in page
    assert f"{patient.nhs_number[:3]} {patient.nhs_number[3:6]} {patient.nhs_number[6:]}" in page
    assert "15 June 1970" in page
    assert patient.registered_practice.name in page
    assert treated.service.name in page
    assert "Discharged" in page and "Treatment complete" in page
    assert page.count('data-testid="episode"') == 1
    assert "First assessment" in page and "Follow-up" in page
    assert "Riverside clinic" in page
    assert "Core therapy, 4 sessions planned" in page
    assert f"by {ttp.get_full_name()}" in page
    assert "Therapy session 1" in page and "Education, Exercise" in page
    assert "Book a first assessment" in page  # a state change in the history
    assert 'data-testid="scores-baseline"' in page and 'data-testid="scores-discharge"' in page
    assert "40.0%" in page and "Moderate disability" in page
    assert "Item 9 answered above 0" in page
    assert reverse("care:episode", args=[treated.public_id]) in page


def test_timeline_shows_cppp_decline_and_onward_referral(client, gp, service, ttp, patient):
    episode = refer(gp=gp, patient=patient, service=service).episode
    assess(episode, ttp)
    actions.record_triage_decision(
        context=TEST_CONTEXT, episode=episode, outcome="cppp", symptom_duration="3_to_6", by=ttp
    )
    actions.record_cppp_outcome(
        context=TEST_CONTEXT, episode=episode, outcome="declined", decline_reason="work", by=ttp
    )
    actions.discharge_episode(
        context=TEST_CONTEXT,
        episode=episode,
        reason="referred_on",
        onward_destination="mri",
        onward_reason="Persistent radicular pain",
        onward_sent_on=timezone.localdate(),
        by=ttp,
    )

    page = page_for(client, ttp, patient)

    assert "declined: Work commitments" in page
    assert "MRI scan" in page and "Persistent radicular pain" in page
    assert "Referred on" in page


def test_gp_of_the_practice_and_manager_of_the_service_see_the_timeline(
    client, gp, manager, patient, treated
):
    for user in (gp, manager):
        page = page_for(client, user, patient)
        assert treated.service.name in page
        assert "Core therapy" in page


def test_gp_of_another_practice_gets_404(client, other_gp, patient, treated):
    client.force_login(other_gp)

    assert client.get(detail_url(patient)).status_code == 404


def test_ttp_of_another_service_gets_404(client, other_service, patient, treated):
    client.force_login(TTPFactory(service=other_service))

    assert client.get(detail_url(patient)).status_code == 404


def test_ttp_sees_only_their_own_services_episodes(
    client, gp, service, other_service, ttp, patient, treated
):
    elsewhere = refer(gp=gp, patient=patient, service=other_service, answers=RETURN).episode
    other_ttp = TTPFactory(service=other_service)

    own_page = page_for(client, ttp, patient)
    other_page = page_for(client, other_ttp, patient)
    gp_page = page_for(client, gp, patient)

    assert own_page.count('data-testid="episode"') == 1
    assert other_service.name not in own_page
    assert other_page.count('data-testid="episode"') == 1
    assert service.name not in other_page
    assert "the earlier episode was with another service" in other_page
    assert "Item 9 answered above 0" not in other_page
    assert gp_page.count('data-testid="episode"') == 2
    assert f"#episode-{treated.public_id}" in gp_page
    assert reverse("care:episode", args=[elsewhere.public_id]) in other_page
    assert reverse("care:episode", args=[elsewhere.public_id]) not in own_page


def test_each_view_writes_one_audit_event(client, ttp, patient, treated):
    before = AuditEvent.objects.count()

    page_for(client, ttp, patient)

    events = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
    assert [(e.action, e.object_type, e.patient_id, e.user_id) for e in events] == [
        ("view", "patients.patient", patient.pk, ttp.pk)
    ]


def _svg(page, code):
    match = re.search(rf'<svg[^>]*data-testid="chart-{code}".*?</svg>', page, re.S)
    assert match, f"no {code} chart"
    return match.group(0)


def test_chart_and_table_show_the_same_numbers(client, ttp, patient, treated):
    page = page_for(client, ttp, patient)
    index_before = eq5d.index("21341", "uk_crosswalk")
    index_after = eq5d.index("11121", "uk_crosswalk")

    pain_svg = _svg(page, "pain_nrs")
    assert 'role="img"' in pain_svg
    assert (
        'aria-label="Pain (0 to 10), lower is better, by time point: Baseline 8, '
        'Discharge 3, 6 months not recorded, 12 months not recorded."'
    ) in pain_svg
    assert re.findall(r'data-value="([^"]+)"', pain_svg) == ["8", "3"]
    assert re.findall(r'data-value="([^"]+)"', _svg(page, "odi")) == ["40.0", "20.0"]
    assert "on the UK crosswalk to EQ-5D-3L (van Hout et al. 2012) value set" in _svg(
        page, "eq5d5l"
    )
    assert re.findall(r'data-value="([^"]+)"', _svg(page, "eq5d5l")) == [
        f"{index_before:.3f}",
        f"{index_after:.3f}",
    ]
    table = re.search(r'<table[^>]*data-testid="outcome-table".*?</table>', page, re.S).group(0)
    rows = [
        re.findall(r"<td[^>]*>([^<]*)</td>", row)
        for row in re.findall(r"<tr class=\"nhsuk-table__row\">.*?</tr>", table, re.S)[1:]
    ]
    assert rows == [
        ["8", "40.0", f"{index_before:.3f}"],
        ["3", "20.0", f"{index_after:.3f}"],
    ]
    assert "UK crosswalk to EQ-5D-3L (van Hout et al. 2012)" in table


def test_chart_uses_the_configured_value_set(client, ttp, patient, treated, settings):
    settings.EQ5D_VALUE_SET = "england_2018"

    page = page_for(client, ttp, patient)

    eq5d_svg = _svg(page, "eq5d5l")
    assert "England 2018 (Devlin et al.)" in page
    assert re.findall(r'data-value="([^"]+)"', eq5d_svg)[0] == (
        f"{eq5d.index('21341', 'england_2018'):.3f}"
    )


def test_no_chart_without_outcome_scores(client, gp, service, ttp, patient):
    refer(gp=gp, patient=patient, service=service)

    page = page_for(client, ttp, patient)

    assert "<svg" not in page.split("<main", 1)[1]
    assert 'data-testid="outcome-table"' not in page
    assert "No appointments." in page


def _patient_with_episodes(gp, service, ttp, count):
    patient = PatientFactory(registered_practice=gp.practice)
    for number in range(count):
        episode = refer(
            gp=gp, patient=patient, service=service, answers=RETURN if number else None
        ).episode
        record(episode, "baseline", "pain_nrs", {"pain": 5})
        record(episode, "baseline", "phq9", {"items": [0] * 9}, by=ttp)
        discharged_same_day(episode, ttp)
    return patient


def test_query_count_is_the_same_for_one_and_three_episodes(
    client, gp, service, ttp, django_assert_max_num_queries
):
    one = _patient_with_episodes(gp, service, ttp, 1)
    three = _patient_with_episodes(gp, service, ttp, 3)
    client.force_login(ttp)
    client.get(detail_url(one))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries_for_one:
        assert client.get(detail_url(one)).status_code == 200

    with django_assert_max_num_queries(len(queries_for_one)) as queries_for_three:
        response = client.get(detail_url(three))

    page = response.content.decode()
    assert page.count('data-testid="episode"') == 3
    assert page.count("First assessment") == 3
    assert page.count('data-testid="scores-baseline"') == 3
    assert len(queries_for_three) == len(queries_for_one)


# --- The chart arithmetic, checked by hand ---------------------------------------------------

TINY = Box(width=200, height=100, left=40, right=10, top=10, bottom=30)


def test_plot_spreads_time_points_across_and_scales_values_down():
    # Plot area: x 40..190 (150 wide), y 10..70 (60 high); 10 at the top, 0 at the bottom.
    coordinates = plot([("Baseline", 8), ("Discharge", 3)], low=0, high=10, box=TINY)

    assert coordinates == [(40.0, 22.0), (190.0, 52.0)]


def test_plot_puts_a_single_point_in_the_middle_and_clamps_to_the_scale():
    assert plot([("Baseline", 12)], low=0, high=10, box=TINY) == [(115.0, 10.0)]
    assert plot([("Baseline", -0.2)], low=-0.5, high=1, box=TINY) == [(115.0, 58.0)]


def test_missing_time_point_has_no_y_and_breaks_the_line():
    coordinates = plot(
        [("Baseline", 10), ("Discharge", None), ("6 months", 0), ("12 months", 5)],
        low=0,
        high=10,
        box=TINY,
    )

    assert coordinates == [(40.0, 10.0), (90.0, None), (140.0, 70.0), (190.0, 40.0)]
    assert segments(coordinates) == ("140.0,70.0 190.0,40.0",)


def test_chart_labels_summarise_the_numbers():
    pain = measures("uk_crosswalk")[0]

    result = chart(pain, [("Baseline", 8), ("Discharge", None)], box=TINY)

    assert result.aria_label == (
        "Pain (0 to 10), lower is better, by time point: Baseline 8, Discharge not recorded."
    )
    assert [(tick.text, tick.y) for tick in result.ticks] == [
        ("0", 70.0),
        ("5", 40.0),
        ("10", 10.0),
    ]
    assert [(p.x, p.y, p.label_y) for p in result.plotted] == [(40.0, 22.0, 13.0)]
