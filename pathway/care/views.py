from pathway.accounts.models import Role
from pathway.core.permissions import role_required
from pathway.core.views import coming_soon


@role_required(Role.TTP)
def alerts(request):
    return coming_soon(
        request,
        title="Safety alerts",
        description="Worrying questionnaire answers (PHQ-9 item 9) waiting for a clinician.",
    )
