"""A generated region checked against the domain (issue 16, item 6).

The bulk generator writes its rows with COPY, so none of the actions' checks ran on the way in.
This reads a small region back and asks the domain about every row: the lifecycle table for
each episode's transitions, the DNA policy for what followed each missed appointment, the
scoring functions for each stored score, and the referral rules for each referral's red flag
route, eligibility, priority, outcome and returner fields. Each test collects every
disagreement, so a failure lists them all.
"""

import datetime
from collections import defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from pathway.care import lifecycle
from pathway.care.models import Appointment, Episode, EpisodeTransition
from pathway.clinical import startback
from pathway.clinical.did_not_attend import propose_discharge
from pathway.clinical.red_flags import ASK_GP, route_red_flags, screen_red_flags
from pathway.clinical.referral_rules import (
    ReferralFacts,
    age_on,
    check_exclusions,
    priority,
    recommend,
)
from pathway.clinical.returners import PreviousEpisode, assess_return
from pathway.demo.generator import generate
from pathway.organisations.models import ProviderService
from pathway.proms.models import QuestionnaireResponse
from pathway.referrals.models import Referral, ReferralOutcome

# The clock and seed of tests/integration/test_generator.py: the same region on every day.
FIXED_NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
# Two years of a few hundred episodes: returners (some for the other body part), every
# consultation that ends at the GP, and every way an episode ends, in about two seconds.
SIZE, YEARS = 400, 2


def _opening_transition():
    """The lifecycle table's opening step (the one from no state), which opens every episode."""
    return lifecycle.transition("refer", lifecycle.NOT_OPEN)


