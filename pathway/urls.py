from django.contrib import admin
from django.urls import include, path

from pathway.accounts.urls import auth_urlpatterns
from pathway.core import views as core_views
from pathway.patients import pds_stand_in
from pathway.referrals import views as referral_views

admin.site.site_header = "Back pain pathway administration"

urlpatterns = [
    path("health", core_views.health, name="health"),
    path("advice/back-and-neck-pain/", referral_views.advice, name="advice"),
    *auth_urlpatterns,
    path("", include("pathway.accounts.urls")),
    path("gp/", include("pathway.referrals.urls")),
    path("ttp/alerts/", include("pathway.proms.alert_urls")),
    path("ttp/", include("pathway.care.urls")),
    path("manager/", include("pathway.reports.urls")),
    path("patients/", include("pathway.care.history_urls")),
    path("audit/", include("pathway.patients.audit_urls")),
    path("q/", include("pathway.proms.patient_urls")),
    # Public: people refer themselves to a service that accepts it (pathway.selfreferral).
    path("self-referral/", include("pathway.selfreferral.urls")),
    # The FHIR R4 API and its token endpoint (docs/api.md): /fhir/R4/..., /oauth2/token.
    path("", include("pathway.api.urls")),
    path("admin/", admin.site.urls),
    # Local development only (settings.PDS_STAND_IN): answers in PDS's shape, as PDS's own
    # address carries the NHS number, for synthetic people from the 999 test range.
    path("pds-stand-in/FHIR/R4/Patient", pds_stand_in.search, name="pds_stand_in_search"),
    path(
        "pds-stand-in/FHIR/R4/Patient/<str:nhs_number>",
        pds_stand_in.patient,
        name="pds_stand_in_patient",
    ),
]
