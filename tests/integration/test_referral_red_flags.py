"""Red flags on the GP's template, as the corrected clinical reference (section 6) says.

A cauda equina flag stops the referral at once. Any other flag asks "Is serious pathology
suspected?" with the template's recommendation: "suspected" records a consultation that does
not enter the pathway and names where the person was sent; "not suspected" needs a reason and
the referral goes on, with the flags shown to the TTP.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway.care.models import Episode
from pathway.patients.models import Patient
from pathway.referrals.models import Referral, ReferralOutcome
from tests.referral_data import referral_post

pytestmark = pytest.mark.django_db

REFER_URL = reverse("referrals:new")
REASON = "Pain eases with movement and changes with posture; well, no weight loss."


@pytest.fixture
def gp_client(client, gp, service):
    client.force_login(gp)
    return client


def born_years_ago(years):
    """Date of birth fields for someone `years` old today (their birthday a month ago)."""
    month_ago = timezone.localdate() - datetime.timedelta(days=31)
    try:
        born = month_ago.replace(year=month_ago.year - years)
    except ValueError:  # 29 February, in a year without one
        born = month_ago.replace(year=month_ago.year - years, day=28)
    return {
        "date_of_birth_day": str(born.day),
        "date_of_birth_month": str(born.month),
        "date_of_birth_year": str(born.year),
    }


def submit(client, practice, **changes):
    return client.post(REFER_URL, referral_post(practice=practice, **changes))


def page_of(response):
    return response.content.decode()


def form_group(page, field_name):
    """The HTML of one field's NHS.UK form group, so an error can be checked to be beside it."""
    start = page.rindex("<div", 0, page.index(f'id="div_id_{field_name}"'))
    following = page.find('id="div_id_', page.index('id="div_id_', start) + 1)
    return page[start : following if following != -1 else len(page)]


# --- "Not suspected": the referral goes on


