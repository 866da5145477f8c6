"""The service's safety alerts, for its TTPs: the list, and acknowledging one with a note."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pathway.accounts.models import Role
from pathway.audit.context import web_context
from pathway.audit.reads import record_views
from pathway.clinical import InvalidAnswers
from pathway.core.permissions import role_required
from pathway.proms.actions import AlertAlreadyAcknowledged, acknowledge_alert
from pathway.proms.models import SafetyAlert


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="What did you do?",
        help_text="For example: spoke to the person, safety plan agreed, GP informed.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what you did about this alert"},
    )


def _open_alerts(user):
    return (
        SafetyAlert.objects.visible_to(user)
        .open()
        .select_related("episode__patient", "episode", "response")
        .order_by("raised_at")
    )


@role_required(Role.TTP)
def alerts(request, form=None, failed_pk=None):
    """The service's open safety alerts, oldest first, each acknowledged with a note."""
    open_alerts = list(_open_alerts(request.user))
    record_views(
        request=request,
        objects_and_patient_ids=[(alert, alert.episode.patient_id) for alert in open_alerts],
    )
    context = {"alerts": open_alerts, "form": form, "failed_pk": failed_pk}
    return render(request, "proms/alerts.html", context)


@require_POST
@role_required(Role.TTP)
def acknowledge(request, pk):
    alert = get_object_or_404(SafetyAlert.objects.visible_to(request.user), pk=pk)
    form = AcknowledgeForm(request.POST)
    if form.is_valid():
        try:
            acknowledge_alert(
                alert=alert,
                note=form.cleaned_data["note"],
                by=request.user,
                context=web_context(request),
            )
        except (AlertAlreadyAcknowledged, InvalidAnswers) as refusal:
            form.add_error("note", str(refusal))
        else:
            messages.success(request, "Alert acknowledged.")
            return redirect("safety_alerts:list")
    return alerts(request, form=form, failed_pk=alert.pk)
