import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway.audit.models import AuditEvent
from pathway.care.models import Episode, EpisodeState, EpisodeTransition
from pathway.patients.models import Patient
from pathway.referrals.models import Referral, ReferralOutcome, ReferralSource
from tests.audit_context import TEST_CONTEXT
from tests.factories import PatientFactory, ServiceFactory
from tests.referral_data import HIGH_RISK, LOW_RISK, referral_post

pytestmark = pytest.mark.django_db

REFER_URL = reverse("referrals:new")


@pytest.fixture
def gp_client(client, gp, service):
    client.force_login(gp)
    return client


def submit(client, practice, **changes):
    return client.post(REFER_URL, referral_post(practice=practice, **changes))


def page_of(response):
    return response.content.decode()


def test_template_asks_every_question_with_nothing_preselected(gp_client):
    page = page_of(gp_client.get(REFER_URL))

    assert "Red flags" in page and "STarT Back Screening Tool" in page
    assert "Does the person have faecal incontinence?" in page
    assert " checked" not in page


def test_referring_a_medium_risk_patient_opens_an_episode_awaiting_triage(
    gp_client, gp, practice, service
):
    response = submit(gp_client, practice)

    referral = Referral.objects.get()
    episode = Episode.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", args=[referral.public_id])
    assert referral.outcome == ReferralOutcome.REFERRED
    assert (referral.startback_total, referral.startback_psychosocial) == (5, 3)
    assert referral.startback_risk == "medium"
    assert referral.priority == referral.computed_priority == "standard"
    assert (referral.referred_by, referral.practice, referral.service) == (gp, practice, service)
    assert episode.state == EpisodeState.AWAITING_TRIAGE
    assert episode.clock_started_on == timezone.localdate()
    assert EpisodeTransition.objects.get().by == gp
    patient = Patient.objects.get()
    assert (patient.nhs_number, patient.postcode, patient.mobile) == (
        "9990000018",
        "NE1 4LP",
        "07700900982",
    )
    assert set(AuditEvent.objects.values_list("action", "object_type")) == {
        ("create", "patients.patient"),
        ("create", "referrals.referral"),
        ("create", "care.episode"),
    }


def test_referral_appears_in_the_services_triage_queue_and_the_gps_list(
    client, gp_client, practice, ttp
):
    submit(gp_client, practice)

    gp_list = page_of(gp_client.get(reverse("referrals:gp_home")))
    client.force_login(ttp)
    queue = page_of(client.get(reverse("care:triage_queue")))

    assert "REFERRAL, Ruth" in gp_list and "Awaiting triage" in gp_list
    assert "REFERRAL, Ruth" in queue and "Medium" in queue


def test_urgency_criterion_makes_the_referral_urgent(gp_client, practice):
    submit(gp_client, practice, urgency_severe_sleep_disturbance="yes")

    assert Episode.objects.get().priority == "urgent"


def test_priority_override_needs_a_reason_and_keeps_what_was_typed(gp_client, practice):
    response = submit(gp_client, practice, priority_override="urgent")

    page = page_of(response)
    assert response.status_code == 200
    assert "Say why you are changing the priority" in page
    assert 'value="Ruth"' in page
    assert not Referral.objects.exists()


def test_priority_override_with_a_reason_is_recorded(gp_client, practice):
    submit(
        gp_client,
        practice,
        priority_override="urgent",
        priority_override_reason="Lost job because of pain",
    )

    referral = Referral.objects.get()
    assert (referral.computed_priority, referral.priority) == ("standard", "urgent")
    assert referral.priority_override_reason == "Lost job because of pain"


def test_cauda_equina_red_flag_stops_the_referral_and_says_emergency(gp_client, practice):
    response = submit(
        gp_client,
        practice,
        red_flag_saddle_anaesthesia="yes",
        # Nothing after the red flags is needed to record where the person was sent.
        **{
            name: None
            for name in referral_post(practice=practice)
            if name.startswith(("exclusion_", "urgency_", "startback_"))
        },
        decision=None,
    )

    referral = Referral.objects.get()
    summary = page_of(gp_client.get(response.url))
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert referral.red_flags_found == ["saddle_anaesthesia"]
    assert referral.red_flag_action == "emergency_same_day"
    assert not Episode.objects.exists()
    assert "emergency department" in summary
    assert "nhsuk-card--care--emergency" in summary


def test_live_panel_shows_the_red_flag_advice_at_once(gp_client, practice):
    data = referral_post(practice=practice, red_flag_bilateral_sciatica="yes")

    response = gp_client.post(reverse("referrals:assess"), data, HTTP_HX_REQUEST="true")

    page = page_of(response)
    assert 'id="live-red-flags" aria-live="polite" hx-swap-oob="true"' in page
    assert "emergency department" in page
    assert response.headers["Vary"].find("HX-Request") >= 0
    assert not Referral.objects.exists()


