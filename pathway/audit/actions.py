"""Writing the audit trail. Call inside the transaction that does the work."""

from pathway.audit.models import AuditAction, AuditEvent


def client_ip(request):
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites
    # it, and the deployment guide puts that proxy in front, not in Django.
    return request.META.get("REMOTE_ADDR") or None


def record_audit_event(*, user, action, obj, patient=None, ip_address=None):
    """One event. `user` is None only for the system itself (a task, a patient's own link)."""
    return AuditEvent.objects.create(
        user=user,
        role=user.effective_role if user else "",
        organisation=str(user.organisation or "") if user else "",
        patient=patient,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        ip_address=ip_address,
    )


def record_request_event(*, request, action, obj, patient=None):
    user = request.user if request.user.is_authenticated else None
    return record_audit_event(
        user=user, action=action, obj=obj, patient=patient, ip_address=client_ip(request)
    )


def record_view(*, request, obj, patient=None):
    return record_request_event(request=request, action=AuditAction.VIEW, obj=obj, patient=patient)