@pytest.fixture(scope="module")
def region(django_db_setup, django_db_blocker):
    """One region for every test here, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        generate(size=SIZE, seed=1, years=YEARS, now=FIXED_NOW)
        yield
        transaction.set_rollback(True)


def _by_episode(queryset, *fields):
    rows = defaultdict(list)
    for row in queryset.order_by("episode_id", "id").values("episode_id", *fields):
        rows[row["episode_id"]].append(row)
    return rows


# --- Episodes --------------------------------------------------------------------------------


def _transition_problems(episode, steps, opening):
    problems = []
    first = steps[0] if steps else None
    if first is None or (first["name"], first["from_state"], first["to_state"]) != (
        opening.name,
        opening.source,
        opening.target,
    ):
        problems.append(f"does not open with {opening.name}: {first}")
    state, at = opening.target, None
    for step in steps[1:]:
        try:
            allowed = lifecycle.transition(step["name"], step["from_state"])
        except lifecycle.IllegalTransition as error:
            problems.append(f"{step['name']}: {error}")
            continue
        if step["from_state"] != state or step["to_state"] != allowed.target:
            problems.append(f"{step['name']} from {step['from_state']} when {state}")
        if allowed.needs_reason and not step["reason"].strip():
            problems.append(f"{step['name']} without the reason it needs")
        if at is not None and step["at"] < at:
            problems.append(f"{step['name']} at {step['at']} before the step it follows")
        state, at = allowed.target, step["at"]
    if state != episode["state"]:
        problems.append(f"transitions end in {state}, the episode is {episode['state']}")
    discharged = state == lifecycle.DISCHARGED
    if discharged != (episode["discharged_at"] is not None) or discharged != bool(
        episode["discharge_reason"]
    ):
        problems.append(f"{state} with discharged_at {episode['discharged_at']}")
    elif discharged and episode["discharged_at"] != at:
        problems.append(f"discharged at {episode['discharged_at']}, the transition at {at}")
    return problems


@pytest.mark.django_db
def test_every_episodes_transitions_follow_the_lifecycle_table(region):
    opening = _opening_transition()
    transitions = _by_episode(
        EpisodeTransition.objects.all(), "name", "from_state", "to_state", "at", "reason"
    )
    episodes = Episode.objects.values("id", "state", "discharged_at", "discharge_reason")
    problems = {
        episode["id"]: found
        for episode in episodes
        if (found := _transition_problems(episode, transitions[episode["id"]], opening))
    }
    names = {step["name"] for steps in transitions.values() for step in steps}

    assert problems == {}
    # Not vacuous: the region takes every path the generator knows.
    assert names >= {
        opening.name,
        "book_first_assessment",
        "first_appointment_missed",
        "start_treatment",
        "discharge_at_assessment",
        "decline_care",
        "propose_discharge_in_treatment",
        "discharge",
        "confirm_discharge",
    }


def _expected_after_dna(appointment, first_dnas, rules):
    """The step the DNA policy (care.actions.record_attendance) takes after a missed
    appointment: None for none."""
    if appointment["kind"] == "first_assessment":
        proposed = propose_discharge(
            first_appointment_dnas=first_dnas, dnas_after_treatment_started=0, rules=rules
        )
        if proposed and not appointment["dna_exception_reason"]:
            return "propose_discharge_before_treatment"
        return "first_appointment_missed"
    if appointment["dna_exception_reason"]:
        return None
    return "propose_discharge_in_treatment"


@pytest.mark.django_db
def test_every_missed_appointment_is_followed_by_the_dna_policys_step(region):
    rules = {service.pk: service.rules for service in ProviderService.objects.all()}
    episodes = {
        pk: (service_id, timezone.localdate(referred_at), clock_started_on)
        for pk, service_id, referred_at, clock_started_on in Episode.objects.values_list(
            "id", "service_id", "referred_at", "clock_started_on"
        )
    }
    transitions = _by_episode(EpisodeTransition.objects.all(), "name", "at")
    missed = Appointment.objects.filter(outcome="did_not_attend").order_by(
        "episode_id", "starts_at"
    )
    problems, first_dnas = [], defaultdict(int)
    # The waiting clock starts at the referral and restarts at a missed first appointment.
    clock = {pk: referred_on for pk, (_, referred_on, _) in episodes.items()}
    for appointment in missed.order_by("episode_id", "starts_at").values(
        "episode_id", "kind", "starts_at", "outcome_recorded_at", "dna_exception_reason"
    ):
        episode_id = appointment["episode_id"]
        if appointment["kind"] == "first_assessment":
            first_dnas[episode_id] += 1
        expected = _expected_after_dna(
            appointment, first_dnas[episode_id], rules[episodes[episode_id][0]]
        )
        # The step the outcome caused was recorded with it (not before, not after another).
        taken = next(
            (
                step["name"]
                for step in transitions[episode_id]
                if step["at"] == appointment["outcome_recorded_at"]
            ),
            None,
        )
        if taken != expected:
            problems.append((episode_id, appointment["kind"], expected, taken))
        if expected == "first_appointment_missed":
            clock[episode_id] = timezone.localdate(appointment["starts_at"])
    clocks = {pk: (stored, clock[pk]) for pk, (_, _, stored) in episodes.items()}

    assert problems == []
    assert {pk: dates for pk, dates in clocks.items() if dates[0] != dates[1]} == {}
    assert first_dnas  # not vacuous


# --- Scores ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_stored_score_is_the_scoring_functions_result(region):
    from pathway.proms.scoring import score_answers

    responses = QuestionnaireResponse.objects.values_list(
        "id", "instrument", "answers", "scores", "score"
    )
    wrong_responses = [
        (pk, instrument)
        for pk, instrument, answers, scores, score in responses.iterator()
        if score_answers(instrument, answers) != (scores, score)
    ]
    referrals = Referral.objects.exclude(startback_answers=[]).values_list(
        "id",
        "startback_answers",
        "startback_total",
        "startback_psychosocial",
        "startback_risk",
        "recommendation",
    )
    wrong_referrals = []
    for pk, answers, total, psychosocial, risk, recommendation in referrals:
        scored = startback.score(answers)
        expected = (scored.total, scored.psychosocial, scored.risk, recommend(scored.risk).code)
        if (total, psychosocial, risk, recommendation) != expected:
            wrong_referrals.append(pk)

    assert wrong_responses == []
    assert wrong_referrals == []
    assert len(responses) > 5 * SIZE and len(referrals) > SIZE  # not vacuous


# --- Referrals -------------------------------------------------------------------------------


def _red_flag_problems(referral):
    """(the route the red flag rules give, problems with the stored red flag fields)."""
    screen = screen_red_flags(referral.red_flag_answers)
    judgement = referral.red_flag_judgement or None
    route = route_red_flags(screen, judgement if screen.needs_judgement else None)
    problems = []
    if referral.red_flags_found != list(screen.codes):
        problems.append(f"red flags found {referral.red_flags_found}, the screen {screen.codes}")
    if referral.red_flag_action != (route.action or ""):
        problems.append(f"red flag action {referral.red_flag_action!r}, the route {route.action}")
    if route.route == ASK_GP:
        problems.append("red flags that need the GP's judgement, without one")
    recommended = screen.recommendation.judgement if screen.needs_judgement else ""
    if referral.red_flag_recommendation != recommended:
        problems.append(f"recommendation {referral.red_flag_recommendation!r}, not {recommended}")
    if route.reason_required != bool(referral.red_flag_judgement_reason.strip()):
        problems.append(f"judgement reason {referral.red_flag_judgement_reason!r}")
    return route, problems


def _exclusions(referral, service):
    patient = referral.patient
    answers = referral.exclusion_answers
    facts = ReferralFacts(
        age_years=age_on(patient.date_of_birth, timezone.localdate(referral.created_at)),
        sex=patient.sex,
        pregnant_over_35_weeks=answers["pregnant_over_35_weeks"],
        housebound=answers["housebound"],
        primary_limb_problem=answers["primary_limb_problem"],
        registered_locally=patient.registered_practice.area_id == service.area_id,
        little_potential_to_improve=answers["little_potential_to_improve"],
        widespread_pain=answers["widespread_pain"],
        chronic_pain=answers["chronic_pain"],
    )
    return [exclusion.code for exclusion in check_exclusions(facts, service.rules)]


def _assessment_problems(referral):
    problems = []
    computed = priority(referral.urgency_answers)
    if referral.computed_priority != computed:
        problems.append(f"computed priority {referral.computed_priority}, the rule {computed}")
    if referral.priority != computed and not referral.priority_override_reason:
        problems.append(f"priority {referral.priority} overrides {computed} without a reason")
    low_risk_reason_needed = (
        referral.outcome == ReferralOutcome.REFERRED and referral.startback_risk == "low"
    )
    if low_risk_reason_needed != bool(referral.low_risk_referral_reason):
        problems.append(f"low risk reason {referral.low_risk_referral_reason!r}")
    return problems


def _as_previous(episode, on):
    """An earlier episode as the GP's assessment saw it at the moment of referral."""
    discharged = (
        episode.discharged_at if episode.discharged_at and episode.discharged_at < on else None
    )
    return PreviousEpisode(
        referred_on=timezone.localdate(episode.referred_at),
        discharged_on=timezone.localdate(discharged) if discharged else None,
        body_part=episode.body_part,
        outcome=episode.discharge_reason if discharged else episode.state,
    )


