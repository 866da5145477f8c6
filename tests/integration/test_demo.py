import pytest
from django.core.management import call_command
from django.http import HttpRequest
from django.utils import timezone

from pathway.accounts.models import User
from pathway.care.models import Episode, EpisodeState
from pathway.demo.management.commands.load_demo import DEMO_PASSWORD
from pathway.patients.models import Patient
from pathway.referrals.answers import STARTBACK_FIELDS
from pathway.referrals.models import Referral, ReferralOutcome
from tests.form_values import form_values
from tests.referral_data import MEDIUM_RISK, RISK_POSTS

pytestmark = pytest.mark.django_db

# The demo's named people; the generated ones (999 050 000x on) are tested in test_generator.
NAMED = {"patient__nhs_number__startswith": "99900"}


def test_demo_data_loads_twice_without_duplicates():
    call_command("load_demo")
    call_command("load_demo")

    assert set(User.objects.values_list("role", flat=True)) == {
        "gp",
        "ttp",
        "manager",
        "administrator",
    }
    assert User.objects.count() == 6
    assert Patient.objects.filter(nhs_number__startswith="99900").count() == 23
    assert Referral.objects.filter(**NAMED).count() == 25
    generated = Patient.objects.filter(nhs_number__startswith="99905").count()
    assert 250 <= generated <= 400


def test_demo_users_sign_in_with_the_documented_password(client):
    call_command("load_demo")

    for user in User.objects.all():
        # django-axes needs the request to count attempts by address.
        assert client.login(
            request=HttpRequest(), username=user.username, password=DEMO_PASSWORD
        ), user.username
        client.logout()


def test_demo_patients_use_only_the_test_nhs_number_range():
    call_command("load_demo")

    assert all(n.startswith("999") for n in Patient.objects.values_list("nhs_number", flat=True))


def test_demo_has_referrals_in_every_state_and_a_returner():
    call_command("load_demo")

    assert set(Referral.objects.values_list("outcome", flat=True)) == set(ReferralOutcome.values)
    assert set(Episode.objects.values_list("state", flat=True)) == set(EpisodeState.values)
    returner = Episode.objects.get(previous_episode__isnull=False, **NAMED)
    assert returner.referral.return_justification


def test_demo_has_red_flags_judged_both_ways_and_an_open_episode_for_the_other_area():
    call_command("load_demo")

    named = Referral.objects.filter(**NAMED)
    went_on = named.get(red_flag_judgement="not_suspected")
    sent = named.get(red_flag_judgement="suspected")
    assert went_on.outcome == ReferralOutcome.REFERRED and went_on.red_flag_judgement_reason
    assert (sent.outcome, sent.red_flag_action) == ("redirected", "suspected_cancer_pathway")
    assert named.get(red_flag_action="emergency_same_day").red_flag_judgement == ""
    assert named.get(other_open_episode__isnull=False).body_part == "neck"
    # The generated region has both too, counted the same way.
    generated = Referral.objects.filter(patient__nhs_number__startswith="99905")
    assert generated.filter(outcome="referred", red_flag_judgement="not_suspected").exists()
    assert not generated.filter(outcome="redirected", red_flag_judgement="not_suspected").exists()


def test_demo_caseload_has_dnas_cppp_joined_and_declined_and_onward_referrals():
    from pathway.care.models import Appointment, CPPPReferral, OnwardReferral, TherapySession

    call_command("load_demo")

    named = {"episode__patient__nhs_number__startswith": "99900"}
    assert Appointment.objects.filter(outcome="did_not_attend", **named).count() == 2
    assert set(CPPPReferral.objects.filter(**named).values_list("outcome", flat=True)) == {
        "joined",
        "declined",
    }
    assert OnwardReferral.objects.filter(destination="mri", **named).exists()
    assert TherapySession.objects.filter(**named).count() == 17  # Eve 2, Gina 3, cohort 6 x 2


def test_demo_patient_link_opens_the_persons_questionnaires(client):
    from io import StringIO

    call_command("load_demo")
    out = StringIO()
    call_command("demo_patient_link", "9990000018", stdout=out)
    link = out.getvalue().strip().splitlines()[-1]

    # The link swaps its token for a session at once and redirects to the first page.
    page = client.get(link.replace("http://127.0.0.1:8000", ""), follow=True).content.decode()

    assert "Continue" in page


