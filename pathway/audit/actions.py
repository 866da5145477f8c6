"""Writing the audit trail. Call inside the transaction that does the work."""

from pathway.audit.models import AuditAction, AuditEvent


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and the deployment guide puts that proxy in front, not in Django.
    return request.META.get("REMOTE_ADDR") or None


def _event(*, user, action, obj, patient_id, ip_address, object_type=None):
    return AuditEvent(
        user=user,
        role=user.effective_role if user else "",
        organisation=str(user.organisation or "") if user else "",
        patient_id=patient_id,
        action=action,
        # A named object_type is for what is not a model row (a patient's audit trail).
        object_type=object_type or obj._meta.label_lower,
        object_id=str(obj.pk),
        ip_address=ip_address,
    )


def record_audit_event(*, user, action, obj, patient=None, ip_address=None):
    """One event. `user` is None only for the system itself (a task, a patient's own link)."""
    event = _event(
        user=user,
        action=action,
        obj=obj,
        patient_id=patient.pk if patient else None,
        ip_address=ip_address,
    )
    event.save()
    return event


def record_request_events(*, request, action, objects_and_patient_ids):
    """One event per (object, patient id), written in one insert: an export of many people
    keeps a fixed number of queries."""
    user = request.user if request.user.is_authenticated else None
    ip_address = client_ip(request)
    return AuditEvent.objects.bulk_create(
        _event(user=user, action=action, obj=obj, patient_id=patient_id, ip_address=ip_address)
        for obj, patient_id in objects_and_patient_ids
    )


def record_request_actions(*, request, actions):
    """One event per (action, object, patient) that a request did, written in one insert: a
    request that creates several records audits each of them in a fixed number of queries."""
    user = request.user if request.user.is_authenticated else None
    ip_address = client_ip(request)
    return AuditEvent.objects.bulk_create(
        _event(
            user=user,
            action=action,
            obj=obj,
            patient_id=patient.pk if patient else None,
            ip_address=ip_address,
        )
        for action, obj, patient in actions
    )


def record_request_event(*, request, action, obj, patient=None, object_type=None):
    user = request.user if request.user.is_authenticated else None
    event = _event(
        user=user,
        action=action,
        obj=obj,
        patient_id=patient.pk if patient else None,
        ip_address=client_ip(request),
        object_type=object_type,
    )
    event.save()
    return event


def record_view(*, request, obj, patient=None):
    return record_request_event(request=request, action=AuditAction.VIEW, obj=obj, patient=patient)


def record_views(*, request, objects_and_patient_ids):
    """A list of many people: one view event per person shown, in one insert."""
    return record_request_events(
        request=request, action=AuditAction.VIEW, objects_and_patient_ids=objects_and_patient_ids
    )
