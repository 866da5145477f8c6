"""A TTP records questionnaires with the person: every completed one, or none."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from pathway.audit.models import AuditEvent
from pathway.care import actions
from pathway.clinical import eq5d
from pathway.demo.referrals import refer
from pathway.proms.models import QuestionnaireResponse, SafetyAlert
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory, TTPFactory
from tests.slots import past_slot

pytestmark = pytest.mark.django_db


@pytest.fixture
def episode(gp, service):
    patient = PatientFactory(registered_practice=gp.practice)
    return refer(gp=gp, patient=patient, service=service).episode


@pytest.fixture
def ttp_client(client, ttp):
    client.force_login(ttp)
    return client


def url(episode, timepoint=None):
    path = reverse("care:record_questionnaires", args=[episode.public_id])
    return f"{path}?timepoint={timepoint}" if timepoint else path


def pain(value="6"):
    return {"pain_nrs": value}


def odi(*sections):
    return {f"odi_{number}": str(value) for number, value in enumerate(sections, 1)}


def eq5d5l(state="21341", vas="70"):
    codes = [code for code, _term, _label in eq5d.DIMENSIONS]
    return {**dict(zip(codes, state, strict=True)), "eq_vas": vas}


def gad7(*items):
    return {f"gad7_{number}": str(value) for number, value in enumerate(items, 1)}


def phq9(*items):
    return {f"phq9_{number}": str(value) for number, value in enumerate(items, 1)}


def baseline(**changes):
    """A complete baseline set: ODI sections sum to 20 (40.0%), GAD-7 total 7, PHQ-9 total 8
    with item 9 "not at all"."""
    data = {
        **pain("6"),
        **odi(2, 2, 2, 2, 2, 2, 2, 2, 2, 2),
        **eq5d5l(),
        **gad7(1, 1, 1, 1, 1, 1, 1),
        **phq9(1, 1, 1, 1, 1, 1, 1, 1, 0),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def discharge(episode, ttp):
    """Assessed an hour ago and discharged there with advice: the discharge questionnaires open
    (and the baseline closes)."""
    appointment = actions.book_appointment(
        context=TEST_CONTEXT,
        episode=episode,
        kind="first_assessment",
        starts_at=past_slot(),
        clinician=ttp,
        mode="telephone",
        recording_past=True,
        by=ttp,
    )
    actions.record_attendance(
        context=TEST_CONTEXT, appointment=appointment, outcome="attended", by=ttp
    )
    actions.record_triage_decision(
        context=TEST_CONTEXT,
        episode=episode,
        outcome="same_day_discharge",
        symptom_duration="lt_3",
        by=ttp,
    )


def messages_of(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def test_full_baseline_set_is_stored_with_the_clinical_cores_scores(ttp_client, ttp, episode):
    response = ttp_client.post(url(episode), baseline(**phq9(1, 1, 1, 1, 1, 1, 1, 1, 1)))

    assert response.status_code == 302
    assert response.url == reverse("care:episode", args=[episode.public_id])
    saved = {r.instrument: r for r in QuestionnaireResponse.objects.filter(episode=episode)}
    assert set(saved) == {"pain_nrs", "odi", "eq5d5l", "gad7", "phq9"}
    assert {r.timepoint for r in saved.values()} == {"baseline"}
    assert {(r.source, r.recorded_by) for r in saved.values()} == {("clinician", ttp)}
    assert saved["pain_nrs"].score == 6
    # ODI: ten sections summing to 20, all answered: 20 / 50 x 100.
    assert saved["odi"].scores == {"percent": 40.0, "band": "moderate"}
    assert saved["gad7"].scores == {"total": 7, "severity": "mild"}
    # PHQ-9 all ones: total 9, mild, and item 9 above 0.
    assert saved["phq9"].scores == {"total": 9, "severity": "mild", "self_harm_flag": True}
    assert saved["eq5d5l"].scores["state"] == "21341"
    assert saved["eq5d5l"].scores["vas"] == 70
    assert saved["eq5d5l"].scores["index"]["uk_crosswalk"] == eq5d.index("21341", "uk_crosswalk")
    assert saved["odi"].answers == {"sections": [2] * 10}
    assert (
        AuditEvent.objects.filter(
            action="create", object_type="proms.questionnaireresponse"
        ).count()
        == 5
    )


def test_phq9_item_9_above_zero_raises_a_safety_alert_and_a_warning(ttp_client, episode):
    response = ttp_client.post(url(episode), baseline(**phq9(0, 0, 0, 0, 0, 0, 0, 0, 2)))

    alert = SafetyAlert.objects.get()
    assert alert.episode == episode
    assert alert.response.instrument == "phq9"
    assert alert.acknowledged_at is None
    warnings = [text for level, text in messages_of(response) if level == "warning"]
    assert len(warnings) == 1
    assert "safety alert" in warnings[0]
    assert "their safety today" in warnings[0]
    assert "116 123" in warnings[0] and "999" in warnings[0] and "111" in warnings[0]


def test_phq9_item_9_not_at_all_raises_no_alert(ttp_client, episode):
    response = ttp_client.post(url(episode), baseline())

    assert response.status_code == 302
    assert not SafetyAlert.objects.exists()
    assert [level for level, _text in messages_of(response)] == ["success"]


def test_half_answered_gad7_is_refused_by_the_field_and_nothing_is_saved(ttp_client, episode):
    data = baseline(**{"gad7_4": None, "gad7_5": None, "gad7_6": None, "gad7_7": None})

    response = ttp_client.post(url(episode), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "GAD-7 item 4: choose an answer, or leave the whole questionnaire blank" in page
    assert 'id="id_gad7_4-error"' in page
    assert 'href="#id_gad7_4_0"' in page
    assert "GAD-7 item 7: choose an answer" in page
    assert not QuestionnaireResponse.objects.exists()
    # Everything typed is kept.
    assert 'name="pain_nrs" type="radio" value="6" checked' in page
    assert 'name="eq_vas" value="70"' in page


def test_odi_with_two_sections_missing_is_refused_by_the_clinical_core(ttp_client, episode):
    data = baseline(**{"odi_4": None, "odi_7": None})

    response = ttp_client.post(url(episode), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "ODI sections 4, 7 are missing" in page
    assert 'id="id_odi_4-error"' in page
    # All or nothing: the complete questionnaires were not saved either.
    assert not QuestionnaireResponse.objects.exists()


def test_odi_with_one_section_missing_is_scored_on_nine(ttp_client, episode):
    ttp_client.post(url(episode), {**odi(2, 2, 2, 2, 2, 2, 2, 2, 2, 2), "odi_10": ""})

    saved = QuestionnaireResponse.objects.get(instrument="odi")
    # Nine sections of 2: 18 / 45 x 100.
    assert saved.scores == {"percent": 40.0, "band": "moderate"}
    assert saved.answers == {"sections": [2] * 9 + [None]}


def test_only_the_completed_questionnaires_are_recorded(ttp_client, episode):
    response = ttp_client.post(url(episode), {**pain("3"), **gad7(3, 3, 3, 3, 3, 3, 0)})

    assert response.status_code == 302
    saved = dict(QuestionnaireResponse.objects.values_list("instrument", "score"))
    assert saved == {"pain_nrs": 3, "gad7": 18}


def test_an_all_blank_form_is_refused(ttp_client, episode):
    response = ttp_client.post(url(episode), {})

    assert response.status_code == 200
    assert "Every questionnaire is blank" in response.content.decode()
    assert not QuestionnaireResponse.objects.exists()


def test_out_of_range_eq_vas_is_refused_and_kept(ttp_client, episode):
    response = ttp_client.post(url(episode), eq5d5l(vas="130"))

    page = response.content.decode()
    assert "EQ VAS must be a whole number from 0 to 100" in page
    assert 'value="130"' in page
    assert not QuestionnaireResponse.objects.exists()


def test_recording_the_same_timepoint_twice_is_refused(ttp_client, episode):
    ttp_client.post(url(episode), baseline())

    response = ttp_client.post(url(episode), baseline())

    page = response.content.decode()
    assert response.status_code == 200
    assert "was already recorded for the baseline questionnaires" in page
    assert "it cannot be recorded twice" in page
    assert QuestionnaireResponse.objects.count() == 5


def test_page_shows_what_is_already_recorded_instead_of_its_questions(ttp_client, episode):
    ttp_client.post(url(episode), pain("4"))

    page = ttp_client.get(url(episode)).content.decode()

    assert 'data-testid="recorded-pain_nrs"' in page
    assert "4 out of 10" in page
    assert 'name="pain_nrs"' not in page
    assert 'name="odi_1"' in page


def test_page_asks_every_baseline_question_with_the_placeholder_labels(ttp_client, episode):
    page = ttp_client.get(url(episode)).content.decode()

    assert "ODI section 4 (licensed wording not installed)" in page
    assert "Level 5" in page
    assert 'data-testid="licensed-wording-hint"' in page
    assert "9. Thoughts that you would be better off dead" in page
    assert "nhsuk-radios--inline" in page
    assert 'name="gsos"' not in page
    assert " checked" not in page


def test_discharge_questionnaires_include_gsos_fft_and_readiness(ttp_client, ttp, episode):
    discharge(episode, ttp)
    data = {"gsos": "a_lot_better", "fft": "good", "fft_comment": " Helpful ", "readiness": "8"}

    response = ttp_client.post(url(episode, "discharge"), data)

    assert response.status_code == 302
    saved = {r.instrument: r for r in QuestionnaireResponse.objects.filter(timepoint="discharge")}
    assert set(saved) == {"gsos", "fft", "readiness"}
    assert saved["gsos"].scores == {"answer": "a_lot_better"}
    assert saved["fft"].scores == {"answer": "good", "comment": "Helpful"}
    assert saved["readiness"].score == 8


def test_fft_comment_without_an_answer_is_refused(ttp_client, ttp, episode):
    discharge(episode, ttp)
    response = ttp_client.post(url(episode, "discharge"), {"fft_comment": "Kind staff"})

    page = response.content.decode()
    assert "Friends and Family Test: choose an answer" in page
    assert "Kind staff" in page
    assert not QuestionnaireResponse.objects.exists()


def test_follow_up_timepoints_cannot_be_recorded_here(ttp_client, episode):
    assert ttp_client.get(url(episode, "month_6")).status_code == 404


def test_viewing_the_page_is_audited(ttp_client, ttp, episode):
    ttp_client.get(url(episode))

    event = AuditEvent.objects.get(action="view")
    assert (event.user, event.patient, event.object_type) == (ttp, episode.patient, "care.episode")


def test_ttp_of_another_service_gets_404(client, other_service, episode):
    client.force_login(TTPFactory(service=other_service))

    assert client.get(url(episode)).status_code == 404
    assert client.post(url(episode), baseline()).status_code == 404
    assert not QuestionnaireResponse.objects.exists()


def test_gp_gets_403(client, gp, episode):
    client.force_login(gp)

    assert client.get(url(episode)).status_code == 403
    assert client.post(url(episode), baseline()).status_code == 403
    assert not QuestionnaireResponse.objects.exists()
