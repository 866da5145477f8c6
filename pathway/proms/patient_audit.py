"""The person's own reads of their questionnaire pages, in the audit trail.

Staff page views are audited with the staff user. The person is not staff, so their events
have no user and name the questionnaire link they used (the channel) as the record, with the
person as the patient: in the trail, "Viewed questionnaire link 12" with no member of staff is
the person themselves, from that link. Their answers (QuestionnaireResponse) and stopping their
messages (QuestionnaireStop) are audited by the actions that save them.
"""

from pathway.audit.actions import client_ip, record_audit_event
from pathway.audit.models import AuditAction


def record_patient_page_view(request, link):
    """One event per page shown to the person after they confirmed their date of birth."""
    return record_audit_event(
        user=None,
        action=AuditAction.VIEW,
        obj=link,
        patient=link.timepoint.episode.patient,
        ip_address=client_ip(request),
    )
