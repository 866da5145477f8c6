"""Recording what a page showed: the views' side of the audit trail.

Views call these with their request; the signed-in user and the request's audit context are
read off it here, so actions (pathway.audit.actions) never see a request.
"""

from pathway.audit.actions import new_event, record_event
from pathway.audit.context import web_context
from pathway.audit.models import AuditAction, AuditEvent


def _request_user(request):
    return request.user if request.user.is_authenticated else None


def record_request_event(*, request, action, obj, patient=None, object_type=None):
    return record_event(
        by=_request_user(request),
        context=web_context(request),
        action=action,
        obj=obj,
        patient=patient,
        object_type=object_type,
    )


def record_view(*, request, obj, patient=None):
    return record_request_event(request=request, action=AuditAction.VIEW, obj=obj, patient=patient)


def record_request_events(*, request, action, objects_and_patient_ids):
    """One event per (object, patient id), written in one insert: a list or an export of many
    people keeps a fixed number of queries."""
    by, context = _request_user(request), web_context(request)
    return AuditEvent.objects.bulk_create(
        new_event(by=by, context=context, action=action, obj=obj, patient_id=patient_id)
        for obj, patient_id in objects_and_patient_ids
    )


def record_views(*, request, objects_and_patient_ids):
    """A list of many people: one view event per person shown, in one insert."""
    return record_request_events(
        request=request, action=AuditAction.VIEW, objects_and_patient_ids=objects_and_patient_ids
    )