def _return_problems(referral, earlier, service):
    """The returner fields against returners.assess_return over the person's earlier episodes."""
    on = referral.created_at
    earlier = [episode for episode in earlier if episode.referred_at < on]
    returner = assess_return(
        [_as_previous(episode, on) for episode in earlier],
        timezone.localdate(on),
        referral.body_part,
        service.rules,
    )
    discharged = [e for e in earlier if e.discharged_at and e.discharged_at < on]
    last = max(discharged, key=lambda episode: episode.discharged_at, default=None)
    expected = (
        last.pk if last else None,
        returner.days_since_discharge,
        returner.is_returner,
        returner.needs_justification,
    )
    found = (
        referral.previous_episode_id,
        referral.days_since_previous_discharge,
        bool(referral.return_kind),
        bool(referral.return_justification),
    )
    problems = [] if found == expected else [f"returner {found}, the rules {expected}"]
    if returner.open_same_body_part_episode is not None:
        problems.append("referred with an open episode for the same body part")
    return problems


def _referral_problems(referral, service, earlier, episode):
    route, problems = _red_flag_problems(referral)
    if route.stops_referral:
        expected = ReferralOutcome.REDIRECTED
    else:
        exclusions = _exclusions(referral, service)
        if referral.exclusions_found != exclusions:
            problems.append(f"exclusions {referral.exclusions_found}, the rules {exclusions}")
        # Referred or discharged with advice is the GP's choice once the rules allow either.
        expected = (
            ReferralOutcome.EXCLUDED
            if exclusions
            else ReferralOutcome.REFERRED
            if referral.outcome == ReferralOutcome.REFERRED
            else ReferralOutcome.GP_DISCHARGED
        )
    if referral.outcome != expected:
        problems.append(f"outcome {referral.outcome}, the rules {expected}")
    if referral.outcome in {ReferralOutcome.REFERRED, ReferralOutcome.GP_DISCHARGED}:
        problems += _assessment_problems(referral)
    if referral.outcome == ReferralOutcome.REFERRED:
        problems += _return_problems(referral, earlier, service)
        if episode is None or (episode.priority, episode.body_part) != (
            referral.priority,
            referral.body_part,
        ):
            problems.append("the episode does not have the referral's priority and body part")
    return problems


@pytest.mark.django_db
def test_every_referral_is_what_the_referral_rules_make_of_its_answers(region):
    services, first_offered = {}, {}
    for service in ProviderService.objects.all():  # in the order the form offers them
        services[service.pk] = service
        first_offered.setdefault(service.area_id, service)
    episodes = defaultdict(list)
    for episode in Episode.objects.order_by("referred_at"):
        episodes[episode.patient_id].append(episode)
    episode_of = {episode.referral_id: episode for group in episodes.values() for episode in group}
    referrals = Referral.objects.select_related("patient__registered_practice", "practice")
    problems, outcomes = {}, defaultdict(int)
    for referral in referrals.iterator(chunk_size=500):
        # The service chosen, or (for a referral that did not reach one) the first offered,
        # whose rules the form asks (referrals.assessment._service_for_rules).
        service = services.get(referral.service_id) or first_offered[referral.practice.area_id]
        found = _referral_problems(
            referral, service, episodes[referral.patient_id], episode_of.get(referral.pk)
        )
        if found:
            problems[referral.pk] = found
        outcomes[referral.outcome] += 1
        outcomes["returner"] += referral.previous_episode_id is not None
        outcomes["red flags not suspected"] += referral.red_flag_judgement == "not_suspected"

    assert problems == {}
    assert all(outcomes[name] for name in (*ReferralOutcome.values, "returner")), outcomes
    assert outcomes["red flags not suspected"], outcomes