def test_live_panel_scores_start_back_as_answered(gp_client, practice):
    response = gp_client.post(
        reverse("referrals:assess"), referral_post(practice=practice, startback=HIGH_RISK)
    )

    page = page_of(response)
    assert 'data-testid="startback-total">7<' in page
    assert 'data-testid="startback-psychosocial">5<' in page
    assert 'data-testid="startback-risk">High<' in page


def test_live_panel_reports_an_invalid_nhs_number(gp_client, practice):
    response = gp_client.post(
        reverse("referrals:assess"), referral_post(practice=practice, nhs_number="9990000019")
    )

    assert "Check the NHS number" in page_of(response)


def test_housebound_person_is_excluded_with_the_reason_recorded(gp_client, practice):
    response = submit(gp_client, practice, exclusion_housebound="yes")

    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.EXCLUDED
    assert referral.exclusions_found == ["housebound"]
    assert not Episode.objects.exists()
    assert "housebound" in page_of(gp_client.get(response.url))


def test_low_risk_discharge_with_advice_is_recorded_and_shows_the_advice(gp_client, practice):
    response = submit(gp_client, practice, startback=LOW_RISK, decision="discharge_with_advice")

    referral = Referral.objects.get()
    summary = page_of(gp_client.get(response.url))
    assert referral.outcome == ReferralOutcome.GP_DISCHARGED
    assert referral.startback_risk == "low"
    assert referral.recommendation == "advice_and_self_management"
    assert not Episode.objects.exists()
    assert "Stay active" in summary
    assert "Discharged by the GP with advice" in page_of(
        gp_client.get(reverse("home"), follow=True)
    )


def test_low_risk_referral_needs_a_reason(gp_client, practice):
    response = submit(gp_client, practice, startback=LOW_RISK)

    assert "say why you are referring" in page_of(response)
    assert not Referral.objects.exists()

    submit(gp_client, practice, startback=LOW_RISK, low_risk_referral_reason="Patient anxious")

    assert Referral.objects.get().low_risk_referral_reason == "Patient anxious"