@pytest.mark.parametrize(
    ("age", "flag"),
    [
        (17, "red_flag_night_pain"),
        (17, "red_flag_new_onset_over_50_or_under_20"),
        (58, "red_flag_night_pain"),
        (58, "red_flag_new_onset_over_50_or_under_20"),
    ],
)
def test_single_flag_not_suspected_with_a_reason_becomes_a_referral(
    gp_client, gp, practice, service, age, flag
):
    before = timezone.now()

    response = submit(
        gp_client,
        practice,
        **born_years_ago(age),
        **{flag: "yes"},
        red_flag_judgement="not_suspected",
        red_flag_judgement_reason=REASON,
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.outcome == ReferralOutcome.REFERRED
    assert referral.red_flags_found == [flag.removeprefix("red_flag_")]
    assert referral.red_flag_action == ""
    assert referral.red_flag_recommendation == "not_suspected"
    assert referral.red_flag_judgement == "not_suspected"
    assert referral.red_flag_judgement_reason == REASON
    assert referral.red_flags_judged_by == gp
    assert before <= referral.red_flags_judged_at <= timezone.now()
    assert Episode.objects.get().referral == referral


def test_not_suspected_against_the_recommendation_is_recorded_with_the_reason(gp_client, practice):
    # A 17-year-old's first episode with night pain: two flags of one group, so the template
    # recommends "suspected"; the GP judges otherwise and says why.
    submit(
        gp_client,
        practice,
        **born_years_ago(17),
        red_flag_new_onset_over_50_or_under_20="yes",
        red_flag_night_pain="yes",
        red_flag_judgement="not_suspected",
        red_flag_judgement_reason=REASON,
    )

    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.REFERRED
    assert referral.red_flag_recommendation == "suspected"
    assert referral.red_flag_judgement == "not_suspected"
    assert referral.red_flag_judgement_reason == REASON


def test_red_flags_not_suspected_are_shown_prominently_to_the_ttp(client, gp_client, practice, ttp):
    submit(
        gp_client,
        practice,
        red_flag_night_pain="yes",
        red_flag_judgement="not_suspected",
        red_flag_judgement_reason=REASON,
    )
    episode = Episode.objects.get()
    client.force_login(ttp)

    queue = page_of(client.get(reverse("care:triage_queue")))
    episode_page = page_of(client.get(reverse("care:episode", args=[episode.public_id])))
    summary = page_of(client.get(reverse("referrals:detail", args=[episode.referral.public_id])))

    assert 'data-testid="red-flags-tag"' in queue
    for page in (episode_page, summary):
        notice = page[page.index('data-testid="red-flags-considered"') :]
        assert "pain at night that is not eased by rest" in notice
        assert REASON in notice
        assert "screen again at assessment" in notice


# --- "Suspected": a consultation that does not enter the pathway, with where the person went


def test_suspected_pathology_is_recorded_as_a_consultation_sent_elsewhere(gp_client, gp, practice):
    response = submit(
        gp_client,
        practice,
        red_flag_history_of_cancer="yes",
        red_flag_judgement="suspected",
        # Nothing after the red flags is needed to record where the person was sent, and what
        # was answered is kept.
        exclusion_housebound=None,
        decision=None,
    )

    referral = Referral.objects.get()
    summary = page_of(gp_client.get(response.url))
    gp_list = page_of(gp_client.get(reverse("referrals:gp_home")))
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert referral.red_flag_action == "suspected_cancer_pathway"
    assert (referral.red_flag_recommendation, referral.red_flag_judgement) == (
        "suspected",
        "suspected",
    )
    assert referral.red_flags_judged_by == gp
    assert referral.urgency_answers["severe_sleep_disturbance"] is False
    assert not Episode.objects.exists()
    assert "suspected-cancer pathway" in summary
    assert "Serious pathology suspected: sent elsewhere" in gp_list


def test_suspected_against_the_recommendation_needs_a_reason_then_names_the_destination(
    gp_client, practice
):
    answers = {"red_flag_inflammatory_back_pain": "yes", "red_flag_judgement": "suspected"}

    refused = submit(gp_client, practice, **answers)
    submit(gp_client, practice, **answers, red_flag_judgement_reason="Uveitis last year")

    assert "does not recommend that serious pathology is suspected" in form_group(
        page_of(refused), "red_flag_judgement_reason"
    )
    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert referral.red_flag_action == "rheumatology"
    assert referral.red_flag_judgement_reason == "Uveitis last year"


# --- Cauda equina stops regardless


def test_cauda_equina_stops_the_referral_whatever_the_gp_answers(gp_client, practice):
    submit(
        gp_client,
        practice,
        red_flag_urinary_retention_or_incontinence="yes",
        red_flag_night_pain="yes",
        red_flag_judgement="not_suspected",
        red_flag_judgement_reason=REASON,
    )

    referral = Referral.objects.get()
    assert referral.outcome == ReferralOutcome.REDIRECTED
    assert referral.red_flag_action == "emergency_same_day"
    assert referral.red_flag_judgement == ""  # never asked
    assert not Episode.objects.exists()


# --- Missing answers: an error beside the field, nothing saved, nothing lost


def test_not_suspected_without_a_reason_is_an_error_beside_the_field_and_nothing_is_saved(
    gp_client, practice
):
    response = submit(
        gp_client, practice, red_flag_night_pain="yes", red_flag_judgement="not_suspected"
    )

    page = page_of(response)
    group = form_group(page, "red_flag_judgement_reason")
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "nhsuk-form-group--error" in group
    assert "Say why you do not suspect serious pathology" in group
    assert 'href="#id_red_flag_judgement_reason"' in page  # the error summary links to it
    assert re.search(r'value="not_suspected"[^>]*checked', page)  # the answer is kept
    assert 'value="Referral"' in page
    assert not Referral.objects.exists()
    assert not Patient.objects.exists()


def test_a_flag_without_a_judgement_asks_the_question_with_an_error(gp_client, practice):
    response = submit(gp_client, practice, red_flag_fever="yes")

    page = page_of(response)
    group = form_group(page, "red_flag_judgement")
    assert "Is serious pathology suspected?" in group
    assert "say whether you suspect serious pathology" in group
    assert 'href="#id_red_flag_judgement_0"' in page
    assert not Referral.objects.exists()


def test_judgement_error_is_shown_with_every_other_missing_answer(gp_client, practice):
    response = submit(
        gp_client,
        practice,
        red_flag_night_pain="yes",
        red_flag_judgement="not_suspected",
        exclusion_housebound=None,
        startback_3=None,
    )

    page = page_of(response)
    assert "Say why you do not suspect serious pathology" in page
    assert "Eligibility: tick each that applies" in page
    assert not Referral.objects.exists()


# --- The question without JavaScript, and live


def test_the_question_is_asked_without_javascript_once_a_flag_is_answered_yes(gp_client, practice):
    before = page_of(gp_client.get(REFER_URL))
    response = gp_client.post(
        REFER_URL,
        {**referral_post(practice=practice, red_flag_night_pain="yes"), "action": "assess"},
    )

    page = page_of(response)
    assert "Is serious pathology suspected?" not in before
    assert 'name="red_flag_judgement"' in page
    assert 'data-testid="red-flag-recommendation"' in page
    assert "There is a problem" not in page
    assert not Referral.objects.exists()


def test_live_panel_asks_the_question_with_the_recommendation_and_keeps_the_answer(
    gp_client, practice
):
    data = referral_post(
        practice=practice,
        red_flag_history_of_cancer="yes",
        red_flag_judgement="suspected",
    )

    response = gp_client.post(reverse("referrals:assess"), data, HTTP_HX_REQUEST="true")

    page = page_of(response)
    assert 'id="live-red-flag-question" hx-swap-oob="true"' in page
    assert "a past history of cancer" in page
    assert re.search(r'value="suspected"[^>]*checked', page)
    assert "suspected-cancer pathway" in page
    assert not Referral.objects.exists()


def test_live_panel_keeps_a_typed_reason_while_cauda_equina_hides_the_question(gp_client, practice):
    data = referral_post(
        practice=practice,
        red_flag_night_pain="yes",
        red_flag_saddle_anaesthesia="yes",
        red_flag_judgement="not_suspected",
        red_flag_judgement_reason="Typed before the cauda equina answer",
    )

    page = page_of(gp_client.post(reverse("referrals:assess"), data, HTTP_HX_REQUEST="true"))

    assert "emergency department" in page
    assert 'name="red_flag_judgement" value="not_suspected"' in page
    assert 'value="Typed before the cauda equina answer"' in page
    assert "Is serious pathology suspected?" not in page
