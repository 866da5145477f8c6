from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from pathway.accounts.models import Role
from pathway.audit.reads import record_view
from pathway.care.models import Appointment, Episode, EpisodeTransition
from pathway.clinical import eq5d, nhs_number
from pathway.core.permissions import role_required
from pathway.patients import timeline
from pathway.patients.models import Patient
from pathway.proms.models import QuestionnaireResponse
from pathway.proms.queries import group_by_timepoint


def _get_patient_for_user(request, public_id):
    patients = Patient.objects.visible_to(request.user).select_related("registered_practice")
    return get_object_or_404(patients, public_id=public_id)


def _episodes_for_user(request, patient):
    """Every episode of the person the user may see, newest first, with everything the page
    shows fetched in a fixed number of queries however many episodes there are."""
    return list(
        Episode.objects.visible_to(request.user)
        .filter(patient=patient)
        .select_related(
            "service", "triage", "triage__decided_by", "cppp", "cppp__outcome_recorded_by"
        )
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.select_related("clinician").order_by("starts_at"),
            ),
            "sessions",
            "onward_referrals",
            Prefetch(
                "transitions",
                queryset=EpisodeTransition.objects.select_related("by").order_by("at", "id"),
            ),
            Prefetch(
                "questionnaire_responses",
                queryset=QuestionnaireResponse.objects.select_related("recorded_by"),
            ),
        )
        .order_by("-referred_at")
    )


# Administrators run accounts and organisations; they have no clinical reason to read records.
@role_required(Role.GP, Role.TTP, Role.MANAGER)
@transaction.atomic
def patient_detail(request, public_id):
    """One page per person: who they are, every episode the user may see, and their scores."""
    patient = _get_patient_for_user(request, public_id)
    episodes = _episodes_for_user(request, patient)
    by_pk = {episode.pk: episode for episode in episodes}
    for episode in episodes:
        episode.responses = group_by_timepoint(episode.questionnaire_responses.all())
        # A returner's earlier episode may be with a service this user cannot see: then the
        # page says only that there was one.
        episode.visible_previous = by_pk.get(episode.previous_episode_id)
    charted = next((e for e in episodes if timeline.has_outcomes(e.responses)), None)
    charts, chart_rows = (
        timeline.outcome_charts(charted.responses, settings.EQ5D_VALUE_SET) if charted else ([], [])
    )
    record_view(request=request, obj=patient, patient=patient)
    context = {
        "patient": patient,
        "nhs_number": nhs_number.format(patient.nhs_number),
        "episodes": episodes,
        "charted_episode": charted,
        "charts": charts,
        "chart_rows": chart_rows,
        "value_set": eq5d.VALUE_SETS[settings.EQ5D_VALUE_SET],
        "can_open_episodes": request.user.effective_role in {Role.TTP, Role.MANAGER},
    }
    return render(request, "patients/patient_detail.html", context)
