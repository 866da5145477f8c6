"""What the GP's answers mean so far: asked of the clinical core, never worked out here.

`assess` takes the ReferralAnswers given so far (complete or not) and returns every conclusion
they allow. The live panels show it as the GP types; recording a referral records it.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from pathway.care.models import Episode, EpisodeState
from pathway.clinical import InvalidAnswers, nhs_number, startback
from pathway.clinical.red_flags import JUDGEMENTS, RED_FLAGS, route_red_flags, screen_red_flags
from pathway.clinical.referral_rules import (
    URGENCY_CRITERIA,
    ReferralFacts,
    age_on,
    check_exclusions,
    priority,
    recommend,
)
from pathway.clinical.returners import PreviousEpisode, assess_return
from pathway.clinical.self_referral import route_self_referral
from pathway.core.vocabulary import Priority
from pathway.patients.models import Patient
from pathway.referrals.answers import EXCLUSION_FIELDS, RED_FLAG_FIELDS
from pathway.referrals.models import Referral


@dataclass
class Assessment:
    nhs_number: str | None = None
    nhs_number_problem: str | None = None
    patient: Patient | None = None
    patient_is_visible: bool = False
    previous_episodes: list = field(default_factory=list)
    returner: object = None
    red_flags: object = None
    red_flags_unanswered: int = len(RED_FLAGS)
    # What the red flags and the GP's judgement so far mean (red_flags.route_red_flags).
    red_flag_route: object = None
    exclusions: tuple = ()
    exclusion_problem: str | None = None
    computed_priority: str | None = None
    startback: object = None
    startback_unanswered: int = 9
    recommendation: object = None
    services: list = field(default_factory=list)
    wait_priority: str = "standard"

    @property
    def stops_referral(self):
        return bool(self.red_flag_route and self.red_flag_route.stops_referral)

    @cached_property
    def service_waits(self):
        """[(service, median wait)]: asked only when a page shows them, so a submission that
        is recorded and redirects never reads the waiting list."""
        return median_waits(self.services, self.wait_priority)


def find_patient(number, date_of_birth, scope):
    """The existing patient with this NHS number that the referring practice (`scope`, an
    accounts.scoping.OrganisationScope) may see.

    A patient of the GP's own practice is found by NHS number alone. Anyone else is found only
    when the date of birth matches too, as a trace would, so that typing numbers at random
    reveals nobody.
    """
    # Whether the GP may see them is asked in the same query, by the one visibility rule.
    patient = (
        Patient.objects.filter(nhs_number=number)
        .select_related("registered_practice")
        .annotate(visible=Exists(Patient.objects.visible_to_scope(scope).filter(pk=OuterRef("pk"))))
        .first()
    )
    if patient is None:
        return None, False
    visible = patient.visible
    if visible or (date_of_birth and patient.date_of_birth == date_of_birth):
        return patient, visible
    return None, False


def previous_episodes(patient):
    return list(
        Episode.objects.filter(patient=patient)
        .select_related("service", "referral")
        .order_by("-referred_at")
    )


def as_previous_episode(episode):
    return PreviousEpisode(
        referred_on=timezone.localdate(episode.referred_at),
        discharged_on=timezone.localdate(episode.discharged_at) if episode.discharged_at else None,
        body_part=episode.body_part,
        outcome=episode.discharge_reason or episode.state,
    )


# How far back a practice's referrals say which service it usually uses.
USUAL_SERVICE_YEARS = 1


def usual_service(practice_id, services):
    """The practice's usual service among `services` (those offered): the one it referred to
    most in the last year, the earlier-made service on a tie; the only one when one is
    offered; None when it has referred to none of them (nothing is preselected then)."""
    if len(services) == 1:
        return services[0]
    since = timezone.now() - datetime.timedelta(days=365 * USUAL_SERVICE_YEARS)
    counts = (
        Referral.objects.filter(
            practice_id=practice_id, service__in=services, created_at__gte=since
        )
        .values("service")
        .annotate(referrals=Count("pk"))
        .order_by("-referrals", "service")
    )
    top = counts.first()
    return next((s for s in services if top and s.pk == top["service"]), None)


def median_waits(services, priority_code):
    """[(service, median days waited so far by people it has not yet assessed, or None)],
    in one query for all the services."""
    today = timezone.localdate()
    started = Episode.objects.filter(
        service__in=services,
        priority=priority_code,
        state__in=[EpisodeState.AWAITING_TRIAGE, EpisodeState.ASSESSMENT_BOOKED],
    ).values_list("service_id", "clock_started_on")
    waits = defaultdict(list)
    for service_id, day in started:
        waits[service_id].append((today - day).days)
    return [
        (service, statistics.median(waits[service.pk]) if waits[service.pk] else None)
        for service in services
    ]


def assess(answers, *, scope, services):
    """What `answers` mean so far, for a referral from the organisation `scope` (the GP's
    practice: accounts.scoping) to one of `services` (offered)."""
    result = Assessment()
    today = timezone.localdate()

    _assess_patient(answers, result, scope=scope, today=today, services=services)

    red_flag_answers = dict(answers.red_flags)
    result.red_flags_unanswered = len(RED_FLAG_FIELDS) - len(red_flag_answers)
    if result.red_flags_unanswered == 0 or any(red_flag_answers.values()):
        # A "yes" must show where to send the person at once, before the other questions are
        # answered: screen with the unanswered ones counted as not (yet) flagged.
        not_yet_answered = {flag.code: False for flag in RED_FLAGS}
        result.red_flags = screen_red_flags({**not_yet_answered, **red_flag_answers})
        judgement = answers.red_flag_judgement
        if answers.self_referral:
            result.red_flag_route = route_self_referral(result.red_flags)
        else:
            result.red_flag_route = route_red_flags(
                result.red_flags, judgement if judgement in JUDGEMENTS else None
            )

    result.exclusions, result.exclusion_problem = _exclusions(answers, services, today)

    if len(answers.urgency) == len(URGENCY_CRITERIA):
        result.computed_priority = priority(dict(answers.urgency))

    result.startback_unanswered = sum(answer is None for answer in answers.startback)
    if result.startback_unanswered == 0:
        result.startback = startback.score(list(answers.startback))
        result.recommendation = recommend(result.startback.risk)

    override = answers.priority_override
    override = override if override in Priority.values else None
    result.wait_priority = override or result.computed_priority or "standard"
    result.services = services
    return result


def _assess_patient(answers, result, *, scope, today, services):
    raw_number = (answers.patient.nhs_number or "").strip()
    if not raw_number:
        return
    try:
        result.nhs_number = nhs_number.normalise(raw_number)
    except InvalidAnswers as error:
        result.nhs_number_problem = str(error)
        return
    result.patient, result.patient_is_visible = find_patient(
        result.nhs_number, answers.patient.date_of_birth, scope
    )
    if result.patient is None:
        return
    result.previous_episodes = previous_episodes(result.patient)
    if result.previous_episodes and answers.body_part in {"back", "neck"}:
        result.returner = assess_return(
            [as_previous_episode(e) for e in result.previous_episodes],
            today,
            answers.body_part,
            service_for_rules(answers, services).rules,
        )


def _exclusions(answers, services, today):
    """Exclusions that apply, once every eligibility answer and the date of birth are in."""
    date_of_birth = answers.patient.date_of_birth
    if len(answers.exclusions) < len(EXCLUSION_FIELDS) or date_of_birth is None:
        return (), None
    service = service_for_rules(answers, services)
    practice = answers.patient.registered_practice
    asked = answers.exclusions
    try:
        facts = ReferralFacts(
            age_years=age_on(date_of_birth, today),
            sex=answers.patient.sex or "unknown",
            pregnant_over_35_weeks=asked["pregnant_over_35_weeks"],
            housebound=asked["housebound"],
            primary_limb_problem=asked["primary_limb_problem"],
            registered_locally=practice is not None and practice.area_id == service.area_id,
            little_potential_to_improve=asked["little_potential_to_improve"],
            widespread_pain=asked["widespread_pain"],
            chronic_pain=asked["chronic_pain"],
        )
        return check_exclusions(facts, service.rules), None
    except InvalidAnswers as error:
        return (), str(error)


def service_for_rules(answers, services):
    """The chosen service, or the first one offered until the person chooses."""
    return chosen_service(answers, services) or services[0]


def chosen_service(answers, services):
    """The service chosen, of those offered; the only one when one is offered."""
    if len(services) == 1:
        return services[0]
    return answers.service if answers.service in services else None
