from pathway.accounts.models import Role
from pathway.core.permissions import role_required
from pathway.core.views import coming_soon


@role_required(Role.TTP)
def record_questionnaires(request, public_id):
    return coming_soon(
        request,
        title="Record questionnaires",
        description="Record baseline questionnaires with the patient.",
    )
