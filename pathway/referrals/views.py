from django.shortcuts import render

from pathway.accounts.models import Role
from pathway.core.permissions import role_required
from pathway.core.views import coming_soon
from pathway.patients.models import Patient


@role_required(Role.GP)
def gp_home(request):
    patients = Patient.objects.visible_to(request.user).only(
        "public_id", "given_name", "family_name", "date_of_birth"
    )
    return render(request, "referrals/gp_home.html", {"patients": patients})


@role_required(Role.GP)
def new_referral(request):
    return coming_soon(
        request,
        title="Refer a patient",
        description="The STarT Back referral template: red flags, eligibility, priority and "
        "the risk score worked out as you answer.",
    )
