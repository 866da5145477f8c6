"""Who has looked at this record? The audit trail of one person, for managers and
administrators. Here rather than in pathway.audit, which every app writes to and so imports
nothing of theirs: this page finds the person (patients) and names roles (accounts)."""

from django.apps import apps
from django.db import transaction
from django.shortcuts import render

from pathway.accounts.models import Role
from pathway.audit.models import AuditAction, AuditEvent
from pathway.audit.reads import record_request_event
from pathway.clinical import nhs_number
from pathway.core.permissions import role_required
from pathway.patients.forms import AuditSearchForm
from pathway.patients.models import Patient

PAGE_SIZE = 50
ROLE_LABELS = dict(Role.choices)
TRAIL_OBJECT_TYPE = "audit trail"


def _object_label(object_type):
    """A model label such as care.episode as its name ("Episode"); anything else as written."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type.capitalize()
    return str(model._meta.verbose_name).capitalize()


def _page_of_events(patient, *, before):
    """Up to PAGE_SIZE of the person's events, newest first, starting below sequence number
    `before`: keyset paging, so a later page costs the same as the first one."""
    events = AuditEvent.objects.filter(patient=patient).select_related("user").order_by("-id")
    if before is not None:
        events = events.filter(id__lt=before)
    page = list(events[: PAGE_SIZE + 1])
    return page[:PAGE_SIZE], len(page) > PAGE_SIZE


def _row(event):
    return {
        "event": event,
        "who": (event.user.get_full_name() or event.user.username) if event.user else "",
        "role": ROLE_LABELS.get(event.role, event.role),
        "what": event.get_action_display(),
        "object": _object_label(event.object_type),
    }


def _before(request):
    value = request.POST.get("before", "")
    return int(value) if value.isdigit() else None


@role_required(Role.MANAGER, Role.ADMINISTRATOR)
@transaction.atomic
def search(request):
    """A form posts the NHS number (never a URL); results are that person's events.

    A manager finds only people referred to their service (or registered in their area);
    anyone else is "no record found", the same answer as for a number nobody has, so the page
    does not tell whether a person exists elsewhere.
    """
    form = AuditSearchForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["nhs_number"]
        context["nhs_number"] = nhs_number.format(number)
        patient = Patient.objects.visible_to(request.user).filter(nhs_number=number).first()
        context.update(_trail(request, patient) if patient else {"not_found": True})
    return render(request, "patients/audit_trail.html", context)


def _trail(request, patient):
    """A page of the person's events, newest first; reading it is itself a read of their
    record."""
    before = _before(request)
    events, has_older = _page_of_events(patient, before=before)
    record_request_event(
        request=request,
        action=AuditAction.VIEW,
        obj=patient,
        patient=patient,
        object_type=TRAIL_OBJECT_TYPE,
    )
    return {
        "patient": patient,
        "rows": [_row(event) for event in events],
        "paged": before is not None,
        "older_than": events[-1].id if has_older else None,
    }