def test_demo_patient_link_refuses_real_nhs_numbers():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Only demo patients"):
        call_command("demo_patient_link", "9434765919")


def _gp_client(client, username="gp"):
    client.force_login(User.objects.get(username=username))
    return client


def test_readme_returner_walk_through_works_on_the_demo(client):
    """README, "As the GP": Gina Green (999 000 0077) was discharged 120 days ago and has no
    open episode, so the page shows her earlier episodes and asks about the return; without a
    reason the referral is refused with an error."""
    from tests.referral_data import referral_post

    call_command("load_demo")
    gina = Patient.objects.get(nhs_number="9990000077")
    assert not Episode.objects.filter(patient=gina, discharged_at__isnull=True).exists()
    gp = _gp_client(client)
    post = referral_post(
        practice=gina.registered_practice,
        nhs_number="999 000 0077",
        given_name="Gina",
        family_name="Green",
        date_of_birth_day="1",
        date_of_birth_month="12",
        date_of_birth_year="1966",
    )

    assessed = gp.post("/gp/refer/", {**post, "action": "assess"}).content.decode()
    submitted = gp.post("/gp/refer/", post)

    # 120 days (of 24 hours) before the demo was loaded: a day more if the load began before
    # midnight, a day fewer in the last hour of a winter day (the summer's clock is an hour on).
    discharged = Episode.objects.get(patient=gina).discharged_at
    days = (timezone.localdate() - timezone.localdate(discharged)).days
    assert days in (119, 120, 121)
    assert "Seen by the pathway before" in assessed
    assert f"Discharged {days} days ago for the same area" in assessed
    assert "already has an open episode" not in assessed
    assert submitted.status_code == 200
    page = submitted.content.decode()
    assert "Select whether these are new symptoms or the same problem" in page
    assert "say why care needs to re-open" in page
    assert Referral.objects.filter(patient=gina).count() == 1  # only the first, discharged


def test_readme_known_patient_and_other_practice_walk_through_works_on_the_demo(client):
    """README: 999 000 0018 and Enter fill in Alice Armstrong; gp.other sees none of them."""
    call_command("load_demo")
    alice = Patient.objects.get(nhs_number="9990000018")

    page = (
        _gp_client(client)
        .post("/gp/refer/", {"nhs_number": "999 000 0018", "action": "assess"})
        .content.decode()
    )
    client.logout()
    other = _gp_client(client, "gp.other")
    home = other.get("/gp/").content.decode()

    assert 'value="Alice"' in page and 'value="Armstrong"' in page  # filled in on Enter
    assert 'data-testid="patient-details"' in page
    assert "Armstrong" not in home
    assert other.get(f"/patients/{alice.public_id}/").status_code == 404


def test_the_gp_refers_alice_from_her_nhs_number_and_the_clinical_answers_alone(client):
    """Issue 18's "done": on the demo, the NHS number and Enter fill in everything about Alice
    Armstrong; the GP answers only the clinical questions. (Her back episode is open, so this
    referral is for her neck.)"""
    call_command("load_demo")
    gp = _gp_client(client)
    new_form = form_values(gp.get("/gp/refer/").content.decode(), "referral-form")
    found = gp.post("/gp/refer/", {**new_form, "nhs_number": "999 000 0018", "action": "assess"})
    typed_by_the_gp = {
        "body_part": "neck",
        "limb_symptoms": "no",
        "symptom_duration": "3_to_6",
        "recurrence": "first",
        "red_flags_none": "on",
        "exclusions_none": "on",
        "urgency_none": "on",
        **dict(zip(STARTBACK_FIELDS, RISK_POSTS[MEDIUM_RISK], strict=True)),
        "decision": "refer",
        "action": "submit",
    }

    response = gp.post(
        "/gp/refer/", {**form_values(found.content.decode(), "referral-form"), **typed_by_the_gp}
    )

    referral = Referral.objects.get(public_id=response.url.rstrip("/").rsplit("/", 1)[1])
    alice = Patient.objects.get(nhs_number="9990000018")
    assert (referral.patient, referral.body_part, referral.outcome) == (alice, "neck", "referred")
    assert (alice.given_name, alice.postcode, alice.email) == (
        "Alice",
        "NE1 4LP",
        "alice@example.com",
    )
    assert referral.service.code == "TYNE-MSK"  # the practice's usual service, already chosen
