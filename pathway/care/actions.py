"""Changing an episode's state, by the lifecycle table and nothing else."""

from django.db import transaction
from django.utils import timezone

from pathway.audit.actions import record_audit_event
from pathway.audit.models import AuditAction
from pathway.care import lifecycle
from pathway.care.models import Episode, EpisodeTransition


@transaction.atomic
def move_episode(*, episode, transition, by, reason="", discharge_reason="", ip_address=None):
    """Apply a named lifecycle transition; IllegalTransition (nothing saved) if not allowed.

    The row is locked first, so two clinicians acting at once cannot both move it.
    """
    episode = Episode.objects.select_for_update().get(pk=episode.pk)
    step = lifecycle.transition(transition, episode.state)
    reason = reason.strip()
    if step.needs_reason and not reason:
        raise lifecycle.IllegalTransition(f"Give a reason to {step.label.lower()}.")
    if step.target == lifecycle.DISCHARGED:
        if not discharge_reason:
            raise lifecycle.IllegalTransition("Choose the reason for discharge.")
        episode.discharged_at = timezone.now()
        episode.discharge_reason = discharge_reason
    elif step.source == lifecycle.DISCHARGED:
        episode.discharged_at = None
        episode.discharge_reason = ""
    from_state = episode.state
    episode.state = step.target
    episode.save(update_fields=["state", "discharged_at", "discharge_reason"])
    EpisodeTransition.objects.create(
        episode=episode,
        name=step.name,
        from_state=from_state,
        to_state=step.target,
        by=by,
        reason=reason,
    )
    record_audit_event(
        user=by,
        action=AuditAction.UPDATE,
        obj=episode,
        patient=episode.patient,
        ip_address=ip_address,
    )
    return episode
