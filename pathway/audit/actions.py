"""Writing the audit trail. Call inside the transaction that does the work.

Actions record what they did with `record_event(s)`, from the plain `by` and `context` they
were given (pathway.audit.context). What a page showed is recorded by pathway.audit.reads.
"""

import contextlib
import contextvars

from pathway.audit.context import Actor
from pathway.audit.models import AuditAction, AuditEvent

# Events of the unit of work under way (see `one_insert`), or None when there is none.
_pending = contextvars.ContextVar("pending_audit_events", default=None)


@contextlib.contextmanager
def one_insert():
    """Write every event recorded inside the block in one insert as it ends: an action that
    calls other actions (a referral opens an episode) audits all of them at once. Use inside
    the transaction; if the block raises, nothing is written, as the work is rolled back."""
    if _pending.get() is not None:
        yield  # already inside one: the outermost block writes
        return
    token = _pending.set([])
    try:
        yield
        events = _pending.get()
    finally:
        _pending.reset(token)
    if events:
        AuditEvent.objects.bulk_create(events)


def _write(events):
    pending = _pending.get()
    if pending is not None:
        pending.extend(events)
        return events
    return AuditEvent.objects.bulk_create(events)


def _who(by):
    """(user, role, organisation) for a staff user, an Actor, or None (nobody signed in)."""
    if by is None:
        return None, "", ""
    if isinstance(by, Actor):
        return None, by.kind, by.name
    return by, by.effective_role, str(by.organisation or "")


def record_refusal(*, by, context, object_type, object_id=""):
    """`by` asked for something (of `object_type`, by `object_id` as they named it) and was
    refused: written even though nothing was shown, so that probing shows in the trail."""
    user, role, organisation = _who(by)
    event = AuditEvent(
        user=user,
        role=role,
        organisation=organisation,
        action=AuditAction.REFUSED,
        object_type=object_type[:100],
        object_id=object_id[:64],
        ip_address=context.ip_address,
        channel=context.channel,
        user_agent=context.user_agent,
    )
    _write([event])
    return event


def new_event(*, by, context, action, obj, patient_id, object_type=None):
    user, role, organisation = _who(by)
    return AuditEvent(
        user=user,
        role=role,
        organisation=organisation,
        patient_id=patient_id,
        action=action,
        # A named object_type is for what is not a model row (a patient's audit trail).
        object_type=object_type or obj._meta.label_lower,
        object_id=str(obj.pk),
        ip_address=context.ip_address,
        channel=context.channel,
        user_agent=context.user_agent,
    )


def record_event(*, by, context, action, obj, patient=None, object_type=None):
    """One event: `by` did `action` to `obj` (of `patient`), through `context`."""
    event = new_event(
        by=by,
        context=context,
        action=action,
        obj=obj,
        patient_id=patient.pk if patient else None,
        object_type=object_type,
    )
    _write([event])
    return event


def record_events(*, by, context, actions, object_type=None):
    """One event per (action, object, patient), in one insert: work that creates several
    records audits each of them in a fixed number of queries. `object_type` names what the
    objects were shown as, when that is not their model (see new_event)."""
    return _write(
        [
            new_event(
                by=by,
                context=context,
                action=action,
                obj=obj,
                patient_id=patient.pk if patient else None,
                object_type=object_type,
            )
            for action, obj, patient in actions
        ]
    )