def local_noon(*, days_ago):
    """Midday, local time, so day counts do not depend on the hour or on summer time."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def discharged_episode(gp, practice, service):
    """A back pain episode discharged 100 days ago for Ruth (NHS number 999 000 0018)."""
    patient = PatientFactory(
        nhs_number="9990000018",
        registered_practice=practice,
        date_of_birth=datetime.date(1971, 3, 14),
        given_name="Ruth",
        family_name="Referral",
    )
    previous = Referral.objects.create(
        submission_key="00000000-0000-4000-8000-000000000001",
        patient=patient,
        practice=practice,
        referred_by=gp,
        source=ReferralSource.GP_FORM,
        body_part="back",
        limb_symptoms=False,
        symptom_duration="lt_3",
        recurrence=False,
        red_flag_answers={},
        computed_priority="standard",
        priority="standard",
        startback_risk="medium",
        outcome=ReferralOutcome.REFERRED,
        service=service,
    )
    referred = timezone.now() - datetime.timedelta(days=160)
    return Episode.objects.create(
        patient=patient,
        service=service,
        referral=previous,
        body_part="back",
        priority="standard",
        state=EpisodeState.DISCHARGED,
        referred_at=referred,
        clock_started_on=referred.date(),
        discharged_at=local_noon(days_ago=100),
        discharge_reason="treatment_complete",
    )


def test_returner_within_twelve_months_needs_a_kind_and_a_justification(
    gp_client, practice, discharged_episode
):
    response = submit(gp_client, practice)

    page = page_of(response)
    assert "Seen by the pathway before" in page
    assert "Select whether these are new symptoms or the same problem" in page
    assert "say why care needs to re-open" in page
    assert Referral.objects.count() == 1


def test_returner_with_a_justification_is_linked_to_the_earlier_episode(
    gp_client, practice, discharged_episode
):
    submit(
        gp_client,
        practice,
        return_kind="persisting",
        return_justification="Pain back after stopping exercises",
    )

    episode = Episode.objects.exclude(pk=discharged_episode.pk).get()
    referral = episode.referral
    assert episode.previous_episode == discharged_episode
    assert episode.return_kind == "persisting"
    assert referral.days_since_previous_discharge == 100
    assert referral.return_justification == "Pain back after stopping exercises"


def test_returner_discharged_a_calendar_year_ago_today_still_needs_a_justification(
    gp_client, practice, discharged_episode
):
    today = timezone.localdate()
    try:
        anniversary = today.replace(year=today.year - 1)  # today is its anniversary
    except ValueError:
        # Today is 29 February: no date last year has it as its anniversary; 1 March's window
        # runs to tomorrow.
        anniversary = datetime.date(today.year - 1, 3, 1)
    noon = timezone.make_aware(datetime.datetime.combine(anniversary, datetime.time(12)))
    Episode.objects.filter(pk=discharged_episode.pk).update(
        referred_at=noon - datetime.timedelta(days=60), discharged_at=noon
    )

    response = submit(gp_client, practice, return_kind="persisting")

    assert "say why care needs to re-open" in page_of(response)
    assert Referral.objects.count() == 1


def test_returner_for_the_other_body_part_needs_no_justification(
    gp_client, practice, discharged_episode
):
    submit(gp_client, practice, body_part="neck", return_kind="new_symptoms")

    referral = Referral.objects.exclude(pk=discharged_episode.referral_id).get()
    assert referral.previous_episode == discharged_episode
    assert referral.return_justification == ""


def test_person_with_an_open_episode_cannot_be_referred_again(gp_client, practice):
    submit(gp_client, practice)

    response = submit(gp_client, practice)

    assert "already has an open episode" in page_of(response)
    assert Referral.objects.count() == 1


def test_open_episode_for_the_neck_does_not_bar_a_referral_for_the_back(
    client, gp_client, practice, ttp
):
    submit(gp_client, practice, body_part="neck")
    neck = Episode.objects.get()

    panel = page_of(gp_client.post(reverse("referrals:assess"), referral_post(practice=practice)))
    response = submit(gp_client, practice, body_part="back")

    back = Episode.objects.exclude(pk=neck.pk).get()
    assert 'data-testid="other-open-episode"' in panel
    assert response.status_code == 302
    assert back.body_part == "back"
    assert back.referral.other_open_episode == neck
    assert back.previous_episode is None  # not a returner: nothing was discharged
    client.force_login(ttp)
    queue = page_of(client.get(reverse("care:triage_queue")))
    episode_page = page_of(client.get(reverse("care:episode", args=[back.public_id])))
    assert queue.count('data-testid="other-open-episode-tag"') == 1
    assert "also had an open episode for the neck" in episode_page


def test_open_episode_for_the_back_still_bars_another_back_referral_after_a_neck_one(
    gp_client, practice
):
    submit(gp_client, practice, body_part="back")
    submit(gp_client, practice, body_part="neck")

    response = submit(gp_client, practice, body_part="back")

    assert "already has an open episode of care for this body part" in page_of(response)
    assert Referral.objects.count() == 2


def test_widespread_pain_is_excluded_by_default_with_the_reason_recorded(gp_client, practice):
    response = submit(gp_client, practice, exclusion_widespread_pain="yes")

    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.EXCLUDED
    assert referral.exclusions_found == ["widespread_pain"]
    assert "mainly in the back or neck" in page_of(gp_client.get(response.url))


def test_chronic_pain_is_excluded_only_where_the_service_turns_the_rule_on(
    gp_client, practice, service
):
    submit(gp_client, practice, exclusion_chronic_pain="yes")
    service.exclude_chronic_pain = True
    service.save()
    submit(gp_client, practice, nhs_number="9990000026", exclusion_chronic_pain="yes")

    outcomes = dict(Referral.objects.values_list("patient__nhs_number", "outcome"))
    assert outcomes == {"9990000018": "referred", "9990000026": "excluded"}
    assert Referral.objects.get(outcome="excluded").exclusions_found == ["chronic_pain"]


def test_double_submission_creates_one_referral(gp_client, practice):
    data = referral_post(practice=practice)

    first = gp_client.post(REFER_URL, data)
    second = gp_client.post(REFER_URL, data)

    assert Referral.objects.count() == 1
    assert first.url == second.url


def test_another_practices_referral_is_not_found(client, gp_client, practice, other_gp):
    response = submit(gp_client, practice)
    client.force_login(other_gp)

    assert client.get(response.url).status_code == 404
    assert "REFERRAL" not in page_of(client.get(reverse("referrals:gp_home")))


def test_ttp_of_another_service_cannot_open_the_referral(
    client, gp_client, practice, service, other_service
):
    from tests.factories import TTPFactory

    response = submit(gp_client, practice, service=str(service.pk))
    client.force_login(TTPFactory(service=other_service))

    assert client.get(response.url).status_code == 404


def test_existing_patient_of_the_practice_can_fill_in_the_details(gp_client, practice):
    PatientFactory(
        nhs_number="9990000026",
        registered_practice=practice,
        given_name="Brian",
        family_name="Bell",
        date_of_birth=datetime.date(1958, 11, 2),
        sex="male",
    )

    response = gp_client.post(
        REFER_URL, {"nhs_number": "999 000 0026", "action": "use_patient", "red_flag_fever": "yes"}
    )

    page = page_of(response)
    assert 'value="Brian"' in page and 'value="Bell"' in page
    assert 'value="1958"' in page
    assert 'value="yes" checked' in page  # the red flag ticked before is kept
    assert "There is a problem" not in page


def test_patient_of_another_practice_is_not_revealed_by_nhs_number_alone(
    gp_client, practice, other_practice
):
    PatientFactory(
        nhs_number="9990000026",
        registered_practice=other_practice,
        given_name="Hidden",
        date_of_birth=datetime.date(1958, 11, 2),
    )

    response = gp_client.post(reverse("referrals:assess"), {"nhs_number": "9990000026"})

    assert "Hidden" not in page_of(response)


def test_known_nhs_number_with_another_date_of_birth_is_refused(gp_client, practice):
    PatientFactory(
        nhs_number="9990000018",
        registered_practice=practice,
        date_of_birth=datetime.date(1980, 1, 1),
    )

    response = submit(gp_client, practice)

    assert "does not match our record for this NHS number" in page_of(response)
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"nhs_number": "9990000019"}, "does not match the others"),
        ({"nhs_number": "12345"}, "10 digits"),
        ({"date_of_birth_year": "2999"}, "Date of birth must be in the past"),
        ({"date_of_birth_year": str(timezone.localdate().year - 10)}, "must be 16 or older"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
        ({"red_flag_fever": None}, "Red flags: tick each red flag the person has"),
        ({"startback_9": None}, "STarT Back: answer question 9"),
        ({"sex": "male", "exclusion_pregnant_over_35_weeks": "yes"}, "recorded as male"),
        ({"mobile": "12345"}, "Enter a UK mobile phone number"),
        ({"decision": None}, "Select whether to refer or to discharge"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_lost(
    gp_client, practice, changes, message
):
    response = submit(gp_client, practice, **changes)

    page = page_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message.lower() in page.lower()
    assert 'value="Referral"' in page  # the family name typed is still there
    assert not Referral.objects.exists()
    assert not Patient.objects.exists()


def test_choice_of_provider_is_asked_when_the_area_has_two_services(gp_client, practice, service):
    second = ServiceFactory(area=practice.area, name="Second MSK service")

    page = page_of(gp_client.get(REFER_URL))
    response = submit(gp_client, practice)
    submit(gp_client, practice, nhs_number="9990000026", service=str(second.pk))

    assert "Which service does the person choose?" in page
    assert "Select the service the person chooses" in page_of(response)
    assert Referral.objects.get().service == second


def test_advice_page_is_public_and_printable(client, db):
    page = page_of(client.get(reverse("advice")))

    assert "Looking after your back or neck pain" in page
    assert "data-print" in page


def test_a_single_red_flag_ticked_shows_the_advice_with_the_others_answered_no(gp_client, practice):
    response = gp_client.post(
        reverse("referrals:assess"),
        {"nhs_number": "9990000018", "red_flag_faecal_incontinence": "yes"},
    )

    page = page_of(response)
    assert "emergency department" in page
    assert "not yet answered" not in page


def test_live_lookup_of_a_known_patient_is_audited(gp_client, gp, practice):
    patient = PatientFactory(nhs_number="9990000026", registered_practice=practice)

    gp_client.post(reverse("referrals:assess"), {"nhs_number": "9990000026"})

    event = AuditEvent.objects.get()
    assert (event.user, event.action, event.patient_id) == (gp, "view", patient.pk)


def test_gps_list_shows_the_appointment_date_without_a_query_per_referral(
    gp_client, practice, ttp, django_assert_max_num_queries
):
    import datetime as dt

    from pathway.care import actions

    for number in ("9990000018", "9990000026", "9990000034"):
        submit(gp_client, practice, nhs_number=number)
    day = timezone.localdate() + dt.timedelta(days=200)
    when = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    actions.book_appointment(
        context=TEST_CONTEXT,
        episode=Episode.objects.first(),
        kind="first_assessment",
        starts_at=when,
        clinician=ttp,
        mode="telephone",
        by=ttp,
        recording_past=when < timezone.now(),
    )

    with django_assert_max_num_queries(8):
        page = page_of(gp_client.get(reverse("referrals:gp_home")))

    assert f"Appointment booked for {day:%-d %b %Y}" in page
