"""The person's own reads of their questionnaire pages, in the audit trail.

Staff page views are audited with the staff user. The person is not staff: their events are
the PATIENT actor's (pathway.audit.context), through the patient-link channel, and name the
questionnaire link they used as the record, with the person as the patient. Their answers
(QuestionnaireResponse) and stopping their messages (QuestionnaireStop) are audited by the
actions that save them.
"""

from pathway.audit.actions import record_event
from pathway.audit.context import PATIENT, Channel, web_context
from pathway.audit.models import AuditAction


def patient_link_context(request):
    """The audit context of a request made through a patient's questionnaire link."""
    return web_context(request, channel=Channel.PATIENT_LINK)


def record_patient_page_view(request, link):
    """One event per page shown to the person after they confirmed their date of birth."""
    return record_event(
        by=PATIENT,
        context=patient_link_context(request),
        action=AuditAction.VIEW,
        obj=link,
        patient=link.timepoint.episode.patient,
    )
