from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, render

from pathway.audit.actions import record_view
from pathway.patients.models import Patient


def _get_patient_for_user(request, public_id):
    return get_object_or_404(Patient.objects.visible_to(request.user), public_id=public_id)


@login_required
@transaction.atomic
def patient_detail(request, public_id):
    patient = _get_patient_for_user(request, public_id)
    record_view(request=request, obj=patient, patient=patient)
    return render(request, "patients/patient_detail.html", {"patient": patient})
