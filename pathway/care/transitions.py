"""Moving an episode through the lifecycle table: the step every care action shares.

Locks, checks the named transition (pathway.care.lifecycle), writes the transition and its
audit event, and starts or stops what a discharge or a re-opening schedules.
"""

from django.utils import timezone

from pathway.audit.actions import record_event
from pathway.audit.context import actor_name, staff_user
from pathway.audit.models import AuditAction
from pathway.care import lifecycle
from pathway.care.models import DischargeReason, Episode, EpisodeTransition
from pathway.care.retention import retain_until_for
from pathway.proms.schedule import cancel_after_discharge, schedule_after_discharge

CareRefused = lifecycle.IllegalTransition


def locked(episode):
    return (
        Episode.objects.select_for_update().select_related("service", "patient").get(pk=episode.pk)
    )


def audit(by, obj, episode, context, action=AuditAction.UPDATE):
    record_event(by=by, context=context, action=action, obj=obj, patient=episode.patient)


def move(episode, transition, *, by, reason="", discharge_reason="", context):
    """Apply a lifecycle transition to a locked episode and log it."""
    step = lifecycle.transition(transition, episode.state)
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise CareRefused(f"Give a reason to {step.label.lower()}.")
    if step.target == lifecycle.DISCHARGED:
        if discharge_reason not in DischargeReason.values:
            raise CareRefused("Choose the reason for discharge.")
        episode.discharged_at = timezone.now()
        episode.discharge_reason = discharge_reason
        episode.retain_until = retain_until_for(episode.discharged_at)
    elif step.source == lifecycle.DISCHARGED:
        # Care is open again: the retention clock starts afresh at the next discharge.
        episode.discharged_at = None
        episode.discharge_reason = ""
        episode.retain_until = None
    from_state = episode.state
    episode.state = step.target
    episode.save(
        update_fields=[
            "state",
            "discharged_at",
            "discharge_reason",
            "retain_until",
            "clock_started_on",
            "updated_at",
        ]
    )
    EpisodeTransition.objects.create(
        episode=episode,
        name=step.name,
        from_state=from_state,
        to_state=step.target,
        by=staff_user(by),
        by_name=actor_name(by),
        reason=reason,
    )
    audit(by, episode, episode, context)
    if step.target == lifecycle.DISCHARGED:
        schedule_after_discharge(episode=episode)
    elif step.source == lifecycle.DISCHARGED:
        cancel_after_discharge(episode=episode)
    return episode
