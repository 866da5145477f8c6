from pathway.accounts.models import Role
from pathway.core.permissions import role_required
from pathway.core.views import coming_soon


@role_required(Role.TTP)
def caseload(request):
    return coming_soon(
        request,
        title="Your caseload",
        description="Your open episodes with next appointment, sessions used, questionnaires "
        "outstanding and safety alerts.",
    )


@role_required(Role.TTP)
def triage_queue(request):
    return coming_soon(
        request,
        title="Triage queue",
        description="New referrals for your service, urgent first, then by days waiting.",
    )


@role_required(Role.TTP)
def alerts(request):
    return coming_soon(
        request,
        title="Safety alerts",
        description="Worrying questionnaire answers (PHQ-9 item 9) waiting for a clinician.",
    )
